package benchmark

import (
	"context"
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

// Reset zeroes the stand-in's counters and forgets the arrival times.
func (s *StandIn) Reset() {
	s.mu.Lock()
	s.arrivals = nil
	s.mu.Unlock()
	s.srv.Reset()
}

// TokenRequests counts the token requests since the last Reset.
func (s *StandIn) TokenRequests() int { return s.srv.Stats().TokenRequests }

// Arrivals are the times of the token requests since the last Reset.
func (s *StandIn) Arrivals() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.arrivals...)
}

// Close stops the stand-in.
func (s *StandIn) Close() {
	s.srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = s.http.Shutdown(ctx)
}
