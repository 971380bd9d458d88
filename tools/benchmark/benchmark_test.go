package benchmark

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// These tests cover the parsing, counting and reporting; they time nothing.

func TestTokensConfigTalksToTheStandIn(t *testing.T) {
	cfg := TokensConfig("http://127.0.0.1:1234", 20, 5)
	for _, want := range []string{`auth_root_url = "http://127.0.0.1:1234"`, `source = "servicetitan-tf/servicetitan"`,
		`data "servicetitan_auth_token" "d19"`, `ephemeral "servicetitan_auth_token" "e4"`} {
		if !strings.Contains(cfg, want) {
			t.Errorf("config lacks %s:\n%s", want, cfg)
		}
	}
	if strings.Contains(FloorConfig(), "servicetitan") {
		t.Error("the floor must not use the provider")
	}
}

func TestAPIConfigsMakeTheSameReads(t *testing.T) {
	const root = "http://127.0.0.1:1234"
	ours, recipe := LookupsConfig(root, 20, false), LookupsConfig(root, 20, true)
	for _, want := range []string{`data "servicetitan_api_request" "lookup"`, "count     = 20", "page_size = count.index % 4 + 1",
		"[for r in data.servicetitan_api_request.lookup : jsondecode(r.response_body).data[0].id]"} {
		if !strings.Contains(ours, want) {
			t.Errorf("lookups lack %s:\n%s", want, ours)
		}
	}
	for _, want := range []string{`source = "hashicorp/http"`, `data "servicetitan_auth_token" "this" {}`, `data "http" "lookup"`, "count = 20",
		"${data.servicetitan_auth_token.this.api_root_url}/settings/v2/tenant/${data.servicetitan_auth_token.this.tenant_id}/business-units?pageSize=${count.index % 4 + 1}",
		"request_headers = data.servicetitan_auth_token.this.headers", "self.status_code == 200", "[for r in data.http.lookup :"} {
		if !strings.Contains(recipe, want) {
			t.Errorf("the recipe's lookups lack %s:\n%s", want, recipe)
		}
	}
	if strings.Contains(ours, "hashicorp/http") || strings.Contains(ours, "auth_token") {
		t.Errorf("our lookups use the recipe's pieces:\n%s", ours)
	}
	jobs, jobsRecipe := JobsConfig(root, 3, false), JobsConfig(root, 3, true)
	if !strings.Contains(jobs, "all_pages = true") || !strings.Contains(jobs, "length(jsondecode(data.servicetitan_api_request.jobs.items_json))") {
		t.Errorf("jobs:\n%s", jobs)
	}
	for _, want := range []string{"count = 3", "/jpm/v2/tenant/${data.servicetitan_auth_token.this.tenant_id}/jobs?page=${count.index + 1}&pageSize=5000",
		"length(flatten([for p in data.http.jobs : jsondecode(p.response_body).data]))"} {
		if !strings.Contains(jobsRecipe, want) {
			t.Errorf("the recipe's jobs lack %s:\n%s", want, jobsRecipe)
		}
	}
	for _, cfg := range []string{ours, recipe, jobs, jobsRecipe} {
		if !strings.Contains(cfg, `api_root_url  = "`+root+`"`) {
			t.Errorf("config does not talk to the stand-in:\n%s", cfg)
		}
	}
}

