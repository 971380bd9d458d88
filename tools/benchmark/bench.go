package benchmark

import (
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
)

// ProviderBinaryName is the file name the CLI looks for in a dev_overrides
// directory.
const ProviderBinaryName = "terraform-provider-servicetitan"

// HTTPProviderBinaryName is the file name the CLI looks for in the http
// provider's dev_overrides directory.
const HTTPProviderBinaryName = "terraform-provider-http"

// Keys of the cases in targets: the floor, the lookups and the job list
// read with servicetitan_api_request, and the same with the http recipe
// (the key and RecipeSuffix).
const (
	FloorKey     = "floor"
	LookupsKey   = "lookups"
	JobsKey      = "jobs"
	RecipeSuffix = "-http"
)

// RecipePageSize is the pageSize of the recipe's job pages, the API's
// largest, which servicetitan_api_request uses with all_pages too.
const RecipePageSize = 5000

// Variant is another way to run the provider, planned at CompareSize
// tokens next to the main cases: another build of the provider (a baseline
// to compare a change with), or the run's own build with a warm token cache.
type Variant struct {
	// Key names the case in targets; Name describes it in the tables.
	Key, Name string
	// Binary is a provider binary; empty means the one the run builds.
	Binary string
	// TokenCache gives the provider a token_cache_dir of the run's own.
	// The case's untimed probe plan fills it, so every timed plan finds a
	// token there (a warm cache) while it has more than the refresh margin
	// left, which a run of a few minutes never uses up.
	TokenCache bool
}

// Options of a run.
type Options struct {
	// RepoRoot is the module root the provider is built from.
	RepoRoot string
	// CLI is the terraform or tofu binary.
	CLI string
	// Rounds of timed plans; each round plans every case once, each
	// preceded by a floor plan.
	Rounds  int
	Latency time.Duration
	// Sizes are the numbers of token data sources of the main cases.
	Sizes []int
	// Ephemerals is the number of ephemeral tokens in every case.
	Ephemerals int
	// LDFlags build the provider, as a release would.
	LDFlags string
	// Variants are planned at CompareSize data sources.
	Variants    []Variant
	CompareSize int
	// APILatency is what the stand-in adds to every API request.
	APILatency time.Duration
	// Lookups is the number of small lookups in the lookups cases, Jobs
	// the length of the job list the jobs cases read; zero leaves the
	// cases out.
	Lookups, Jobs int
	// HTTPProviderDir holds a terraform-provider-http binary for the http
	// recipe's cases; empty leaves them out.
	HTTPProviderDir string
	// Launcher is a program that runs in launcher mode when EnvLaunchExec
	// is set (planbench itself).
	Launcher string
	// Progress receives one line per plan.
	Progress io.Writer
}

// Case is one configuration and way of running the provider, with its
// measurements.
type Case struct {
	// Key names the case in targets: FloorKey, the number of data sources
	// of a main case, or a variant's key.
	Key         string
	Name        string
	Floor       bool
	DataSources int
	Ephemerals  int
	// Variant is empty for the main cases.
	Variant string
	// API is LookupsKey or JobsKey for the servicetitan_api_request cases
	// and the recipe's; Recipe marks the recipe's. What names the read,
	// such as "20 lookups".
	API, What string
	Recipe    bool

	Walls         []time.Duration
	CPUs          []time.Duration
	TokenRequests []int
	APIRequests   []int
	// APIBytes are the body bytes of the API answers of each plan.
	APIBytes []int64
	Probe    Probe

	dir       string
	cliConfig string
	binary    string
	env       []string
}

// Probe is the untimed plan a case gets first, with the launcher between
// the CLI and the provider.
type Probe struct {
	// Processes are this provider's, HTTPProcesses the http provider's.
	Processes     []ProcessRecord
	HTTPProcesses []ProcessRecord
	// RequestsPerProcess counts the token requests that arrived while each
	// process (in start order) was running.
	RequestsPerProcess []int
	// Unattributed requests arrived while no provider process ran.
	Unattributed int
	// APIRequests and APIBytes are the probe plan's API requests and the
	// body bytes of their answers.
	APIRequests int
	APIBytes    int64
}

// CPU is the user plus system time of the probe's processes of this
// provider.
func (p Probe) CPU() time.Duration { return cpuOf(p.Processes) }

// HTTPCPU is the same for the http provider's processes.
func (p Probe) HTTPCPU() time.Duration { return cpuOf(p.HTTPProcesses) }

func cpuOf(procs []ProcessRecord) time.Duration {
	var d time.Duration
	for _, r := range procs {
		d += r.CPU
	}
	return d
}

