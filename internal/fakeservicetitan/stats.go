package fakeservicetitan

import (
	"net/url"
	"time"
)

// Stats is what the Server has counted since it started or was last Reset,
// read at one instant; it is also the body of GET /_stand-in/stats.
type Stats struct {
	TokenRequests int   `json:"token_requests"`
	APIRequests   int   `json:"api_requests"`
	TokensIssued  int   `json:"tokens_issued"`
	PendingFaults int   `json:"pending_faults"`
	LatencyMS     int64 `json:"latency_ms"`
	// RateLimited counts API requests refused with 429 by the per-tenant
	// limit of requests per second.
	RateLimited int `json:"rate_limited"`
	// ReportRuns counts report data answered; ReportRunsLimited those
	// refused with 429 by the limit on runs of one report per minute.
	ReportRuns        int   `json:"report_runs"`
	ReportRunsLimited int   `json:"report_runs_limited"`
	PendingAPIFaults  int   `json:"pending_api_faults"`
	APILatencyMS      int64 `json:"api_latency_ms"`
	// Jobs is how many jobs the lists and the export hold now.
	Jobs int `json:"jobs"`
}

// Stats returns all counters at one instant, which separate getters cannot.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{
		TokenRequests:     s.tokenRequests,
		APIRequests:       s.apiRequests,
		TokensIssued:      s.tokensIssued,
		PendingFaults:     len(s.faults),
		LatencyMS:         s.latency.Milliseconds(),
		RateLimited:       s.rateLimited,
		ReportRuns:        s.reportRuns,
		ReportRunsLimited: s.reportLimited,
		PendingAPIFaults:  len(s.apiFaults),
		APILatencyMS:      s.apiLatency.Milliseconds(),
		Jobs:              s.jobs,
	}
}

// TokenRequests is Stats().TokenRequests: every request to /connect/token,
// including failed and faulted ones. It is the one count nearly every test
// of a client reads on its own.
func (s *Server) TokenRequests() int { return s.Stats().TokenRequests }

// TokenRequest describes a request the token endpoint received. The
// submitted secret is deliberately absent: tests assert on what the client
// sent, and a recorded secret would be one more place for it to leak from.
type TokenRequest struct {
	Method      string
	ContentType string
	UserAgent   string
	GrantType   string
	ClientID    string
	// Tenant is the form's tenant field, which Enterprise Hub apps send.
	Tenant string
	// SecretMatched reports whether client_secret matched the registered
	// secret of ClientID.
	SecretMatched bool
	// Form is the posted form without client_secret. It is empty when the
	// body was not a form.
	Form url.Values
}

// maxTokenLog bounds TokenRequestLog, so a stand-in left running under a
// benchmark does not grow without end.
const maxTokenLog = 10000

// LastTokenRequest returns the most recent token request, recorded on
// arrival so that even a request stuck in a Hang fault is visible.
func (s *Server) LastTokenRequest() TokenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last.clone()
}

// TokenRequestLog returns the token requests since the start or the last
// Reset, oldest first, recorded on arrival like LastTokenRequest; beyond
// the last 10,000 the oldest are dropped. Tests of several credential sets
// read from it which client asked for which tenant, and in what order.
func (s *Server) TokenRequestLog() []TokenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TokenRequest, len(s.tokenLog))
	for i, tr := range s.tokenLog {
		out[i] = tr.clone()
	}
	return out
}

func (tr TokenRequest) clone() TokenRequest {
	tr.Form = cloneValues(tr.Form)
	return tr
}

// LastIssuedToken returns the access token of the most recent successful
// token response, or "" if none.
func (s *Server) LastIssuedToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastToken
}

// Reset zeroes the counters, forgets the token requests and the last token,
// drops queued token and API faults, forgets revocations and empties the
// rate limits' windows. Latencies are left alone, and so are jobs added by
// AddJobs: they are settings and data, not state.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenRequests, s.apiRequests, s.tokensIssued = 0, 0, 0
	s.rateLimited, s.reportRuns, s.reportLimited = 0, 0, 0
	s.last = TokenRequest{}
	s.tokenLog = nil
	s.lastToken = ""
	s.faults, s.apiFaults = nil, nil
	s.revoked = nil
	s.apiWindows = make(map[string][]time.Time)
	s.reportWindows = make(map[string][]time.Time)
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
