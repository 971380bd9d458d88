package fakeservicetitan

import "time"

// Fault overrides how the token endpoint answers one request. Queued faults
// are consumed one per token request, in arrival order, whatever the request
// looks like (a GET consumes one too), so tests can count on the sequence.
type Fault struct {
	// Status 0 means no override: after Delay the request is answered
	// normally (Headers are still added).
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
	// Repeat keeps the fault at the head of the queue, so it answers every
	// later token request too (a throttled or broken identity server) and
	// faults queued after it are never reached. Reset removes it.
	Repeat bool
}

// InjectTokenFaults appends faults to the queue.
func (s *Server) InjectTokenFaults(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range f {
		if x.Headers != nil {
			h := make(map[string]string, len(x.Headers))
			for k, v := range x.Headers {
				h[k] = v
			}
			x.Headers = h
		}
		s.faults = append(s.faults, x)
	}
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
