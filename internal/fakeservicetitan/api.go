package fakeservicetitan

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The scopes the real gateway demands for reading jobs and customers;
// checking them makes a token issued with too narrow a scope fail the way it
// would in production. Every other operation needs a scope of its own at
// ServiceTitan (tn.settings.business-units:r, a reporting scope, ...), but
// the stand-in does not ask for them: they are not in DefaultScopes, and
// granting them there would change the scope every existing token, test
// and example reports.
const (
	jobsScope      = "tn.jpm.jobs:r"
	customersScope = "tn.crm.customers:r"
	noScope        = ""
)

// apiError is the body of the control API's errors. The control API is the
// stand-in's own, so it keeps its simple shape; API routes answer Problem.
type apiError struct {
	Error string `json:"error"`
}

// page is ServiceTitan's envelope for every list endpoint. TotalCount is a
// pointer because ServiceTitan sends null unless asked for the count, and
// a client must not take that null for zero.
type page[T any] struct {
	Page       int  `json:"page"`
	PageSize   int  `json:"pageSize"`
	HasMore    bool `json:"hasMore"`
	TotalCount *int `json:"totalCount"`
	Data       []T  `json:"data"`
}

type jobsPage = page[job]

// defaultPageSize is the pageSize of a list request that names none; the
// largest a list takes is its operation's catalogue.Operation.PageSizeCap.
const defaultPageSize = 50

// paging is what a list request asks for: page and pageSize, and whether
// the answer should count the records.
type paging struct {
	number, size int
	withTotal    bool
}

// parsePaging reads the page, pageSize and includeTotal query parameters,
// pageSize defaulting to def and at most limit, or writes a 400 naming the
// bad one.
func parsePaging(w http.ResponseWriter, q url.Values, def, limit int) (paging, bool) {
	number, ok := queryInt(w, q, "page", 1, 1, math.MaxInt32)
	if !ok {
		return paging{}, false
	}
	size, ok := queryInt(w, q, "pageSize", def, 1, limit)
	if !ok {
		return paging{}, false
	}
	withTotal, ok := queryBool(w, q, "includeTotal")
	return paging{number, size, withTotal}, ok
}

// cut makes the page p asks for out of the n records that at returns by
// position. A page past the end is empty, as on ServiceTitan, unless
// endless is set: then pages repeat the data from the start and there is
// always more.
func cut[T any](p paging, n int, at func(int) T, endless bool) page[T] {
	out := page[T]{Page: p.number, PageSize: p.size, Data: []T{}}
	if p.withTotal {
		out.TotalCount = &n
	}
	start := (p.number - 1) * p.size
	if endless {
		out.HasMore = true
		if n == 0 {
			return out
		}
		pages := (n + p.size - 1) / p.size
		start = ((p.number - 1) % pages) * p.size
	}
	if start < n {
		end := min(start+p.size, n)
		out.Data = make([]T, 0, end-start)
		for i := start; i < end; i++ {
			out.Data = append(out.Data, at(i))
		}
		out.HasMore = out.HasMore || end < n
	}
	return out
}

func queryInt(w http.ResponseWriter, q url.Values, name string, def, lo, hi int) (int, bool) {
	v := q.Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		writeInvalid(w, name, fmt.Sprintf("%s must be an integer from %d to %d", name, lo, hi))
		return 0, false
	}
	return n, true
}

// queryBool reads a flag the way ASP.NET binds one: true or false in any
// case, absent meaning false.
func queryBool(w http.ResponseWriter, q url.Values, name string) (bool, bool) {
	switch v := q.Get(name); {
	case v == "" || strings.EqualFold(v, "false"):
		return false, true
	case strings.EqualFold(v, "true"):
		return true, true
	default:
		writeInvalid(w, name, name+" must be true or false")
		return false, false
	}
}

// api wraps an API route with what the gateway does before any route's own
// work: count the request, then apply latency and the next queued API
// fault. Faults come before authorization because a proxy or gateway in
// trouble answers whatever the request carries.
func (s *Server) api(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.noteAPIRequest(r)
		s.mu.Lock()
		s.apiRequests++
		fault := takeFault(&s.apiFaults)
		latency := s.apiLatency
		s.mu.Unlock()
		if s.answeredByFault(w, r, latency, fault) {
			return
		}
		next(w, r)
	}
}

