package benchmark

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
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

func sampleResults() *Results {
	proc := func(rss int64) ProcessRecord { return ProcessRecord{MaxRSS: rss << 20} }
	probe := Probe{Processes: []ProcessRecord{proc(20), proc(22), proc(26)}, RequestsPerProcess: []int{0, 0, 1}}
	c := func(n int, wall time.Duration, requests ...int) *Case {
		return &Case{Key: strconv.Itoa(n), Name: tokensName(n, 5), DataSources: n, Ephemerals: 5, Walls: []time.Duration{wall, wall},
			CPUs: []time.Duration{wall, wall}, TokenRequests: requests, Probe: probe}
	}
	warm := c(20, 360*time.Millisecond, 0, 0)
	warm.Key, warm.Variant, warm.Name = "warm", "warm token cache", warm.Name+", warm token cache"
	return &Results{
		Machine: Machine{CPU: "Test CPU", Cores: 2, OS: "linux/amd64", GoVersion: "go1.99"},
		Rounds:  2, Latency: 50 * time.Millisecond, LDFlags: "-s -w", BinarySize: 19 << 20, CLIVersion: "Terraform v1.99.0",
		Floor: &Case{Key: FloorKey, Name: "floor", Floor: true, Walls: []time.Duration{100 * time.Millisecond}, CPUs: []time.Duration{80 * time.Millisecond}},
		Cases: []*Case{c(1, 400*time.Millisecond, 1, 1), c(20, 500*time.Millisecond, 1, 2), c(100, 700*time.Millisecond, 1, 1), warm},
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
	md := Render(sampleResults(), targets, []GoBench{
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
		"| AuthTokenCached | 249.2 |"} {
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
