package benchmark

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

// StandInOptions shape the stand-in ServiceTitan of a run.
type StandInOptions struct {
	// Latency is added to every token request, APILatency to every API
	// request.
	Latency, APILatency time.Duration
	// Jobs is how many jobs the job list holds; zero keeps the samples.
	Jobs int
}

// StandIn is the stand-in ServiceTitan the plans talk to, with the demo
// credentials and an injected latency on every token and API request. It
// also notes when each token request arrived, so that requests can be
// matched to the provider process that made them, and counts the bytes of
// the API answers it sends.
type StandIn struct {
	srv  *fakeservicetitan.Server
	http *http.Server
	url  string

	mu       sync.Mutex
	arrivals []time.Time
	apiBytes atomic.Int64
}

// StartStandIn listens on a loopback port. The stand-in's own limit of API
// requests per second is off: it counts per tenant across every process,
// and the benchmark's plans follow each other closer than any team's do.
// The provider keeps its own pace whatever the stand-in allows.
func StartStandIn(o StandInOptions) (*StandIn, error) {
	s := &StandIn{srv: fakeservicetitan.New(fakeservicetitan.Config{
		Clients: []fakeservicetitan.Client{{
			ID:     fakeservicetitan.DemoClientID,
			Secret: fakeservicetitan.DemoClientSecret,
			Tenant: fakeservicetitan.DemoTenant,
		}},
		AppKey:       fakeservicetitan.DemoAppKey,
		Latency:      o.Latency,
		APILatency:   o.APILatency,
		APIRateLimit: -1,
		Jobs:         o.Jobs,
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	next := s.srv.Handler()
	s.http = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.URL.Path == "/connect/token":
				s.mu.Lock()
				s.arrivals = append(s.arrivals, time.Now())
				s.mu.Unlock()
			case !strings.HasPrefix(r.URL.Path, "/_stand-in/"):
				w = &countingWriter{ResponseWriter: w, n: &s.apiBytes}
			}
			next.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	s.url = "http://" + ln.Addr().String()
	go func() { _ = s.http.Serve(ln) }()
	return s, nil
}

// countingWriter adds the body bytes written through it to n.
type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.ResponseWriter.Write(b)
	c.n.Add(int64(n))
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// URL is the auth and API root.
func (s *StandIn) URL() string { return s.url }

// Reset zeroes the stand-in's counters and forgets the arrival times.
func (s *StandIn) Reset() {
	s.mu.Lock()
	s.arrivals = nil
	s.mu.Unlock()
	s.apiBytes.Store(0)
	s.srv.Reset()
}

// TokenRequests counts the token requests since the last Reset.
func (s *StandIn) TokenRequests() int { return s.srv.Stats().TokenRequests }

// APIRequests counts the API requests since the last Reset.
func (s *StandIn) APIRequests() int { return s.srv.Stats().APIRequests }

// APIBytes counts the body bytes of the API answers since the last Reset.
func (s *StandIn) APIBytes() int64 { return s.apiBytes.Load() }

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