// Results of a run.
type Results struct {
	Machine    Machine
	CLI        string
	CLIVersion string
	Rounds     int
	Latency    time.Duration
	APILatency time.Duration
	Lookups    int
	Jobs       int
	// HTTPProvider describes the http provider binary of the recipe's
	// cases; empty when they were not planned.
	HTTPProvider string
	LDFlags      string
	BinarySize   int64
	Floor        *Case
	Cases        []*Case
	Started      time.Time
	Finished     time.Time
	LoadBefore   string
	LoadAfter    string
}

// Case returns the case with the given key, or nil.
func (r *Results) Case(key string) *Case {
	if key == FloorKey {
		return r.Floor
	}
	for _, c := range r.Cases {
		if c.Key == key {
			return c
		}
	}
	return nil
}

func (o *Options) progress(format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format+"\n", args...)
	}
}

// Run builds the provider, starts the stand-in and plans every case, first
// once through the launcher (the probe), then Rounds times alternated with
// the floor.
func Run(ctx context.Context, o Options) (*Results, error) {
	if o.Rounds < 1 {
		return nil, errors.New("at least one round is needed")
	}
	work, err := os.MkdirTemp("", "planbench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)

	res := &Results{
		Machine: DescribeMachine(), CLI: o.CLI, Rounds: o.Rounds, Latency: o.Latency, APILatency: o.APILatency,
		Lookups: o.Lookups, Jobs: o.Jobs, LDFlags: o.LDFlags, Started: time.Now(), LoadBefore: LoadAverage(),
	}
	httpBinary := ""
	if o.HTTPProviderDir != "" && (o.Lookups > 0 || o.Jobs > 0) {
		httpBinary = filepath.Join(o.HTTPProviderDir, HTTPProviderBinaryName)
		if res.HTTPProvider, err = DescribeBinary(httpBinary); err != nil {
			return nil, fmt.Errorf("-http-provider: %w", err)
		}
	}

	o.progress("building the provider (-ldflags %q)", o.LDFlags)
	pluginDir := filepath.Join(work, "plugins")
	binary := filepath.Join(pluginDir, ProviderBinaryName)
	if err := goBuild(ctx, o.RepoRoot, binary, "-ldflags", o.LDFlags); err != nil {
		return nil, err
	}
	fi, err := os.Stat(binary)
	if err != nil {
		return nil, err
	}
	res.BinarySize = fi.Size()

	// The probe plans find the launcher where the provider would be.
	probeDir := filepath.Join(work, "probe-plugins")
	if err := copyExecutable(o.Launcher, filepath.Join(probeDir, ProviderBinaryName)); err != nil {
		return nil, fmt.Errorf("installing the launcher: %w", err)
	}
	probeConfig, err := writeCLIConfig(work, "probe", probeDir, "")
	if err != nil {
		return nil, err
	}
	mainConfig, err := writeCLIConfig(work, "main", pluginDir, "")
	if err != nil {
		return nil, err
	}
	var recipeConfig, recipeProbeConfig string
	if httpBinary != "" {
		if err := copyExecutable(o.Launcher, filepath.Join(probeDir, HTTPProviderBinaryName)); err != nil {
			return nil, fmt.Errorf("installing the launcher: %w", err)
		}
		if recipeProbeConfig, err = writeCLIConfig(work, "probe-recipe", probeDir, probeDir); err != nil {
			return nil, err
		}
		if recipeConfig, err = writeCLIConfig(work, "recipe", pluginDir, o.HTTPProviderDir); err != nil {
			return nil, err
		}
	}

	standIn, err := StartStandIn(StandInOptions{Latency: o.Latency, APILatency: o.APILatency, Jobs: o.Jobs})
	if err != nil {
		return nil, fmt.Errorf("starting the stand-in: %w", err)
	}
	defer standIn.Close()

	runner := &Runner{CLI: o.CLI, Env: CleanEnv(os.Environ())}

	floorDir, err := writeConfig(work, "floor", FloorConfig())
	if err != nil {
		return nil, err
	}
	res.Floor = &Case{Key: FloorKey, Name: "floor: one terraform_data, no provider", Floor: true, dir: floorDir, cliConfig: mainConfig}
	for _, n := range o.Sizes {
		dir, err := writeConfig(work, fmt.Sprintf("tokens-%d", n), TokensConfig(standIn.URL(), n, o.Ephemerals))
		if err != nil {
			return nil, err
		}
		res.Cases = append(res.Cases, &Case{
			Key: strconv.Itoa(n), Name: tokensName(n, o.Ephemerals), DataSources: n, Ephemerals: o.Ephemerals,
			dir: dir, cliConfig: mainConfig, binary: binary,
		})
	}
	for i, v := range o.Variants {
		c := &Case{
			Key: v.Key, Name: tokensName(o.CompareSize, o.Ephemerals) + ", " + v.Name, DataSources: o.CompareSize, Ephemerals: o.Ephemerals,
			Variant: v.Name, cliConfig: mainConfig, binary: binary,
		}
		if v.TokenCache {
			c.env = []string{"SERVICETITAN_TOKEN_CACHE_DIR=" + filepath.Join(work, fmt.Sprintf("variant-%d-token-cache", i))}
		}
		if c.dir, err = writeConfig(work, fmt.Sprintf("variant-%d", i), TokensConfig(standIn.URL(), o.CompareSize, o.Ephemerals)); err != nil {
			return nil, err
		}
		if v.Binary != "" {
			dir := filepath.Join(work, fmt.Sprintf("variant-%d-plugins", i))
			c.binary = filepath.Join(dir, ProviderBinaryName)
			if err := copyExecutable(v.Binary, c.binary); err != nil {
				return nil, err
			}
			if c.cliConfig, err = writeCLIConfig(work, fmt.Sprintf("variant-%d", i), dir, ""); err != nil {
				return nil, err
			}
		}
		res.Cases = append(res.Cases, c)
	}

	addAPI := func(key, name string, n int, config func(rootURL string, http bool) string) error {
		if n < 1 {
			return nil
		}
		for _, recipe := range []bool{false, true} {
			if recipe && httpBinary == "" {
				continue
			}
			c := &Case{Key: key, Name: name + ": servicetitan_api_request", API: key, What: name, cliConfig: mainConfig, binary: binary}
			if recipe {
				c.Key, c.Recipe, c.cliConfig = key+RecipeSuffix, true, recipeConfig
				c.Name = name + ": the http recipe"
			}
			var err error
			if c.dir, err = writeConfig(work, c.Key, config(standIn.URL(), recipe)); err != nil {
				return err
			}
			res.Cases = append(res.Cases, c)
		}
		return nil
	}
	if err := addAPI(LookupsKey, fmt.Sprintf("%d lookups", o.Lookups), o.Lookups, func(u string, http bool) string {
		return LookupsConfig(u, o.Lookups, http)
	}); err != nil {
		return nil, err
	}
	if err := addAPI(JobsKey, fmt.Sprintf("%s jobs", thousands(o.Jobs)), o.Jobs, func(u string, http bool) string {
		return JobsConfig(u, (o.Jobs+RecipePageSize-1)/RecipePageSize, http)
	}); err != nil {
		return nil, err
	}

	out, err := runner.Run(ctx, work, mainConfig, nil, "version")
	if err != nil {
		return nil, err
	}
	res.CLIVersion, _, _ = strings.Cut(strings.TrimSpace(out.Output), "\n")
	o.progress("CLI: %s (%s)", res.CLIVersion, o.CLI)

	// Warm-up: the floor once, then each case once through the launcher,
	// which is also when processes, peak RSS and requests per process are
	// recorded. None of these is timed.
	if _, err := runner.Plan(ctx, floorDir, mainConfig); err != nil {
		return nil, err
	}
	for i, c := range res.Cases {
		record := filepath.Join(work, fmt.Sprintf("probe-%d.jsonl", i))
		standIn.Reset()
		env := append(slices.Clone(c.env), EnvLaunchExec+"="+c.binary, EnvLaunchRecord+"="+record)
		cfg := probeConfig
		if c.Recipe {
			cfg = recipeProbeConfig
			env = append(env, EnvLaunchHTTPExec+"="+httpBinary)
		}
		if _, err := runner.Plan(ctx, c.dir, cfg, env...); err != nil {
			return nil, fmt.Errorf("probe plan of %s: %w", c.Name, err)
		}
		procs, err := ReadProcessRecords(record)
		if err != nil {
			return nil, err
		}
		for _, p := range procs {
			if p.Provider == HTTPProviderBinaryName {
				c.Probe.HTTPProcesses = append(c.Probe.HTTPProcesses, p)
			} else {
				c.Probe.Processes = append(c.Probe.Processes, p)
			}
		}
		c.Probe.RequestsPerProcess, c.Probe.Unattributed = AttributeRequests(c.Probe.Processes, standIn.Arrivals())
		c.Probe.APIRequests, c.Probe.APIBytes = standIn.APIRequests(), standIn.APIBytes()
		o.progress("probe  %-60s %d provider processes, CPU %s, token requests per process %v, peak RSS %s",
			c.Name, len(c.Probe.Processes), ms(c.Probe.CPU()), c.Probe.RequestsPerProcess, rssList(c.Probe.Processes))
		if c.API != "" {
			o.progress("       %-60s %d API requests, %d response bytes; http provider processes %d, CPU %s, peak RSS %s",
				"", c.Probe.APIRequests, c.Probe.APIBytes, len(c.Probe.HTTPProcesses), ms(c.Probe.HTTPCPU()), rssList(c.Probe.HTTPProcesses))
		}
	}

	// Timed rounds. Every case is preceded by a floor plan, and the order
	// of the cases turns by one each round, so that a slow patch of the
	// machine lands on different cases.
	plan := func(c *Case) error {
		standIn.Reset()
		r, err := runner.Plan(ctx, c.dir, c.cliConfig, c.env...)
		if err != nil {
			return err
		}
		n := standIn.TokenRequests()
		c.Walls = append(c.Walls, r.Wall)
		c.CPUs = append(c.CPUs, r.CPU)
		c.TokenRequests = append(c.TokenRequests, n)
		c.APIRequests = append(c.APIRequests, standIn.APIRequests())
		c.APIBytes = append(c.APIBytes, standIn.APIBytes())
		o.progress("  %-60s wall %7s  cpu %7s  token requests %d", c.Name, r.Wall.Round(time.Millisecond), r.CPU.Round(time.Millisecond), n)
		return nil
	}
	for round := range o.Rounds {
		o.progress("round %d of %d", round+1, o.Rounds)
		for k := range res.Cases {
			c := res.Cases[(k+round)%len(res.Cases)]
			if err := plan(res.Floor); err != nil {
				return nil, err
			}
			if err := plan(c); err != nil {
				return nil, err
			}
		}
	}
	res.Finished = time.Now()
	res.LoadAfter = LoadAverage()
	return res, nil
}

func tokensName(n, ephemerals int) string {
	s := fmt.Sprintf("%d token data source", n)
	if n != 1 {
		s += "s"
	}
	if ephemerals > 0 {
		s += fmt.Sprintf(" + %d ephemeral", ephemerals)
	}
	return s
}

// GoCommand is the go tool: GOROOT/bin/go when `go run` or `make` set
// GOROOT, else go on PATH.
func GoCommand() string {
	if root := os.Getenv("GOROOT"); root != "" {
		if p := filepath.Join(root, "bin", "go"); fileExists(p) {
			return p
		}
	}
	return "go"
}

func goBuild(ctx context.Context, root, out string, args ...string) error {
	cmd := exec.CommandContext(ctx, GoCommand(), append(append([]string{"build"}, args...), "-o", out, ".")...)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, b)
	}
	return nil
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

