package acctest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Main runs a package's tests against a CLI that is already on the machine,
// and cleans up after them. Call it from TestMain.
//
// terraform-plugin-testing must never download a CLI: there may be no
// network, and a silently fetched binary is not the CLI the user asked to
// test. So TF_ACC_TERRAFORM_PATH is always set, to terraform on PATH when
// the caller gave none, and the tests stop with instructions when there is
// no CLI at all.
//
// With -v it first prints which CLI the tests drive, so that a log says
// which product and version it is about.
func Main(m *testing.M) {
	if err := prepareCLI(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	flag.Parse()
	if c, err := detectCLI(); err == nil && testing.Verbose() {
		fmt.Printf("acceptance tests drive %s at %s\n", c, CLIPath())
	}
	code := m.Run()
	cleanup()
	os.Exit(code)
}

var workDir string

func prepareCLI() error {
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		path, err := exec.LookPath("terraform")
		if err != nil {
			return fmt.Errorf("terraform-provider-servicetitan tests need a Terraform (>= 1.5) or OpenTofu (>= 1.6) CLI: " +
				"put `terraform` on PATH or set TF_ACC_TERRAFORM_PATH to the binary (make test does this, and builds OpenTofu when terraform is absent)")
		}
		_ = os.Setenv("TF_ACC_TERRAFORM_PATH", path)
	}
	// The CLI phones home for update checks unless told not to.
	_ = os.Setenv("CHECKPOINT_DISABLE", "1")
	// An empty CLI configuration of the tests' own: the user's (provider
	// mirrors, plugin caches, credentials) must not change what is tested,
	// and a TF_CLI_CONFIG_FILE naming a missing file makes the CLI print a
	// warning where the test framework reads the version.
	var err error
	if workDir, err = os.MkdirTemp("", "servicetitan-acc-"); err != nil {
		return err
	}
	rc := filepath.Join(workDir, "empty.tfrc")
	if err := os.WriteFile(rc, nil, 0o600); err != nil {
		return err
	}
	return os.Setenv("TF_CLI_CONFIG_FILE", rc)
}

func cleanup() {
	if workDir != "" {
		_ = os.RemoveAll(workDir)
	}
}

// CLIPath is the CLI the tests drive.
func CLIPath() string { return os.Getenv("TF_ACC_TERRAFORM_PATH") }

// ProviderVersion is the version ProviderBinary stamps into the provider,
// as the release tooling does, so that tests see it where users do.
const ProviderVersion = "0.0.0-acctest"

// A binary of this module, built once per test run.
type build struct {
	once sync.Once
	path string
	err  error
}

var providerBuild, standInBuild, consumerBuild build

