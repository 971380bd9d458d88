package fakeservicetitan

import (
	"net/http"
	"time"
)

// Fault overrides how the token endpoint, or an API route, answers one
// request. Queued faults are consumed one per request to their endpoint, in
// arrival order, whatever the request looks like (a GET consumes one too),
// so tests can count on the sequence.
type Fault struct {
	// Status 0 means no override: after Delay the request is answered
	// normally (Headers are still added). A 3xx with a Location header
	// makes a redirect, which a client must refuse to follow with its
	// credentials.
	Status int
	// Headers are set on the response, e.g. {"Retry-After": "2"}.
	Headers map[string]string
	Body    string
	// ContentType defaults to "application/json" when Body is set.
	ContentType string
	// Delay is waited before answering. It ends early when the client gives
	// up or the Server closes.
	Delay time.Duration
	// Hang never answers: the request ends only when the client gives up or
	// the Server closes.
	Hang bool
	// Repeat keeps the fault at the head of its queue, so it answers every
	// later request too (a throttled or broken server) and faults queued
	// after it are never reached. Reset removes it.
	Repeat bool
}

// InjectTokenFaults appends faults to the token endpoint's queue.
func (s *Server) InjectTokenFaults(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = appendFaults(s.faults, f)
}

// InjectAPIFaults appends faults to the API routes' queue, which every API
// request (list, export, report data, or an unknown path) draws from
// before it is authorized.
func (s *Server) InjectAPIFaults(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiFaults = appendFaults(s.apiFaults, f)
}

func appendFaults(queue, f []Fault) []Fault {
	for _, x := range f {
		if x.Headers != nil {
			h := make(map[string]string, len(x.Headers))
			for k, v := range x.Headers {
				h[k] = v
			}
			x.Headers = h
		}
		queue = append(queue, x)
	}
	return queue
}

// takeFault removes the head of queue, unless it repeats, and returns it;
// nil when the queue is empty. The caller holds s.mu.
func takeFault(queue *[]Fault) *Fault {
	if len(*queue) == 0 {
		return nil
	}
	f := (*queue)[0]
	if !f.Repeat {
		*queue = (*queue)[1:]
	}
	return &f
}

// await waits the latency and then the fault's delay or hang, if any. An
// error means the request must not be answered.
func (s *Server) await(r *http.Request, latency time.Duration, fault *Fault) error {
	err := s.sleep(r.Context(), latency)
	if err == nil && fault != nil {
		err = s.sleep(r.Context(), fault.Delay)
		if err == nil && fault.Hang {
			err = s.hang(r.Context())
		}
	}
	return err
}

// SetLatency changes the delay added before answering each token request.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Latency returns the current token-request latency.
func (s *Server) Latency() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.latency
}

// SetAPILatency changes the delay added before answering each API request.
func (s *Server) SetAPILatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiLatency = d
}

// APILatency returns the current API-request latency.
func (s *Server) APILatency() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.apiLatency
}

// answeredByFault waits out latency and fault's delay, sets the fault's
// headers, and reports whether the fault answered the request itself, or
// the client left while it waited; either way the handler is done.
func (s *Server) answeredByFault(w http.ResponseWriter, r *http.Request, latency time.Duration, fault *Fault) bool {
	if err := s.await(r, latency, fault); err != nil {
		abortIfClosed(err)
		return true // the client is gone; nobody is left to answer
	}
	if fault == nil {
		return false
	}
	for k, v := range fault.Headers {
		w.Header().Set(k, v)
	}
	if fault.Status != 0 {
		writeFault(w, fault)
		return true
	}
	return false
}
