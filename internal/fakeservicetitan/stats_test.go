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