// allowMethods writes a 405 unless the request uses one of methods.
func allowMethods(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	writeProblem(w, http.StatusMethodNotAllowed, "method not allowed", nil)
	return false
}

// admit authorizes the request and then counts it against its tenant's
// rate limit. Only authorized requests count: ServiceTitan limits an app
// on a tenant, and a request it cannot tie to both is no app's.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, scope string) bool {
	if !s.authorize(w, r, scope) {
		return false
	}
	limit, ok := s.allowRequest(r.PathValue("tenant"))
	if !ok {
		w.Header().Set("Retry-After", "1")
		writeProblem(w, http.StatusTooManyRequests,
			fmt.Sprintf("rate limit exceeded: at most %d requests per second per tenant", limit), nil)
	}
	return ok
}

// allowRequest counts one request against tenant's budget for the last
// second of the server clock and reports whether it fits. A sliding
// window, so that a burst of more than the limit within any one second is
// refused wherever the second boundaries fall.
func (s *Server) allowRequest(tenant string) (limit int, ok bool) {
	limit = s.cfg.APIRateLimit
	switch {
	case limit < 0:
		return limit, true
	case limit == 0:
		limit = DefaultAPIRateLimit
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	times := dropBefore(s.apiWindows[tenant], now.Add(-time.Second))
	if len(times) >= limit {
		s.apiWindows[tenant] = times
		s.rateLimited++
		return limit, false
	}
	s.apiWindows[tenant] = append(times, now)
	return limit, true
}

// dropBefore removes the times at or before cutoff from the front of
// times, which is in arrival order.
func dropBefore(times []time.Time, cutoff time.Time) []time.Time {
	i := 0
	for i < len(times) && !times[i].After(cutoff) {
		i++
	}
	return times[i:]
}

// authorize applies the gateway's checks in the order a client would fix
// them: who you are (token), which app you are (app key), then what you may
// touch (tenant, scope). It writes the error response itself. An empty
// scope means the route needs none beyond a valid token for the tenant.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, scope string) bool {
	unauthorized := func(msg string) bool {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeProblem(w, http.StatusUnauthorized, msg, nil)
		return false
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeProblem(w, http.StatusUnauthorized, "missing Authorization header", nil)
		return false
	}
	// The scheme is matched exactly: a client should send the canonical
	// "Bearer ", and being strict here catches one that does not.
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || tok == "" {
		return unauthorized("Authorization header must be \"Bearer <access token>\"")
	}
	claims, err := s.VerifyToken(tok)
	switch {
	case errors.Is(err, ErrTokenExpired):
		return unauthorized("access token expired")
	case errors.Is(err, ErrTokenRevoked):
		return unauthorized("access token revoked")
	case err != nil:
		return unauthorized("invalid access token")
	}

	// Never echo the app key back: it is a credential too.
	appKey := r.Header.Get("ST-App-Key")
	if appKey == "" {
		writeProblem(w, http.StatusUnauthorized, "missing ST-App-Key header", nil)
		return false
	}
	if want := s.appKeyFor(claims.ClientID); want != "" && appKey != want {
		writeProblem(w, http.StatusUnauthorized, "invalid ST-App-Key", nil)
		return false
	}

	if tenant := r.PathValue("tenant"); tenant != claims.Tenant {
		writeProblem(w, http.StatusForbidden, "access token is not valid for tenant "+tenant, nil)
		return false
	}
	if scope != noScope && !contains(claims.Scope, scope) {
		writeProblem(w, http.StatusForbidden, "access token lacks scope "+scope, nil)
		return false
	}
	return true
}

// appKeyFor is the app key that goes with tokens of clientID. A minted
// token may name a client the Server does not know; it gets the Config's.
func (s *Server) appKeyFor(clientID string) string {
	if c, ok := s.clients[clientID]; ok && c.AppKey != "" {
		return c.AppKey
	}
	return s.cfg.AppKey
}

func (s *Server) handleNotFound(w http.ResponseWriter, _ *http.Request) {
	writeProblem(w, http.StatusNotFound, "not found", nil)
}
