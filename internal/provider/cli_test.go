package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/benchmark"
)

// Some behaviour is only visible with the provider as Terraform really runs
// it: a separate plugin process per phase, its stderr captured into
// TF_LOG_PATH, one process per provider configuration. These tests build the
// provider binary and drive the CLI with a dev_overrides configuration, as a
// user of a locally built provider would.

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// providerBinary builds terraform-provider-servicetitan once per test run.
func providerBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		// Shared by every test of the run, so not a t.TempDir; TestMain removes it.
		buildDir, buildErr = os.MkdirTemp("", "servicetitan-provider-build-") //nolint:usetesting
		if buildErr != nil {
			return
		}
		// go test puts its own Go first on PATH.
		goBin, err := exec.LookPath("go")
		if err != nil {
			buildErr = fmt.Errorf("building the provider needs the go command: %v", err)
			return
		}
		cmd := exec.Command(goBin, "build", "-o", filepath.Join(buildDir, "terraform-provider-servicetitan"), "../..")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("building the provider: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildDir
}

// cliRun is one working directory driven by the real CLI.
type cliRun struct {
	t   *testing.T
	dir string
	env []string
}

func newCLIRun(t *testing.T, config string, extraEnv ...string) *cliRun {
	t.Helper()
	pluginDir := providerBinary(t)
	dir := t.TempDir()
	rc := filepath.Join(dir, "cli.tfrc")
	if err := os.WriteFile(rc, []byte(benchmark.CLIConfig(pluginDir)), 0o600); err != nil {
		t.Fatal(err)
	}
	main := fmt.Sprintf("terraform {\n  required_providers {\n    servicetitan = {\n      source = %q\n    }\n  }\n}\n", benchmark.ProviderSource) + config
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(main), 0o600); err != nil {
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
	return &cliRun{t: t, dir: dir, env: append(env, extraEnv...)}
}

// run executes the CLI and returns its combined output.
func (c *cliRun) run(args ...string) (string, error) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Getenv("TF_ACC_TERRAFORM_PATH"), append(args, "-no-color")...)
	cmd.Dir = c.dir
	cmd.Env = c.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func (c *cliRun) mustRun(args ...string) string {
	c.t.Helper()
	out, err := c.run(args...)
	if err != nil {
		c.t.Fatalf("%s %s: %v\n%s", filepath.Base(os.Getenv("TF_ACC_TERRAFORM_PATH")), strings.Join(args, " "), err, out)
	}
	return out
}

// outputs returns the root module's output values.
func (c *cliRun) outputs() map[string]any {
	c.t.Helper()
	var raw map[string]struct {
		Value any `json:"value"`
	}
	out := c.mustRun("output", "-json")
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		c.t.Fatalf("terraform output -json: %v\n%s", err, out)
	}
	values := map[string]any{}
	for k, v := range raw {
		values[k] = v.Value
	}
	return values
}