func copyExecutable(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func writeConfig(work, name, content string) (string, error) {
	dir := filepath.Join(work, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(content), 0o644)
}

// writeCLIConfig writes a CLI configuration that takes this provider from
// pluginDir and, when httpDir is set, hashicorp/http from httpDir.
func writeCLIConfig(work, name, pluginDir, httpDir string) (string, error) {
	p := filepath.Join(work, name+".tfrc")
	return p, os.WriteFile(p, []byte(CLIConfig(pluginDir, httpDir)), 0o644)
}

// CLIConfig is acctest.CLIConfig(pluginDir), with a dev_overrides entry
// for hashicorp/http in httpDir when that is set.
func CLIConfig(pluginDir, httpDir string) string {
	if httpDir == "" {
		return acctest.CLIConfig(pluginDir)
	}
	return fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n    %q = %q\n  }\n  direct {}\n}\n",
		acctest.ProviderSource, pluginDir, HTTPProviderSource, httpDir)
}

// DescribeBinary is a provider binary's size and what its build
// information says of its module and Go version.
func DescribeBinary(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if fi.IsDir() || fi.Mode()&0o111 == 0 {
		return "", fmt.Errorf("%s is not an executable file", path)
	}
	desc := fmt.Sprintf("%s (%d bytes)", FormatBytes(fi.Size()), fi.Size())
	if bi, err := buildinfo.ReadFile(path); err == nil {
		desc += fmt.Sprintf(", module %s %s, built with %s", bi.Main.Path, bi.Main.Version, bi.GoVersion)
	}
	return desc, nil
}

// thousands writes n with commas: 12,345.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
