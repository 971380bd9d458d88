package fakeservicetitan

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestFaultsConsumedInOrder(t *testing.T) {
	s := startServer(t, nil)
	s.InjectTokenFaults(
		Fault{Status: 503, Headers: map[string]string{"Retry-After": "2"}, Body: `{"error":"temporarily_unavailable"}`},
		Fault{Status: 502, Body: HTMLBody, ContentType: "text/html"},
		Fault{Status: 200, Body: TruncatedJSON()},
		Fault{Status: 200, Body: MissingAccessTokenBody},
		Fault{Status: 429},
		Fault{Headers: map[string]string{"X-Stand-In": "passed-through"}},
	)
	if s.Stats().PendingFaults != 6 {
		t.Fatalf("PendingFaults %d", s.Stats().PendingFaults)
	}
	check := func(status int, ct string, hdr, val string, bodyCheck func([]byte) bool) {
		t.Helper()
		r := postToken(t, s.URL(), goodForm())
		if r.status != status {
			t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
		}
		if ct != "" && r.header.Get("Content-Type") != ct {
			t.Errorf("Content-Type %q, want %q", r.header.Get("Content-Type"), ct)
		}
		if hdr != "" && r.header.Get(hdr) != val {
			t.Errorf("%s = %q, want %q", hdr, r.header.Get(hdr), val)
		}
		if bodyCheck != nil && !bodyCheck(r.body) {
			t.Errorf("unexpected body %q", r.body)
		}
	}
	check(503, "application/json", "Retry-After", "2", func(b []byte) bool { return string(b) == `{"error":"temporarily_unavailable"}` })
	check(502, "text/html", "", "", func(b []byte) bool { return strings.Contains(string(b), "502 Bad Gateway") })
	check(200, "application/json", "", "", func(b []byte) bool { return !json.Valid(b) && strings.HasPrefix(string(b), `{"access_token":"ey`) })
	check(200, "application/json", "", "", func(b []byte) bool { return string(b) == MissingAccessTokenBody })
	check(429, "", "", "", func(b []byte) bool { return len(b) == 0 })
	check(200, "", "X-Stand-In", "passed-through", func(b []byte) bool { return jsonField(t, b, "access_token") != nil })
	check(200, "", "", "", func(b []byte) bool { return jsonField(t, b, "access_token") != nil })

	if st := s.Stats(); st.TokenRequests != 7 || st.TokensIssued != 2 || st.PendingFaults != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestRepeatedFaultAnswersEveryRequestUntilReset(t *testing.T) {
	s := startServer(t, nil)
	s.InjectTokenFaults(
		Fault{Status: 429, Headers: map[string]string{"Retry-After": "3600"}, Repeat: true},
		Fault{Status: 500},
	)
	for i := range 3 {
		r := postToken(t, s.URL(), goodForm())
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "3600" {
			t.Fatalf("request %d: status %d Retry-After %q, want 429 and 3600", i+1, r.status, r.header.Get("Retry-After"))
		}
	}
	if got := s.Stats().PendingFaults; got != 2 {
		t.Errorf("PendingFaults %d, want both faults still queued", got)
	}
	s.Reset()
	if r := postToken(t, s.URL(), goodForm()); r.status != http.StatusOK {
		t.Errorf("after Reset: status %d: %s", r.status, r.body)
	}
}

func TestLatencyAndDelay(t *testing.T) {
	s := startServer(t, func(c *Config) { c.Latency = 80 * time.Millisecond })
	start := time.Now()
	getToken(t, s)
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("configured latency: answered after %s", d)
	}

	s.SetLatency(0)
	s.InjectTokenFaults(Fault{Delay: 100 * time.Millisecond})
	start = time.Now()
	getToken(t, s)
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("delay fault: answered after %s", d)
	}

	// A client deadline must cut the wait short, and the server must then
	// answer the next request normally.
	s.SetLatency(5 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+"/connect/token", strings.NewReader(goodForm().Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	start = time.Now()
	if resp, err := httpClient.Do(req); err == nil {
		drain(resp)
		t.Fatal("expected the client deadline to fire")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancelled request took %s", d)
	}
	s.SetLatency(0)
	getToken(t, s)
}

func TestHangEndsWhenClientGivesUp(t *testing.T) {
	s := startServer(t, nil)
	s.InjectTokenFaults(Fault{Hang: true})
	c := &http.Client{Timeout: 150 * time.Millisecond}
	start := time.Now()
	resp, err := c.PostForm(s.URL()+"/connect/token", goodForm())
	if err == nil {
		drain(resp)
		t.Fatal("hang fault answered")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("hang outlived the client timeout: %s", d)
	}
	if !s.LastTokenRequest().SecretMatched {
		t.Error("hung request was not recorded on arrival")
	}
	getToken(t, s)
}

func TestAPIFaultsComeBeforeAuthorization(t *testing.T) {
	s := startServer(t, nil)
	tok := getToken(t, s)
	cut := `{"page":1,"pageSize":50,"hasMore":false,"totalCount":null,"data":[{"id":10001,"jobNum`
	s.InjectAPIFaults(
		Fault{Status: 503, Headers: map[string]string{"Retry-After": "2"}},
		Fault{Status: 502, Body: HTMLBody, ContentType: "text/html"},
		Fault{Status: 200, Body: cut},
		Fault{Status: 302, Headers: map[string]string{"Location": "https://elsewhere.example/steal"}},
		Fault{Headers: map[string]string{"X-Stand-In": "passed-through"}},
	)
	path := "/jpm/v2/tenant/" + testTenant + "/jobs"
	noRedirects := &http.Client{
		Timeout:       5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	call := func(token string) response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, s.URL()+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		req.Header.Set("ST-App-Key", testAppKey)
		resp, err := noRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		return response{resp.StatusCode, resp.Header, b}
	}

	// No token at all: the faults still answer, as a broken gateway would.
	if r := call(""); r.status != 503 || r.header.Get("Retry-After") != "2" {
		t.Errorf("fault 1: %d Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	if r := call(tok); r.status != 502 || r.header.Get("Content-Type") != "text/html" || string(r.body) != HTMLBody {
		t.Errorf("fault 2: %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	if r := call(tok); r.status != 200 || json.Valid(r.body) || string(r.body) != cut {
		t.Errorf("fault 3: %d %s", r.status, r.body)
	}
	if r := call(tok); r.status != 302 || r.header.Get("Location") != "https://elsewhere.example/steal" {
		t.Errorf("fault 4: %d Location %q", r.status, r.header.Get("Location"))
	}
	if r := call(tok); r.status != 200 || r.header.Get("X-Stand-In") != "passed-through" || jsonField(t, r.body, "data") == nil {
		t.Errorf("fault 5: %d %v %s", r.status, r.header, r.body)
	}
	if r := call(""); r.status != 401 {
		t.Errorf("after the faults: %d, want the normal 401", r.status)
	}
	if st := s.Stats(); st.APIRequests != 6 || st.PendingAPIFaults != 0 || st.TokenRequests != 1 {
		t.Errorf("stats %+v, want 6 API requests counted, faulted ones too", st)
	}
}

func TestAPIAndTokenFaultsAreSeparate(t *testing.T) {
	s := startServer(t, nil)
	s.InjectAPIFaults(Fault{Status: 500, Repeat: true})
	tok := getToken(t, s) // the token endpoint is unaffected
	s.InjectTokenFaults(Fault{Status: 429})
	for range 3 {
		if r := getList(t, s, "/crm/v2/tenant/"+testTenant+"/customers", tok, nil); r.status != 500 {
			t.Errorf("repeating API fault: %d", r.status)
		}
	}
	// Unknown routes are API requests too and draw the fault.
	if r := getList(t, s, "/nowhere", tok, nil); r.status != 500 {
		t.Errorf("unknown route: %d", r.status)
	}
	if st := s.Stats(); st.PendingAPIFaults != 1 || st.PendingFaults != 1 {
		t.Errorf("stats %+v: the API requests took the token fault, or the reverse", st)
	}
	s.Reset()
	if r := getList(t, s, "/crm/v2/tenant/"+testTenant+"/customers", tok, nil); r.status != 200 {
		t.Errorf("after Reset: %d", r.status)
	}
}

func TestAPILatencyAndHang(t *testing.T) {
	s := startServer(t, func(c *Config) { c.APILatency = 80 * time.Millisecond })
	tok := getToken(t, s)
	path := "/jpm/v2/tenant/" + testTenant + "/job-types"
	start := time.Now()
	if r := getList(t, s, path, tok, nil); r.status != 200 || time.Since(start) < 80*time.Millisecond {
		t.Errorf("configured API latency: %d after %s", r.status, time.Since(start))
	}
	if s.Latency() != 0 {
		t.Error("API latency changed the token latency")
	}

	s.SetAPILatency(0)
	s.InjectAPIFaults(Fault{Delay: 100 * time.Millisecond}, Fault{Hang: true})
	start = time.Now()
	if r := getList(t, s, path, tok, nil); r.status != 200 || time.Since(start) < 100*time.Millisecond {
		t.Errorf("delay fault: %d after %s", r.status, time.Since(start))
	}
	c := &http.Client{Timeout: 150 * time.Millisecond}
	start = time.Now()
	if resp, err := c.Get(s.URL() + path); err == nil {
		drain(resp)
		t.Fatal("hang fault answered")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("hang outlived the client timeout: %s", d)
	}
	if r := getList(t, s, path, tok, nil); r.status != 200 {
		t.Errorf("after the hang: %d", r.status)
	}
}
