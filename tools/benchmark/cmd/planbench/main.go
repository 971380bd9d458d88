// Command planbench measures what a `terraform plan` costs with this
// provider, alternated run by run with the floor (the same plan with only a
// built-in terraform_data resource), against a stand-in ServiceTitan that
// answers token and API requests after an injected latency. It plans token
// reads, servicetitan_api_request lookups and a long job list read in full,
// and, given an http provider binary (-http-provider), the same reads made
// with the http data source and a servicetitan_auth_token, side by side.
// `make bench` runs it after the auth core's Go benchmarks and writes the
// tables into BENCHMARKS.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/tools/benchmark"
)

// warmKey names the warm token cache case in -targets.
const warmKey = "warm"

type variantFlag []benchmark.Variant

func (v *variantFlag) String() string { return fmt.Sprint(len(*v)) }

func (v *variantFlag) Set(s string) error {
	name, path, ok := strings.Cut(s, "=")
	if !ok || name == "" || path == "" {
		return errors.New("want NAME=PATH-TO-PROVIDER-BINARY")
	}
	// The name is also the case's key in -targets, where it must not be
	// taken for another case.
	reserved := []string{benchmark.FloorKey, warmKey, benchmark.LookupsKey, benchmark.JobsKey,
		benchmark.LookupsKey + benchmark.RecipeSuffix, benchmark.JobsKey + benchmark.RecipeSuffix}
	if _, err := strconv.Atoi(name); err == nil || slices.Contains(reserved, name) || strings.ContainsAny(name, "/=,") {
		return fmt.Errorf("NAME %q: want a name other than %s or a number, without / = or ,", name, strings.Join(reserved, ", "))
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	*v = append(*v, benchmark.Variant{Key: name, Name: name, Binary: abs})
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

// repoRoot is the provider's module root: flagValue when given, else found
// from the working directory.
func repoRoot(flagValue string) (string, error) {
	if flagValue == "" {
		return benchmark.FindRepoRoot(".")
	}
	dir, err := filepath.Abs(flagValue)
	if err != nil {
		return "", err
	}
	// The benchmark's own go.mod is a module root too, but not the
	// provider's: building there would fail with a puzzling error.
	if !benchmark.IsRepoRoot(dir) {
		return "", fmt.Errorf("%s holds no go.mod of %s", dir, benchmark.ProviderModule)
	}
	return dir, nil
}

func run(ctx context.Context) error {
	var variants variantFlag
	root := flag.String("root", "", "module root to build the provider from (default: the nearest directory at or above the working directory whose go.mod is the provider's)")
	cli := flag.String("cli", "", "terraform or tofu binary (default: TF_ACC_TERRAFORM_PATH, terraform on PATH, bin/tofu)")
	rounds := flag.Int("rounds", 7, "timed rounds; each plans every case once, right after a floor plan")
	latency := flag.Duration("latency", 50*time.Millisecond, "latency the stand-in adds to every token request")
	sizes := flag.String("sizes", "1,20,100", "token data sources per configuration")
	ephemerals := flag.Int("ephemeral", 5, "ephemeral tokens in every configuration")
	compareSize := flag.Int("compare-size", 20, "token data sources of the side-by-side variants")
	ldflags := flag.String("ldflags", "-s -w", "linker flags of the provider build")
	compareTokenCache := flag.Bool("compare-token-cache", true, "add the case "+warmKey+": the compare-size plan with a warm token cache (token_cache_dir filled by its probe plan)")
	flag.Var(&variants, "variant", "add NAME=PATH: another provider binary planned side by side at the compare size (repeatable)")
	targets := flag.String("targets", "20/floor=5.5,100/20=1.5,"+warmKey+"/1=0.95",
		"CASE/BASE=MAX,...: report whether CASE's median wall time is within MAX times BASE's; a case is floor, a size, "+warmKey+" or a -variant NAME")
	apiLatency := flag.Duration("api-latency", 50*time.Millisecond, "latency the stand-in adds to every API request")
	lookups := flag.Int("lookups", 20, "small lookups (one API request each) of the "+benchmark.LookupsKey+" cases; 0 leaves them out")
	jobs := flag.Int("jobs", 12345, "jobs in the list the "+benchmark.JobsKey+" cases read in full; 0 leaves them out")
	httpProvider := flag.String("http-provider", "", "directory holding a "+benchmark.HTTPProviderBinaryName+
		" binary, taken through a dev_overrides entry for "+benchmark.HTTPProviderSource+": adds the cases "+
		benchmark.LookupsKey+benchmark.RecipeSuffix+" and "+benchmark.JobsKey+benchmark.RecipeSuffix+
		", the same reads made with the http recipe (default: left out, since that provider is not downloaded)")
	apiTargets := flag.String("api-targets", benchmark.LookupsKey+"/"+benchmark.LookupsKey+benchmark.RecipeSuffix+"=0.85,"+
		benchmark.JobsKey+"/"+benchmark.JobsKey+benchmark.RecipeSuffix+"=1.0",
		"CASE/BASE=MAX,...: targets of the API cases in the form of -targets, where a case is "+benchmark.LookupsKey+" or "+benchmark.JobsKey+
			" (servicetitan_api_request), or either followed by "+benchmark.RecipeSuffix+" (the http recipe)")
	rssTarget := flag.Float64("rss-target", 3, "report whether the peak RSS of the provider process that reads the jobs stays within its idle RSS "+
		"(that of the plan's first provider process, which only answers the schema request) plus this many times the bytes of the API answers; 0 leaves it out")
	tokenTarget := flag.Int("token-target", 1, "report whether every timed plan of the API cases makes this many token requests; -1 leaves it out")
	gobench := flag.String("gobench", "", "file with `go test -bench -benchmem` output to include")
	out := flag.String("out", "", "Markdown file whose generated section receives the results (default: stdout only)")
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flag.Args())
	}

	rootDir, err := repoRoot(*root)
	if err != nil {
		return fmt.Errorf("-root: %w", err)
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
	targetList, err := benchmark.ParseTargets(*targets)
	if err != nil {
		return fmt.Errorf("-targets: %w", err)
	}
	apiTargetList, err := benchmark.ParseTargets(*apiTargets)
	if err != nil {
		return fmt.Errorf("-api-targets: %w", err)
	}
	if *lookups < 0 || *jobs < 0 {
		return errors.New("-lookups and -jobs: want 0 or more")
	}
	httpDir := ""
	if *httpProvider != "" {
		if httpDir, err = filepath.Abs(*httpProvider); err != nil {
			return err
		}
	}
	if *compareTokenCache {
		variants = append(variantFlag{{Key: warmKey, Name: "warm token cache", TokenCache: true}}, variants...)
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
		APILatency: *apiLatency, Lookups: *lookups, Jobs: *jobs, HTTPProviderDir: httpDir,
	})
	if err != nil {
		return err
	}
	md := benchmark.Render(res, benchmark.Targets{
		Plans: targetList, API: apiTargetList, RSSOverResponse: *rssTarget, TokenRequestsPerPlan: *tokenTarget,
	}, goResults)
	fmt.Println(md)
	if *out != "" {
		if err := benchmark.WriteGenerated(*out, md); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "wrote %s\n", *out)
	}
	return nil
}
