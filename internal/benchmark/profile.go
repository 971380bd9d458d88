package benchmark

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// EnvProfileDir switches a profiling build of the provider into writing a
// CPU profile and an allocation profile per process into the directory it
// names.
const EnvProfileDir = "PLANBENCH_PPROF_DIR"

// profileMain replaces the provider's main for a profiling build: it runs
// the real main (renamed) between starting and stopping the CPU profile.
// It is added with `go build -overlay`, so no file of the repository
// changes and release builds never contain it. What it cannot see is the
// runtime's and the packages' initialisation before main.
const profileMain = `package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
)

func main() {
	dir := os.Getenv(%q)
	if dir == "" {
		planbenchProviderMain()
		return
	}
	name := filepath.Join(dir, fmt.Sprintf("%%d", os.Getpid()))
	cpu, err := os.Create(name + ".cpu.pprof")
	if err == nil {
		// A process lives a few hundred milliseconds: sample more often
		// than the default 100 Hz, but not above the kernel's usual
		// 250 Hz tick, past which samples are lost and totals shrink.
		runtime.SetCPUProfileRate(250)
		if err := pprof.StartCPUProfile(cpu); err != nil {
			cpu.Close()
			cpu = nil
		}
	}
	planbenchProviderMain()
	if cpu != nil {
		pprof.StopCPUProfile()
		cpu.Close()
	}
	if f, err := os.Create(name + ".allocs.pprof"); err == nil {
		_ = pprof.Lookup("allocs").WriteTo(f, 0)
		f.Close()
	}
}
`

// ProfileOptions of a profiling run.
type ProfileOptions struct {
	RepoRoot string
	CLI      string
	// Dir receives the profiling build and, per variant, a directory of
	// profiles.
	Dir         string
	Runs        int
	DataSources int
	Ephemerals  int
	Latency     time.Duration
	// Variants to profile; each gets Runs plans.
	Variants []Variant
	Progress io.Writer
}

// BuildProfilingProvider builds the provider with profileMain in place of
// its main, into out.
func BuildProfilingProvider(ctx context.Context, root, out string) error {
	tmp, err := os.MkdirTemp("", "planbench-overlay-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	mainPath := filepath.Join(root, "main.go")
	src, err := os.ReadFile(mainPath)
	if err != nil {
		return err
	}
	const decl = "\nfunc main() {\n"
	if bytes.Count(src, []byte(decl)) != 1 {
		return errors.New("profiling build: main.go must declare func main() exactly once")
	}
	renamed := bytes.Replace(src, []byte(decl), []byte("\nfunc planbenchProviderMain() {\n"), 1)
	overlay := map[string]string{
		mainPath: filepath.Join(tmp, "main.go"),
		filepath.Join(root, "zz_planbench_profile.go"): filepath.Join(tmp, "profile.go"),
	}
	if err := os.WriteFile(overlay[mainPath], renamed, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "profile.go"), fmt.Appendf(nil, profileMain, EnvProfileDir), 0o644); err != nil {
		return err
	}
	j, err := json.Marshal(map[string]any{"Replace": overlay})
	if err != nil {
		return err
	}
	overlayPath := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(overlayPath, j, 0o644); err != nil {
		return err
	}
	return goBuild(ctx, root, out, "-overlay", overlayPath)
}

// Profile plans the DataSources-token configuration Runs times per variant
// with a profiling build of the provider, leaving one CPU and one
// allocation profile per provider process in Dir/<variant>.
func Profile(ctx context.Context, o ProfileOptions) error {
	pluginDir := filepath.Join(o.Dir, "plugin")
	binary := filepath.Join(pluginDir, ProviderBinaryName)
	if err := BuildProfilingProvider(ctx, o.RepoRoot, binary); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "planbench-profile-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	cliConfig, err := writeCLIConfig(work, "profile", pluginDir)
	if err != nil {
		return err
	}
	standIn, err := StartStandIn(o.Latency)
	if err != nil {
		return err
	}
	defer standIn.Close()
	dir, err := writeConfig(work, "tokens", TokensConfig(standIn.URL(), o.DataSources, o.Ephemerals))
	if err != nil {
		return err
	}
	runner := &Runner{CLI: o.CLI, Env: CleanEnv(os.Environ())}
	if _, err := runner.Plan(ctx, dir, cliConfig); err != nil { // warm-up
		return err
	}
	for _, v := range o.Variants {
		out := filepath.Join(o.Dir, v.Name)
		if err := os.MkdirAll(out, 0o755); err != nil {
			return err
		}
		var walls []time.Duration
		for range o.Runs {
			r, err := runner.Plan(ctx, dir, cliConfig, append([]string{EnvProfileDir + "=" + out}, v.Env...)...)
			if err != nil {
				return err
			}
			walls = append(walls, r.Wall)
		}
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "%s: %d plans (median wall %s while profiling); profiles in %s\n", v.Name, o.Runs, ms(Median(walls)), out)
			fmt.Fprintf(o.Progress, "  go tool pprof -top %s %s\n", binary, filepath.Join(out, "*.cpu.pprof"))
		}
	}
	return nil
}
