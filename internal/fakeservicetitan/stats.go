package fakeservicetitan

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
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
		Jobs:              s.jobCount(),
	}
}

// jobCount is how many jobs the lists and the export hold now.
func (s *Server) jobCount() int {
	c := s.collections[jobsCollection]
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.log.records()
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

// APIRequest describes a request an API route received: the method, the
// path, and the names (never the values) of its query parameters, so that
// a test can assert what a client sent without the log holding anything
// secret. Operation and Undefined say which operation of the catalogue the
// request was and which of its query names that operation does not define
// (ServiceTitan ignores those without a word, which hides a client's
// typo); both are empty for a path the catalogue does not know.
type APIRequest struct {
	Method string
	// Path is the escaped path, without the query.
	Path string
	// Query names the query parameters in the order they were sent, each
	// once.
	Query     []string
	Operation string
	Undefined []string
}

// maxAPILog bounds APIRequestLog as maxTokenLog does the token log.
const maxAPILog = 10000

// noteAPIRequest records r on arrival, before faults and authorization,
// so that every request a client made is there.
func (s *Server) noteAPIRequest(r *http.Request) {
	rec := APIRequest{Method: r.Method, Path: r.URL.EscapedPath()}
	seen := map[string]bool{}
	for part := range strings.SplitSeq(r.URL.RawQuery, "&") {
		name, _, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if name != "" && !seen[name] {
			seen[name] = true
			rec.Query = append(rec.Query, name)
		}
	}
	if op, ok := operationOf(r); ok {
		rec.Operation = op.String()
		for _, q := range rec.Query {
			if _, defined := op.QueryName(q); !defined {
				rec.Undefined = append(rec.Undefined, q)
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.apiLog) >= maxAPILog {
		s.apiLog = slices.Delete(s.apiLog, 0, len(s.apiLog)-maxAPILog+1)
	}
	s.apiLog = append(s.apiLog, rec)
}

// APIRequestLog returns the API requests since the start or the last
// Reset, oldest first; beyond the last 10,000 the oldest are dropped.
func (s *Server) APIRequestLog() []APIRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]APIRequest, len(s.apiLog))
	for i, r := range s.apiLog {
		r.Query = slices.Clone(r.Query)
		r.Undefined = slices.Clone(r.Undefined)
		out[i] = r
	}
	return out
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
// rate limits' windows, and forgets the API request log. Latencies are
// left alone, and so are jobs added by AddJobs and records changed: they
// are settings and data, not state.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenRequests, s.apiRequests, s.tokensIssued = 0, 0, 0
	s.rateLimited, s.reportRuns, s.reportLimited = 0, 0, 0
	s.last = TokenRequest{}
	s.tokenLog = nil
	s.apiLog = nil
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
