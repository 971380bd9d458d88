package fakeservicetitan

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestConcurrentRequests(t *testing.T) {
	s := startServer(t, nil)
	const n, faults = 50, 10
	tok := getToken(t, s)
	s.Reset()
	for range faults {
		s.InjectTokenFaults(Fault{Status: 503, Headers: map[string]string{"Retry-After": "1"}})
	}
	var wg sync.WaitGroup
	statuses := make(chan int, 2*n)
	for range n {
		wg.Go(func() {
			resp, err := httpClient.PostForm(s.URL()+"/connect/token", goodForm())
			if err != nil {
				t.Error(err)
				return
			}
			drain(resp)
			statuses <- resp.StatusCode
			_ = s.LastTokenRequest()
		})
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, s.URL()+"/jpm/v2/tenant/"+testTenant+"/jobs", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("ST-App-Key", testAppKey)
			resp, err := httpClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			drain(resp)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("jobs status %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for st := range statuses {
		count[st]++
	}
	if count[503] != faults || count[200] != n-faults {
		t.Errorf("statuses %v", count)
	}
	if st := s.Stats(); st.TokenRequests != n || st.TokensIssued != n-faults || st.APIRequests != n || st.PendingFaults != 0 {
		t.Errorf("stats %+v", st)
	}
	// Busy clients leave spare connections behind; Close must not wait them out.
	start := time.Now()
	s.Close()
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("Close took %s", d)
	}
}

func TestResetClearsLimitsAndAPIState(t *testing.T) {
	clk := newTestClock()
	s := startServer(t, func(c *Config) { c.Now = clk.Now; c.APIRateLimit = 2; c.APILatency = 5 * time.Millisecond })
	tok := getToken(t, s)
	jobs := "/jpm/v2/tenant/" + testTenant + "/jobs"
	report := "/reporting/v2/tenant/" + testTenant + "/report-category/ops/reports/1/data"
	// Fill the report's minute a second apart, within the rate limit...
	for range DefaultReportRuns {
		callAPI(t, s, http.MethodPost, report, tok, nil, "")
		clk.Advance(time.Second)
	}
	// ...and this second's rate limit.
	for range 3 {
		getList(t, s, jobs, tok, nil)
	}
	s.InjectAPIFaults(Fault{Status: 500, Repeat: true})
	s.AddJobs(4)
	s.RevokeTokens()
	if st := s.Stats(); st.PendingAPIFaults != 1 || st.Jobs != 6 || st.RateLimited != 1 || st.ReportRuns != DefaultReportRuns {
		t.Fatalf("stats %+v", st)
	}
	s.Reset()

	if st := s.Stats(); st != (Stats{APILatencyMS: 5, Jobs: 6}) {
		t.Errorf("after Reset %+v, want zero counters, no faults, the latency and jobs kept", st)
	}
	if r := getList(t, s, jobs, tok, nil); r.status != http.StatusOK {
		t.Errorf("after Reset: %d %s, want the revocation, faults and windows gone", r.status, r.body)
	}
	if r := callAPI(t, s, http.MethodPost, report, tok, nil, ""); r.status != http.StatusOK {
		t.Errorf("report after Reset: %d %s", r.status, r.body)
	}
}

func TestStatsCountLimits(t *testing.T) {
	clk := newTestClock()
	s := startServer(t, func(c *Config) { c.Now = clk.Now; c.APIRateLimit = 1 })
	tok := getToken(t, s)
	report := "/reporting/v2/tenant/" + testTenant + "/report-category/ops/reports/1/data"
	for range DefaultReportRuns + 1 {
		callAPI(t, s, http.MethodPost, report, tok, nil, "")
		clk.Advance(time.Second)
	}
	getList(t, s, "/jpm/v2/tenant/"+testTenant+"/jobs", tok, nil)
	getList(t, s, "/jpm/v2/tenant/"+testTenant+"/jobs", tok, nil)
	if st := s.Stats(); st.ReportRuns != DefaultReportRuns || st.ReportRunsLimited != 1 || st.RateLimited != 1 || st.APIRequests != DefaultReportRuns+3 {
		t.Errorf("stats %+v", st)
	}
}
