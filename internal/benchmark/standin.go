package benchmark

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

// StandIn is the stand-in ServiceTitan the plans talk to, with the demo
// credentials and an injected latency on every token request. It also
// notes when each token request arrived, so that requests can be matched
// to the provider process that made them.
type StandIn struct {
	srv  *fakeservicetitan.Server
	http *http.Server
	url  string

	mu       sync.Mutex
	arrivals []time.Time
}

// StartStandIn listens on a loopback port.
func StartStandIn(latency time.Duration) (*StandIn, error) {
	s := &StandIn{srv: fakeservicetitan.New(fakeservicetitan.Config{
		Clients: []fakeservicetitan.Client{{
			ID:     fakeservicetitan.DemoClientID,
			Secret: fakeservicetitan.DemoClientSecret,
			Tenant: fakeservicetitan.DemoTenant,
		}},
		AppKey:  fakeservicetitan.DemoAppKey,
		Latency: latency,
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	next := s.srv.Handler()
	s.http = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/connect/token" {
				s.mu.Lock()
				s.arrivals = append(s.arrivals, time.Now())
				s.mu.Unlock()
			}
			next.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	s.url = "http://" + ln.Addr().String()
	go func() { _ = s.http.Serve(ln) }()
	return s, nil
}

// URL is the auth and API root.
func (s *StandIn) URL() string { return s.url }

// Reset zeroes the stand-in's counters through its control API and forgets
// the arrival times.
func (s *StandIn) Reset(ctx context.Context) error {
	s.mu.Lock()
	s.arrivals = nil
	s.mu.Unlock()
	_, err := s.control(ctx, http.MethodPost, "reset")
	return err
}

// TokenRequests reads the token request count from the stand-in's control
// API, as any other client of the stand-in would.
func (s *StandIn) TokenRequests(ctx context.Context) (int, error) {
	st, err := s.control(ctx, http.MethodGet, "stats")
	return st.TokenRequests, err
}

// Arrivals are the times of the token requests since the last Reset.
func (s *StandIn) Arrivals() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.arrivals...)
}

func (s *StandIn) control(ctx context.Context, method, what string) (fakeservicetitan.Stats, error) {
	var st fakeservicetitan.Stats
	req, err := http.NewRequestWithContext(ctx, method, s.url+"/_stand-in/"+what, nil)
	if err != nil {
		return st, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("stand-in %s: %s", what, resp.Status)
	}
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// Close stops the stand-in.
func (s *StandIn) Close() {
	s.srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = s.http.Shutdown(ctx)
}
