package benchmark

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
)

// CleanEnv is environ without whatever would make one plan differ from
// another for reasons of the caller's shell: Terraform settings (TF_*, the
// CLI configuration and logging among them), ServiceTitan settings, and the
// Go runtime knobs that the CLI and the provider would both inherit.
func CleanEnv(environ []string) []string {
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "TF_"), strings.HasPrefix(name, "SERVICETITAN_"), strings.HasPrefix(name, "PLANBENCH_"):
			continue
		case name == "GOGC", name == "GODEBUG", name == "GOMAXPROCS", name == "GOMEMLIMIT", name == "CHECKPOINT_DISABLE":
			continue
		}
		out = append(out, kv)
	}
	return out
}

// PlanResult is one `terraform plan`.
type PlanResult struct {
	// Wall is from starting the CLI to its exit.
	Wall time.Duration
	// CPU is user plus system time of the CLI and of every process it
	// started and waited for (the provider processes), as wait4 reports it.
	CPU    time.Duration
	Output string
}

// Runner runs the CLI.
type Runner struct {
	CLI string
	Env []string
}

// planTimeout bounds one CLI run, so that a hung plan ends the benchmark
// instead of holding it forever.
const planTimeout = 5 * time.Minute

// Plan runs `plan -input=false -no-color` in dir with the CLI configuration
// at cliConfig and extraEnv on top of the runner's environment.
func (r *Runner) Plan(ctx context.Context, dir, cliConfig string, extraEnv ...string) (PlanResult, error) {
	return r.Run(ctx, dir, cliConfig, extraEnv, "plan", "-input=false", "-no-color")
}

// Run runs the CLI with args.
func (r *Runner) Run(ctx context.Context, dir, cliConfig string, extraEnv []string, args ...string) (PlanResult, error) {
	ctx, cancel := context.WithTimeout(ctx, planTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.CLI, args...)
	cmd.Dir = dir
	cmd.Env = append(append(append([]string(nil), r.Env...),
		"TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1"), extraEnv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	res := PlanResult{Wall: time.Since(start), Output: out.String()}
	if cmd.ProcessState != nil {
		res.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if err != nil {
		return res, fmt.Errorf("%s %s in %s: %w\n%s", filepath.Base(r.CLI), strings.Join(args, " "), dir, err, res.Output)
	}
	return res, nil
}

// FindCLI returns the CLI to drive: explicit if set, else
// TF_ACC_TERRAFORM_PATH, else terraform on PATH, else the OpenTofu that
// `make` builds into bin/tofu. It never downloads one.
func FindCLI(explicit, repoRoot string) (string, error) {
	for _, c := range []string{explicit, os.Getenv("TF_ACC_TERRAFORM_PATH")} {
		if c != "" {
			p, err := exec.LookPath(c)
			if err != nil {
				return "", err
			}
			// The CLI runs in other directories.
			return filepath.Abs(p)
		}
	}
	if p, err := exec.LookPath("terraform"); err == nil {
		return p, nil
	}
	tofu := filepath.Join(repoRoot, "bin", "tofu")
	if fi, err := os.Stat(tofu); err == nil && !fi.IsDir() {
		return tofu, nil
	}
	return "", fmt.Errorf("no Terraform CLI: put terraform (>= 1.10) on PATH, set TF_ACC_TERRAFORM_PATH, or build OpenTofu into bin/tofu (make testacc-tofu does)")
}

// ProviderModule is the module path of the provider planbench builds.
const ProviderModule = "github.com/servicetitan-tf/terraform-provider-servicetitan"

// FindRepoRoot returns the nearest directory at or above dir whose go.mod
// declares ProviderModule. The benchmark is a module of its own inside the
// provider's tree, so the nearest go.mod alone may be the benchmark's; this
// lets planbench run from the repository root (as `make bench` does) or from
// tools/benchmark (as `go run -C tools/benchmark ./cmd/planbench` does).
func FindRepoRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; {
		if IsRepoRoot(d) {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod of %s at or above %s", ProviderModule, dir)
		}
		d = parent
	}
}

// IsRepoRoot reports whether dir holds the go.mod of ProviderModule.
func IsRepoRoot(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	return err == nil && modfile.ModulePath(b) == ProviderModule
}
