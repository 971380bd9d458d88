package fakeservicetitan

import "net/url"

// Stats is what the Server has counted since it started or was last Reset,
// read at one instant; it is also the body of GET /_stand-in/stats.
type Stats struct {
	TokenRequests int   `json:"token_requests"`
	APIRequests   int   `json:"api_requests"`
	TokensIssued  int   `json:"tokens_issued"`
	PendingFaults int   `json:"pending_faults"`
	LatencyMS     int64 `json:"latency_ms"`
}

// Stats returns all counters at one instant, which separate getters cannot.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{
		TokenRequests: s.tokenRequests,
		APIRequests:   s.apiRequests,
		TokensIssued:  s.tokensIssued,
		PendingFaults: len(s.faults),
		LatencyMS:     s.latency.Milliseconds(),
	}
}

// TokenRequests is Stats().TokenRequests: every request to /connect/token,
// including failed and faulted ones. It is the one count nearly every test
// of a client reads on its own.
func (s *Server) TokenRequests() int { return s.Stats().TokenRequests }

// TokenRequest describes the last request the token endpoint received. The
// submitted secret is deliberately absent: tests assert on what the client
// sent, and a recorded secret would be one more place for it to leak from.
type TokenRequest struct {
	Method      string
	ContentType string
	UserAgent   string
	GrantType   string
	ClientID    string
	Tenant      string
	// SecretMatched reports whether client_secret matched the registered
	// secret of ClientID.
	SecretMatched bool
	// Form is the posted form without client_secret. It is empty when the
	// body was not a form.
	Form url.Values
}

// LastTokenRequest returns the most recent token request, recorded on
// arrival so that even a request stuck in a Hang fault is visible.
func (s *Server) LastTokenRequest() TokenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	tr := s.last
	tr.Form = cloneValues(s.last.Form)
	return tr
}

// LastIssuedToken returns the access token of the most recent successful
// token response, or "" if none.
func (s *Server) LastIssuedToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastToken
}

// Reset zeroes the counters, forgets the last request and token, and drops
// queued faults. Latency is left alone: it is a setting, not state.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenRequests, s.apiRequests, s.tokensIssued = 0, 0, 0
	s.last = TokenRequest{}
	s.lastToken = ""
	s.faults = nil
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