// get builds pkg (relative to the module root) with ldflags into name
// under the run's work directory, the first time it is asked for.
func (b *build) get(t *testing.T, name, pkg, ldflags string) string {
	t.Helper()
	b.once.Do(func() {
		// go test puts its own Go first on PATH.
		goBin, err := exec.LookPath("go")
		if err != nil {
			b.err = fmt.Errorf("building %s needs the go command: %v", name, err)
			return
		}
		gomod, err := exec.Command(goBin, "env", "GOMOD").Output()
		if err != nil || strings.TrimSpace(string(gomod)) == "" {
			b.err = fmt.Errorf("finding the provider's module: %v", err)
			return
		}
		if workDir == "" {
			b.err = fmt.Errorf("building %s needs acctest.Main in the package's TestMain", name)
			return
		}
		b.path = filepath.Join(workDir, name, name)
		cmd := exec.Command(goBin, "build", "-ldflags", ldflags, "-o", b.path, pkg)
		cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("building %s: %v\n%s", name, err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// ProviderBinary builds terraform-provider-servicetitan once per test run
// and returns the directory that holds it, for a dev_overrides block.
func ProviderBinary(t *testing.T) string {
	t.Helper()
	return filepath.Dir(providerBuild.get(t, "terraform-provider-servicetitan", ".", "-X main.version="+ProviderVersion))
}

// StandInBinary builds the servicetitan-standin command once per test run
// and returns its path.
func StandInBinary(t *testing.T) string {
	t.Helper()
	return standInBuild.get(t, "servicetitan-standin", "./cmd/servicetitan-standin", "")
}

// ConsumerBinary builds the consumer provider (internal/acctest/consumer)
// once per test run and returns the directory that holds it, for a
// dev_overrides entry under ConsumerSource.
func ConsumerBinary(t *testing.T) string {
	t.Helper()
	return filepath.Dir(consumerBuild.get(t, "terraform-provider-consumer", "./internal/acctest/consumer", ""))
}

// CLIRun is one working directory driven by the real CLI, with the provider
// built from this module and found through dev_overrides, as a user of a
// locally built provider would run it. Some behaviour is only visible this
// way: a separate plugin process per phase, its stderr captured into
// TF_LOG_PATH, one process per provider configuration.
type CLIRun struct {
	t   *testing.T
	Dir string
	Env []string
	rc  string
}

// NewCLIRun writes config, after a required_providers block, into a fresh
// directory; extraEnv is added to the CLI's environment. It skips the test
// when config uses a feature the CLI lacks.
func NewCLIRun(t *testing.T, config string, extraEnv ...string) *CLIRun {
	t.Helper()
	SkipUnlessSupported(t, config)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(RequiredProviders()+config), 0o600); err != nil {
		t.Fatal(err)
	}
	return CLIRunIn(t, dir, extraEnv...)
}

// CLIRunIn drives the CLI in dir, which holds a configuration already, with
// the provider built from this module; extraEnv is added to the CLI's
// environment.
func CLIRunIn(t *testing.T, dir string, extraEnv ...string) *CLIRun {
	t.Helper()
	rc := filepath.Join(t.TempDir(), "cli.tfrc")
	if err := os.WriteFile(rc, []byte(CLIConfig(ProviderBinary(t))), 0o600); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		// The test decides logging and ServiceTitan settings, not the caller's shell.
		if strings.HasPrefix(kv, "TF_LOG") || strings.HasPrefix(kv, "SERVICETITAN_") || strings.HasPrefix(kv, "TF_CLI_CONFIG_FILE=") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	return &CLIRun{t: t, Dir: dir, Env: append(env, extraEnv...), rc: rc}
}

// Install adds providers to the run's dev_overrides, beside this one.
func (c *CLIRun) Install(extra ...Override) {
	c.t.Helper()
	if err := os.WriteFile(c.rc, []byte(CLIConfig(ProviderBinary(c.t), extra...)), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// NewConsumerCLIRun is NewCLIRun with the consumer provider
// (internal/acctest/consumer) built and installed beside this one, and
// named in the configuration's required_providers.
func NewConsumerCLIRun(t *testing.T, config string, extraEnv ...string) *CLIRun {
	t.Helper()
	SkipUnlessSupported(t, config)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(RequiredProvidersWithConsumer()+config), 0o600); err != nil {
		t.Fatal(err)
	}
	c := CLIRunIn(t, dir, extraEnv...)
	c.Install(Override{Source: ConsumerSource, Dir: ConsumerBinary(t)})
	return c
}

// Command returns the CLI command for args, ready to start, with its output
// going to out.
func (c *CLIRun) Command(ctx context.Context, out *bytes.Buffer, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, CLIPath(), append(args, "-no-color")...)
	cmd.Dir = c.Dir
	cmd.Env = c.Env
	cmd.Stdout, cmd.Stderr = out, out
	return cmd
}

// Run executes the CLI and returns its combined output.
func (c *CLIRun) Run(args ...string) (string, error) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), 3*time.Minute)
	defer cancel()
	var out bytes.Buffer
	err := c.Command(ctx, &out, args...).Run()
	return out.String(), err
}

// MustRun executes the CLI and fails the test when it fails.
func (c *CLIRun) MustRun(args ...string) string {
	c.t.Helper()
	out, err := c.Run(args...)
	if err != nil {
		c.t.Fatalf("%s %s: %v\n%s", filepath.Base(CLIPath()), strings.Join(args, " "), err, out)
	}
	return out
}

// Outputs returns the root module's output values.
func (c *CLIRun) Outputs() map[string]any {
	c.t.Helper()
	var raw map[string]struct {
		Value any `json:"value"`
	}
	out := c.MustRun("output", "-json")
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		c.t.Fatalf("output -json: %v\n%s", err, out)
	}
	values := map[string]any{}
	for k, v := range raw {
		values[k] = v.Value
	}
	return values
}