func TestCLIConfigOverridesBothProviders(t *testing.T) {
	if got := CLIConfig("/p", ""); strings.Contains(got, "hashicorp/http") || !strings.Contains(got, `"servicetitan-tf/servicetitan" = "/p"`) {
		t.Errorf("CLIConfig without http:\n%s", got)
	}
	got := CLIConfig("/p", "/h")
	if !strings.Contains(got, `"servicetitan-tf/servicetitan" = "/p"`) || !strings.Contains(got, `"hashicorp/http" = "/h"`) {
		t.Errorf("CLIConfig with http:\n%s", got)
	}
	for n, want := range map[int]string{7: "7", 999: "999", 1000: "1,000", 12345: "12,345", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestMedian(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	for _, c := range []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{ms(5), 5 * time.Millisecond},
		{ms(9, 1, 5), 5 * time.Millisecond},
		{ms(4, 1, 3, 2), 2500 * time.Microsecond},
	} {
		if got := Median(c.in); got != c.want {
			t.Errorf("Median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	in := ms(3, 1, 2)
	Median(in)
	if !reflect.DeepEqual(in, ms(3, 1, 2)) {
		t.Error("Median reordered its argument")
	}
	if Ratio(time.Second, 0) != 0 || Ratio(3*time.Second, 2*time.Second) != 1.5 {
		t.Error("Ratio")
	}
}

func TestParseGoBench(t *testing.T) {
	out := `goos: linux
goarch: amd64
pkg: github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan
cpu: Some CPU @ 2.00GHz
BenchmarkAuthTokenCached-2              	 5104659	       249.2 ns/op	       0 B/op	       0 allocs/op
BenchmarkRequestAuthTokenStandIn-16     	    5001	    209238 ns/op	   17082 B/op	     197 allocs/op
BenchmarkNoProcs                        	     100	        10 ns/op
--- BENCH: BenchmarkSomething
PASS
ok  	github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan	8.382s
`
	got, err := ParseGoBench(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	want := []GoBench{
		{Name: "AuthTokenCached", Procs: "2", Iterations: "5104659", Metrics: map[string]string{"ns/op": "249.2", "B/op": "0", "allocs/op": "0"}},
		{Name: "RequestAuthTokenStandIn", Procs: "16", Iterations: "5001", Metrics: map[string]string{"ns/op": "209238", "B/op": "17082", "allocs/op": "197"}},
		{Name: "NoProcs", Iterations: "100", Metrics: map[string]string{"ns/op": "10"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseGoBench:\n got %+v\nwant %+v", got, want)
	}
}

func TestAttributeRequests(t *testing.T) {
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	procs := []ProcessRecord{{Start: at(0), End: at(100)}, {Start: at(150), End: at(300)}, {Start: at(350), End: at(900)}}
	per, outside := AttributeRequests(procs, []time.Time{at(400), at(120), at(900)})
	if !reflect.DeepEqual(per, []int{0, 0, 2}) || outside != 1 {
		t.Errorf("AttributeRequests = %v, %d; want [0 0 2], 1", per, outside)
	}
}

func TestCleanEnvDropsWhatWouldSkewAPlan(t *testing.T) {
	got := CleanEnv([]string{"PATH=/bin", "TF_LOG=trace", "TF_CLI_CONFIG_FILE=/x", "SERVICETITAN_CLIENT_ID=a",
		"GOGC=off", "HOME=/h", "PLANBENCH_LAUNCH_EXEC=/y", "GOPATH=/g"})
	if want := []string{"PATH=/bin", "HOME=/h", "GOPATH=/g"}; !reflect.DeepEqual(got, want) {
		t.Errorf("CleanEnv = %v, want %v", got, want)
	}
}

func TestLauncherRecordsTheProcess(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to launch")
	}
	record := filepath.Join(t.TempDir(), "procs.jsonl")
	if code := launch(ProviderBinaryName, sh, record, []string{"-c", "exit 3"}); code != 3 {
		t.Errorf("exit code %d, want the child's 3", code)
	}
	if code := launch(ProviderBinaryName, sh, record, []string{"-c", "true"}); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	recs, err := ReadProcessRecords(record)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Provider != ProviderBinaryName || recs[0].ExitCode != 3 || recs[1].ExitCode != 0 || recs[0].PID == 0 || recs[1].End.Before(recs[1].Start) {
		t.Fatalf("records %+v", recs)
	}
	if runtime.GOOS == "linux" && recs[0].MaxRSS <= 0 {
		t.Errorf("no peak RSS recorded on Linux: %+v", recs[0])
	}
	if recs, err := ReadProcessRecords(filepath.Join(t.TempDir(), "none")); err != nil || recs != nil {
		t.Errorf("missing record file: %v, %v", recs, err)
	}
}

func sampleResults() *Results {
	proc := func(rss int64) ProcessRecord { return ProcessRecord{MaxRSS: rss << 20} }
	probe := Probe{Processes: []ProcessRecord{proc(20), proc(22), proc(26)}, RequestsPerProcess: []int{0, 0, 1}}
	c := func(n int, wall time.Duration, requests ...int) *Case {
		return &Case{Key: strconv.Itoa(n), Name: tokensName(n, 5), DataSources: n, Ephemerals: 5, Walls: []time.Duration{wall, wall},
			CPUs: []time.Duration{wall, wall}, TokenRequests: requests, Probe: probe}
	}
	warm := c(20, 360*time.Millisecond, 0, 0)
	warm.Key, warm.Variant, warm.Name = "warm", "warm token cache", warm.Name+", warm token cache"
	api := func(key, what string, recipe bool, wall time.Duration, requests int, bytes int64, rss ...int64) *Case {
		c := &Case{Key: key, API: key, What: what, Name: what + ": servicetitan_api_request", Recipe: recipe,
			Walls: []time.Duration{wall}, CPUs: []time.Duration{wall / 2}, TokenRequests: []int{1},
			APIRequests: []int{requests}, APIBytes: []int64{bytes}, Probe: Probe{APIRequests: requests, APIBytes: bytes}}
		for _, r := range rss {
			c.Probe.Processes = append(c.Probe.Processes, proc(r))
		}
		if recipe {
			c.Key, c.Name = key+RecipeSuffix, what+": the http recipe"
			c.Probe.HTTPProcesses = []ProcessRecord{proc(19), proc(19), proc(58)}
		}
		return c
	}
	return &Results{
		Machine: Machine{CPU: "Test CPU", Cores: 2, OS: "linux/amd64", GoVersion: "go1.99"},
		Rounds:  2, Latency: 50 * time.Millisecond, LDFlags: "-s -w", BinarySize: 19 << 20, CLIVersion: "Terraform v1.99.0",
		Floor: &Case{Key: FloorKey, Name: "floor", Floor: true, Walls: []time.Duration{100 * time.Millisecond}, CPUs: []time.Duration{80 * time.Millisecond}},
		Cases: []*Case{c(1, 400*time.Millisecond, 1, 1), c(20, 500*time.Millisecond, 1, 2), c(100, 700*time.Millisecond, 1, 1), warm,
			api(LookupsKey, "20 lookups", false, 800*time.Millisecond, 20, 3584, 20, 21, 28),
			api(LookupsKey, "20 lookups", true, 1000*time.Millisecond, 20, 3584, 20, 21, 22),
			api(JobsKey, "12,345 jobs", false, 2000*time.Millisecond, 3, 3<<20, 20, 21, 26)},
		APILatency: 50 * time.Millisecond, HTTPProvider: "17.8 MiB",
	}
}

func TestParseTargets(t *testing.T) {
	got, err := ParseTargets("20/floor=5.5, warm/1=0.95")
	want := []Target{{Case: "20", Base: "floor", Max: 5.5, decimals: 1}, {Case: "warm", Base: "1", Max: 0.95, decimals: 2}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParseTargets = %+v, %v; want %+v", got, err, want)
	}
	for _, bad := range []string{"20=5.5", "20/floor", "/floor=1", "20/floor=fast", "20/floor=0"} {
		if _, err := ParseTargets(bad); err == nil {
			t.Errorf("ParseTargets(%q) accepted", bad)
		}
	}
}

func TestRenderAndWriteGenerated(t *testing.T) {
	targets, err := ParseTargets("20/floor=4.9,100/20=1.5,warm/1=0.95,20/9=1")
	if err != nil {
		t.Fatal(err)
	}
	apiTargets, err := ParseTargets("lookups/lookups-http=0.85,jobs/jobs-http=1.0")
	if err != nil {
		t.Fatal(err)
	}
	md := Render(sampleResults(), Targets{Plans: targets, API: apiTargets, RSSOverResponse: 3, TokenRequestsPerPlan: 1}, []GoBench{
		{Name: "AuthTokenCached", Metrics: map[string]string{"ns/op": "249.2", "B/op": "0", "allocs/op": "0"}},
	})
	for _, want := range []string{"Test CPU, 2 cores", "Terraform v1.99.0",
		"| the 20-token plan within 4.9× the floor | 5.00× (500 ms against 100 ms) | **MISS** |",
		"| the 100-token plan within 1.5× the 20-token plan | 1.40× (700 ms against 500 ms) | **PASS** |",
		// One more decimal than the target has.
		"| the 20-token plan (warm token cache) within 0.95× the 1-token plan | 0.900× (360 ms against 400 ms) | **PASS** |",
		"| 20/9=1 | not planned in this run | — |",
		"| 20 token data sources + 5 ephemeral | 500 ms |", "| 1–2 |", "**26.0 MiB** (20.0, 22.0, 26.0)", "0, 0, 1",
		"| 20 token data sources + 5 ephemeral, warm token cache | 360 ms | 3.60× | 360 ms | 0 ms | -28% | -28% |", "| 0 (every run) |",
		"| AuthTokenCached | 249.2 |",
		"50ms on every API request", "| http provider | 17.8 MiB |",
		"| 20 lookups with servicetitan_api_request within 0.85× the http recipe | 0.800× (800 ms against 1000 ms) | **PASS** |",
		"| jobs/jobs-http=1 | not planned in this run | — |",
		"| the provider process reading 12,345 jobs: peak RSS within its idle RSS plus 3× the response bytes | peak 26.0 MiB = idle 20.0 MiB + 6.0 MiB, 2.00× the 3.0 MiB of responses | **PASS** |",
		"| 1 token request per plan in every API case | 1 in every timed plan of the 3 cases | **PASS** |",
		"| 20 lookups: servicetitan_api_request | 800 ms | 800–800 ms | 0.80× | 400 ms | 0.80× | 0 ms | 3 | 1 (every run) | 20 | 3.5 KiB | **28.0 MiB** (20.0, 21.0, 28.0) |",
		"| 3 + 3 http |", "; http **58.0 MiB** (19.0, 19.0, 58.0) |",
		"| 12,345 jobs: servicetitan_api_request | 2000 ms | 2000–2000 ms | — |"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "| 20 lookups: servicetitan_api_request | 800 ms | 800–800 ms | 2") {
		t.Error("an API case is in the table of the token cases")
	}

	// Without the recipe: our side stands alone, with a line saying why.
	res := sampleResults()
	res.HTTPProvider = ""
	res.Cases = slices.DeleteFunc(res.Cases, func(c *Case) bool { return c.Recipe })
	md = Render(res, Targets{API: apiTargets, RSSOverResponse: 3, TokenRequestsPerPlan: 1}, nil)
	for _, want := range []string{"not planned in this run: no `-http-provider`", "| lookups/lookups-http=0.85 | not planned in this run (no -http-provider) | — |",
		"| 20 lookups: servicetitan_api_request | 800 ms | 800–800 ms | — |", "peak 26.0 MiB = idle 20.0 MiB", "in every timed plan of the 2 cases"} {
		if !strings.Contains(md, want) {
			t.Errorf("report without the recipe lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "| http provider |") {
		t.Error("the report describes an http provider that was not used")
	}

	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	if err := WriteGenerated(path, "first"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	withNotes := strings.Replace(string(b), GeneratedBegin, "Notes before.\n\n"+GeneratedBegin, 1) + "\nNotes after.\n"
	if err := os.WriteFile(path, []byte(withNotes), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteGenerated(path, "second"); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(path)
	s := string(b)
	if strings.Contains(s, "first") || !strings.Contains(s, "second") || !strings.Contains(s, "Notes before.") || !strings.Contains(s, "Notes after.") ||
		strings.Count(s, GeneratedBegin) != 1 || strings.Count(s, GeneratedEnd) != 1 {
		t.Errorf("regenerated file:\n%s", s)
	}
}

// The benchmark's own go.mod sits between its package and the provider's:
// FindRepoRoot must pass over it to the provider's module root.
func TestFindRepoRootSkipsTheBenchmarkModule(t *testing.T) {
	if IsRepoRoot(".") {
		t.Fatal("the benchmark's directory taken for the provider's module root")
	}
	got, err := FindRepoRoot(filepath.Join("cmd", "planbench"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("FindRepoRoot = %s, want %s", got, want)
	}
	if _, err := FindRepoRoot(t.TempDir()); err == nil {
		t.Error("a directory outside the repository has a provider module root")
	}
}
