package fakeservicetitan

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestControlAPI(t *testing.T) {
	s := startServer(t, nil)
	ctl := func(method, path, body string) response {
		t.Helper()
		req, _ := http.NewRequest(method, s.URL()+"/_stand-in/"+path, strings.NewReader(body))
		return do(t, req)
	}
	stats := func(r response) Stats {
		t.Helper()
		if r.status != 200 {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		var st Stats
		if err := json.Unmarshal(r.body, &st); err != nil {
			t.Fatal(err)
		}
		return st
	}

	getToken(t, s)
	getJobs(t, s.URL(), testTenant, nil)
	if st := stats(ctl("GET", "stats", "")); st.TokenRequests != 1 || st.TokensIssued != 1 || st.APIRequests != 1 {
		t.Errorf("stats %+v", st)
	}

	faults := `[{"status":503,"headers":{"Retry-After":"3"},"body":"{\"error\":\"busy\"}"},
	            {"status":502,"preset":"html"},
	            {"delay_ms":30}]`
	if st := stats(ctl("POST", "faults", faults)); st.PendingFaults != 3 {
		t.Errorf("after faults %+v", st)
	}
	r := postToken(t, s.URL(), goodForm())
	if r.status != 503 || r.header.Get("Retry-After") != "3" || string(r.body) != `{"error":"busy"}` {
		t.Errorf("fault 1: %d %v %s", r.status, r.header, r.body)
	}
	r = postToken(t, s.URL(), goodForm())
	if r.status != 502 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || string(r.body) != HTMLBody {
		t.Errorf("fault 2: %d %v %s", r.status, r.header, r.body)
	}
	start := time.Now()
	if r = postToken(t, s.URL(), goodForm()); r.status != 200 || time.Since(start) < 30*time.Millisecond {
		t.Errorf("fault 3: %d after %s", r.status, time.Since(start))
	}

	if st := stats(ctl("POST", "latency?ms=40", "")); st.LatencyMS != 40 || s.Latency() != 40*time.Millisecond {
		t.Errorf("latency %+v", st)
	}
	s.InjectTokenFaults(Fault{Status: 500})
	if st := stats(ctl("POST", "reset", "")); st.TokenRequests != 0 || st.APIRequests != 0 || st.TokensIssued != 0 ||
		st.PendingFaults != 0 || st.LatencyMS != 40 {
		t.Errorf("after reset %+v", st)
	}
	if s.LastTokenRequest().ClientID != "" || s.LastIssuedToken() != "" {
		t.Error("reset kept the last request")
	}

	bad := []struct{ method, path, body string }{
		{"POST", "faults", `{"status":503}`},
		{"POST", "faults", `[{"status":42}]`},
		{"POST", "faults", `[{"delay":100}]`},
		{"POST", "faults", `[{"preset":"nope"}]`},
		{"POST", "faults", `[{"preset":"html","body":"x"}]`},
		{"POST", "faults", `[{"status":503},{"delay_ms":-1}]`},
		{"POST", "latency?ms=-5", ""},
		{"POST", "latency", ""},
	}
	for _, b := range bad {
		if r := ctl(b.method, b.path, b.body); r.status != 400 || jsonField(t, r.body, "error") == nil {
			t.Errorf("%s %s %s: %d %s", b.method, b.path, b.body, r.status, r.body)
		}
	}
	if s.Stats().PendingFaults != 0 {
		t.Error("a rejected fault list was partly queued")
	}
	for _, m := range []struct{ method, path string }{{"GET", "faults"}, {"GET", "reset"}, {"POST", "stats"}, {"GET", "latency?ms=1"}} {
		if r := ctl(m.method, m.path, ""); r.status != 405 {
			t.Errorf("%s %s: %d", m.method, m.path, r.status)
		}
	}
	if r := ctl("GET", "nope", ""); r.status != 404 {
		t.Errorf("unknown control endpoint: %d", r.status)
	}
	if st := s.Stats(); st.TokenRequests != 0 || st.APIRequests != 0 {
		t.Errorf("control requests were counted: %+v", st)
	}
}

func TestControlAPIForTheAPIRoutes(t *testing.T) {
	s := startServer(t, nil)
	ctl := func(method, path, body string) response {
		t.Helper()
		req, _ := http.NewRequest(method, s.URL()+"/_stand-in/"+path, strings.NewReader(body))
		return do(t, req)
	}
	tok := getToken(t, s)
	jobs := "/jpm/v2/tenant/" + testTenant + "/jobs"

	if r := ctl("POST", "api-faults", `[{"status":503,"headers":{"Retry-After":"4"}},{"status":302,"headers":{"Location":"https://elsewhere.example/"}},{"status":502,"preset":"html"}]`); r.status != 200 {
		t.Fatalf("api-faults: %d %s", r.status, r.body)
	}
	if st := s.Stats(); st.PendingAPIFaults != 3 || st.PendingFaults != 0 {
		t.Errorf("stats %+v, want 3 API faults and no token faults", st)
	}
	if r := getList(t, s, jobs, tok, nil); r.status != 503 || r.header.Get("Retry-After") != "4" {
		t.Errorf("API fault 1: %d %v", r.status, r.header)
	}
	noRedirects := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirects.Get(s.URL() + jobs)
	if err != nil {
		t.Fatal(err)
	}
	drain(resp)
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "https://elsewhere.example/" {
		t.Errorf("API fault 2: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if r := getList(t, s, jobs, tok, nil); r.status != 502 || string(r.body) != HTMLBody {
		t.Errorf("API fault 3: %d %s", r.status, r.body)
	}

	if r := ctl("POST", "revoke", ""); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if r := getList(t, s, jobs, tok, nil); r.status != 401 || errorOf(t, r.body) != "access token revoked" {
		t.Errorf("after revoke: %d %s", r.status, r.body)
	}
	tok = getToken(t, s)

	if r := ctl("POST", "add-jobs?n=3", ""); r.status != 200 || jsonField(t, r.body, "jobs") != float64(5) {
		t.Errorf("add-jobs: %d %s", r.status, r.body)
	}
	if r := ctl("POST", "api-latency?ms=60", ""); r.status != 200 || s.APILatency() != 60*time.Millisecond {
		t.Errorf("api-latency: %d %s", r.status, r.body)
	}
	start := time.Now()
	if r := getList(t, s, jobs, tok, url.Values{"includeTotal": {"true"}}); r.status != 200 || jsonField(t, r.body, "totalCount") != float64(5) ||
		time.Since(start) < 60*time.Millisecond {
		t.Errorf("jobs after add-jobs and api-latency: %d after %s: %s", r.status, time.Since(start), r.body)
	}

	for _, b := range []struct{ path, body string }{
		{"api-faults", `{"status":503}`},
		{"api-faults", `[{"status":42}]`},
		{"api-faults", `[{"delay":100}]`},
		{"api-faults", `[{"status":503},{"preset":"nope"}]`},
		{"revoke", `{"client_id":"cid"}`},
		{"add-jobs", ""},
		{"add-jobs?n=0", ""},
		{"add-jobs?n=many", ""},
		{"api-latency?ms=-1", ""},
	} {
		r := ctl("POST", b.path, b.body)
		if msg, _ := jsonField(t, r.body, "error").(string); r.status != 400 || msg == "" {
			t.Errorf("POST %s %s: %d %s, want 400 with an error", b.path, b.body, r.status, r.body)
		}
	}
	if st := s.Stats(); st.PendingAPIFaults != 0 || st.Jobs != 5 {
		t.Errorf("a refused control request changed something: %+v", st)
	}
	for _, path := range []string{"api-faults", "revoke", "add-jobs?n=1", "api-latency?ms=1"} {
		if r := ctl("GET", path, ""); r.status != 405 {
			t.Errorf("GET %s: %d", path, r.status)
		}
	}
}

// A field of the wrong type is answered with a 400 that names the field and
// what it holds, not Go's unmarshalling message.
func TestControlFaultFieldOfTheWrongType(t *testing.T) {
	srv := startServer(t, nil)
	resp, err := http.Post(srv.URL()+"/_stand-in/faults", "application/json", strings.NewReader(`[{"status":503,"repeat":2}]`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `field \"repeat\" must be true or false, not a JSON number`) {
		t.Errorf("got %d %s", resp.StatusCode, body)
	}
}
