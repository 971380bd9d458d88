// Command planbench measures what a `terraform plan` costs with this
// provider, alternated run by run with the floor (the same plan with only a
// built-in terraform_data resource), against a stand-in ServiceTitan that
// answers token requests after an injected latency. `make bench` runs it
// after the auth core's Go benchmarks and writes the table into
// BENCHMARKS.md.
//
// With -pprof it profiles instead: it builds the provider with a CPU and
// allocation profiler around main (added at build time, never in a release
// build) and leaves one profile per provider process.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/benchmark"
)

// sdkLogsOn reproduces what the provider did before it started turning the
// SDK's log sinks off when no logging variable is set: every SDK logger at
// trace, writing to stderr for the CLI to discard.
var sdkLogsOn = []string{"TF_LOG_SDK=TRACE", "TF_LOG_SDK_PROTO=TRACE", "TF_LOG_SDK_FRAMEWORK=TRACE"}

type variantFlag []benchmark.Variant

func (v *variantFlag) String() string { return fmt.Sprint(len(*v)) }

func (v *variantFlag) Set(s string) error {
	name, path, ok := strings.Cut(s, "=")
	if !ok || name == "" || path == "" {
		return errors.New("want NAME=PATH-TO-PROVIDER-BINARY")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	*v = append(*v, benchmark.Variant{Name: name, Binary: abs})
	return nil
}

func main() {
	benchmark.RunLauncherIfAsked()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "planbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	var variants variantFlag
	root := flag.String("root", ".", "module root to build the provider from")
	cli := flag.String("cli", "", "terraform or tofu binary (default: TF_ACC_TERRAFORM_PATH, terraform on PATH, bin/tofu)")
	rounds := flag.Int("rounds", 7, "timed rounds; each plans every case once, right after a floor plan")
	latency := flag.Duration("latency", 50*time.Millisecond, "latency the stand-in adds to every token request")
	sizes := flag.String("sizes", "1,20,100", "token data sources per configuration")
	ephemerals := flag.Int("ephemeral", 5, "ephemeral tokens in every configuration")
	compareSize := flag.Int("compare-size", 20, "token data sources of the side-by-side variants")
	ldflags := flag.String("ldflags", "-s -w", "linker flags of the provider build")
	compareSDKLogs := flag.Bool("compare-sdk-logs", true, "add a variant with the SDK loggers forced to trace, as the provider ran before it turned them off")
	compareTokenCache := flag.Bool("compare-token-cache", true, "add a variant with a warm token cache (token_cache_dir filled by its probe plan)")
	flag.Var(&variants, "variant", "add NAME=PATH: another provider binary planned side by side (repeatable)")
	gobench := flag.String("gobench", "", "file with `go test -bench -benchmem` output to include")
	out := flag.String("out", "", "Markdown file whose generated section receives the results (default: stdout only)")
	pprofDir := flag.String("pprof", "", "profile instead: write per-process CPU and allocation profiles under this directory")
	pprofRuns := flag.Int("pprof-runs", 10, "plans per variant with -pprof")
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flag.Args())
	}

	rootDir, err := filepath.Abs(*root)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(rootDir, "go.mod")); err != nil {
		return fmt.Errorf("-root %s is not the module root: %w", rootDir, err)
	}
	cliPath, err := benchmark.FindCLI(*cli, rootDir)
	if err != nil {
		return err
	}
	var sizeList []int
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("-sizes: %q is not a positive number", s)
		}
		sizeList = append(sizeList, n)
	}
	if *compareTokenCache {
		variants = append(variantFlag{{Name: "warm token cache", TokenCache: true}}, variants...)
	}
	if *compareSDKLogs {
		variants = append(variantFlag{{Name: "SDK logs at trace (as before)", Env: sdkLogsOn}}, variants...)
	}

	if *pprofDir != "" {
		dir, err := filepath.Abs(*pprofDir)
		if err != nil {
			return err
		}
		return benchmark.Profile(ctx, benchmark.ProfileOptions{
			RepoRoot: rootDir, CLI: cliPath, Dir: dir, Runs: *pprofRuns,
			DataSources: *compareSize, Ephemerals: *ephemerals, Latency: *latency,
			Variants: []benchmark.Variant{{Name: "as-built"}, {Name: "sdk-logs-at-trace", Env: sdkLogsOn}},
			Progress: os.Stderr,
		})
	}

	self, err := os.Executable()
	if err != nil {
		return err
	}
	var goResults []benchmark.GoBench
	if *gobench != "" {
		f, err := os.Open(*gobench)
		if err != nil {
			return err
		}
		goResults, err = benchmark.ParseGoBench(f)
		f.Close()
		if err != nil {
			return err
		}
	}
	res, err := benchmark.Run(ctx, benchmark.Options{
		RepoRoot: rootDir, CLI: cliPath, Rounds: *rounds, Latency: *latency,
		Sizes: sizeList, Ephemerals: *ephemerals, LDFlags: *ldflags,
		Variants: variants, CompareSize: *compareSize, Launcher: self, Progress: os.Stderr,
	})
	if err != nil {
		return err
	}
	md := benchmark.Render(res, goResults)
	fmt.Println(md)
	if *out != "" {
		if err := benchmark.WriteGenerated(*out, md); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "wrote %s\n", *out)
	}
	return nil
}
