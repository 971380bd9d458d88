package benchmark

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
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
	if code := launch(sh, record, []string{"-c", "exit 3"}); code != 3 {
		t.Errorf("exit code %d, want the child's 3", code)
	}
	if code := launch(sh, record, []string{"-c", "true"}); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	recs, err := ReadProcessRecords(record)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].ExitCode != 3 || recs[1].ExitCode != 0 || recs[0].PID == 0 || recs[1].End.Before(recs[1].Start) {
		t.Fatalf("records %+v", recs)
	}
	if runtime.GOOS == "linux" && recs[0].MaxRSS <= 0 {
		t.Errorf("no peak RSS recorded on Linux: %+v", recs[0])
	}
	if recs, err := ReadProcessRecords(filepath.Join(t.TempDir(), "none")); err != nil || recs != nil {
		t.Errorf("missing record file: %v, %v", recs, err)
	}
}

func sampleResults(twenty, hundred time.Duration, requests int) *Results {
	proc := func(rss int64) ProcessRecord { return ProcessRecord{MaxRSS: rss << 20} }
	probe := Probe{Processes: []ProcessRecord{proc(20), proc(22), proc(26)}, RequestsPerProcess: []int{0, 0, 1}, TokenRequests: 1}
	c := func(n int, wall time.Duration) *Case {
		return &Case{Name: tokensName(n, 5), DataSources: n, Ephemerals: 5, Walls: []time.Duration{wall, wall}, CPUs: []time.Duration{wall, wall},
			TokenRequests: []int{requests, 1}, Probe: probe}
	}
	v := c(20, twenty+20*time.Millisecond)
	v.Variant, v.Name = "logs on", v.Name+", logs on"
	return &Results{
		Machine: Machine{CPU: "Test CPU", Cores: 2, OS: "linux/amd64", GoVersion: "go1.99"},
		Rounds:  2, Latency: 50 * time.Millisecond, LDFlags: "-s -w", BinarySize: 19 << 20, CLIVersion: "Terraform v1.99.0",
		Floor: &Case{Name: "floor", Floor: true, Walls: []time.Duration{100 * time.Millisecond}, CPUs: []time.Duration{80 * time.Millisecond}},
		Cases: []*Case{c(1, 400*time.Millisecond), c(20, twenty), c(100, hundred), v},
	}
}

func TestTargets(t *testing.T) {
	pass := Targets(sampleResults(500*time.Millisecond, 700*time.Millisecond, 1))
	if len(pass) != 3 || !pass[0].Pass || !pass[1].Pass || !pass[2].Pass {
		t.Errorf("targets met reported as %+v", pass)
	}
	miss := Targets(sampleResults(600*time.Millisecond, 1000*time.Millisecond, 2))
	if len(miss) != 3 || miss[0].Pass || miss[1].Pass || miss[2].Pass {
		t.Errorf("targets missed reported as %+v", miss)
	}
	if !strings.HasPrefix(miss[0].Measured, "6.00×") || !strings.HasPrefix(miss[1].Measured, "1.67×") {
		t.Errorf("measured ratios: %q, %q", miss[0].Measured, miss[1].Measured)
	}
}

func TestRenderAndWriteGenerated(t *testing.T) {
	md := Render(sampleResults(500*time.Millisecond, 700*time.Millisecond, 1), []GoBench{
		{Name: "AuthTokenCached", Metrics: map[string]string{"ns/op": "249.2", "B/op": "0", "allocs/op": "0"}},
	})
	for _, want := range []string{"Test CPU, 2 cores", "Terraform v1.99.0", "| 20 token data sources + 5 ephemeral | 500 ms |", "5.00×",
		"**26.0 MiB** (20.0, 22.0, 26.0)", "0, 0, 1", "**PASS**", "| 20 token data sources + 5 ephemeral, logs on | 520 ms |", "| AuthTokenCached |", "249.2"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
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

func withWarmCache(res *Results, wall time.Duration, requests ...int) *Results {
	base := res.Case(20)
	res.Cases = append(res.Cases, &Case{Name: base.Name + ", warm token cache", DataSources: 20, Ephemerals: 5, Variant: "warm token cache",
		TokenCache: true, Walls: []time.Duration{wall, wall}, CPUs: []time.Duration{wall, wall}, TokenRequests: requests, Probe: base.Probe})
	return res
}

func TestTargetsWithAWarmTokenCache(t *testing.T) {
	// The 1-token plan without the cache takes 400 ms in the sample.
	pass := Targets(withWarmCache(sampleResults(500*time.Millisecond, 700*time.Millisecond, 1), 360*time.Millisecond, 0, 0))
	if len(pass) != 5 {
		t.Fatalf("%d targets, want 5: %+v", len(pass), pass)
	}
	for _, tg := range pass {
		if !tg.Pass {
			t.Errorf("target met reported as missed: %+v", tg)
		}
	}
	if !strings.HasPrefix(pass[2].Measured, "0.900×") || !strings.HasPrefix(pass[3].Measured, "0 token request per plan") {
		t.Errorf("warm cache targets measured %q, %q", pass[2].Measured, pass[3].Measured)
	}
	if !strings.HasPrefix(pass[4].Measured, "1 token request per plan in 8 timed plans without a warm token cache") {
		t.Errorf("the warm plans' zero requests are counted against the one-request target: %q", pass[4].Measured)
	}
	slow := Targets(withWarmCache(sampleResults(500*time.Millisecond, 700*time.Millisecond, 1), 390*time.Millisecond, 0, 1))
	if slow[2].Pass || slow[3].Pass || !slow[4].Pass {
		t.Errorf("a slow warm plan with a request: %+v", slow)
	}
}

func TestRenderShowsTheTokenCache(t *testing.T) {
	md := Render(withWarmCache(sampleResults(500*time.Millisecond, 700*time.Millisecond, 1), 360*time.Millisecond, 0, 0), nil)
	for _, want := range []string{"### Token cache", "| 20 token data sources + 5 ephemeral, warm token cache | 360 ms | 3.60× | 0.90× |",
		"| 1 token data source + 5 ephemeral | 400 ms | 4.00× | 1.00× |", "0 (every run)", "Warm against cold at 20 tokens: -28% wall"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}
