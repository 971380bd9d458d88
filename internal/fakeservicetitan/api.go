package fakeservicetitan

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// The scopes the real gateway demands for reading jobs and customers;
// checking them makes a token issued with too narrow a scope fail the way it
// would in production.
const (
	jobsScope      = "tn.jpm.jobs:r"
	customersScope = "tn.crm.customers:r"
)

type apiError struct {
	Error string `json:"error"`
}

type job struct {
	ID             int64  `json:"id"`
	JobNumber      string `json:"jobNumber"`
	CustomerID     int64  `json:"customerId"`
	LocationID     int64  `json:"locationId"`
	JobStatus      string `json:"jobStatus"`
	BusinessUnitID int64  `json:"businessUnitId"`
	JobTypeID      int64  `json:"jobTypeId"`
	Priority       string `json:"priority"`
	Summary        string `json:"summary"`
	CreatedOn      string `json:"createdOn"`
}

type customer struct {
	ID        int64  `json:"id"`
	Active    bool   `json:"active"`
	Name      string `json:"name"`
	Type      string `json:"type"`
	CreatedOn string `json:"createdOn"`
}

// page is ServiceTitan's envelope for every list endpoint.
type page[T any] struct {
	Page       int  `json:"page"`
	PageSize   int  `json:"pageSize"`
	HasMore    bool `json:"hasMore"`
	TotalCount int  `json:"totalCount"`
	Data       []T  `json:"data"`
}

type jobsPage = page[job]

// Paging defaults and limits of ServiceTitan's list endpoints.
const (
	defaultPageSize = 50
	maxPageSize     = 5000
)

// sampleJobs and sampleCustomers are fixed so that tests and demos can
// compare output verbatim; the jobs belong to the customers.
func sampleJobs() []job {
	return []job{
		{
			ID: 10001, JobNumber: "10001", CustomerID: 20001, LocationID: 30001,
			JobStatus: "Scheduled", BusinessUnitID: 401, JobTypeID: 501, Priority: "Normal",
			Summary: "Annual furnace maintenance", CreatedOn: "2024-01-15T14:30:00Z",
		},
		{
			ID: 10002, JobNumber: "10002", CustomerID: 20002, LocationID: 30002,
			JobStatus: "Scheduled", BusinessUnitID: 401, JobTypeID: 502, Priority: "High",
			Summary: "No cooling on second floor", CreatedOn: "2024-01-16T09:05:00Z",
		},
	}
}

func sampleCustomers() []customer {
	return []customer{
		{ID: 20001, Active: true, Name: "Avery Johnson", Type: "Residential", CreatedOn: "2023-11-02T16:20:00Z"},
		{ID: 20002, Active: true, Name: "Northwind Offices", Type: "Commercial", CreatedOn: "2023-12-07T10:45:00Z"},
		{ID: 20003, Active: false, Name: "Riley Chen", Type: "Residential", CreatedOn: "2024-01-03T08:10:00Z"},
	}
}

// paginate cuts one page out of all according to the page and pageSize
// query parameters, or writes a 400 naming the bad parameter. A page past
// the end is empty, as on ServiceTitan.
func paginate[T any](w http.ResponseWriter, r *http.Request, all []T) (page[T], bool) {
	number, ok := queryInt(w, r, "page", 1, 1, math.MaxInt32)
	if !ok {
		return page[T]{}, false
	}
	size, ok := queryInt(w, r, "pageSize", defaultPageSize, 1, maxPageSize)
	if !ok {
		return page[T]{}, false
	}
	out := page[T]{Page: number, PageSize: size, TotalCount: len(all), Data: []T{}}
	start := (number - 1) * size
	if start < len(all) {
		end := min(start+size, len(all))
		out.Data = all[start:end]
		out.HasMore = end < len(all)
	}
	return out, true
}

func queryInt(w http.ResponseWriter, r *http.Request, name string, def, lo, hi int) (int, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		writeJSON(w, http.StatusBadRequest, apiError{fmt.Sprintf("%s must be an integer from %d to %d", name, lo, hi)})
		return 0, false
	}
	return n, true
}

func (s *Server) countAPI() {
	s.mu.Lock()
	s.apiRequests++
	s.mu.Unlock()
}

func (s *Server) handleJobs(w http.ResponseWriter, r *http.Request) {
	serveList(s, w, r, jobsScope, sampleJobs())
}

func (s *Server) handleCustomers(w http.ResponseWriter, r *http.Request) {
	serveList(s, w, r, customersScope, sampleCustomers())
}

// serveList answers a list endpoint the way the gateway does: method, then
// credentials, then paging.
func serveList[T any](s *Server, w http.ResponseWriter, r *http.Request, scope string, all []T) {
	s.countAPI()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, apiError{"method not allowed"})
		return
	}
	if !s.authorize(w, r, scope) {
		return
	}
	if p, ok := paginate(w, r, all); ok {
		writeJSON(w, http.StatusOK, p)
	}
}

// authorize applies the gateway's checks in the order a client would fix
// them: who you are (token), which app you are (app key), then what you may
// touch (tenant, scope). It writes the error response itself.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, scope string) bool {
	unauthorized := func(msg string) bool {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, apiError{msg})
		return false
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeJSON(w, http.StatusUnauthorized, apiError{"missing Authorization header"})
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
	case err != nil:
		return unauthorized("invalid access token")
	}

	// Never echo the app key back: it is a credential too.
	appKey := r.Header.Get("ST-App-Key")
	if appKey == "" {
		writeJSON(w, http.StatusUnauthorized, apiError{"missing ST-App-Key header"})
		return false
	}
	if s.cfg.AppKey != "" && appKey != s.cfg.AppKey {
		writeJSON(w, http.StatusUnauthorized, apiError{"invalid ST-App-Key"})
		return false
	}

	if tenant := r.PathValue("tenant"); tenant != claims.Tenant {
		writeJSON(w, http.StatusForbidden, apiError{"access token is not valid for tenant " + tenant})
		return false
	}
	if !contains(claims.Scope, scope) {
		writeJSON(w, http.StatusForbidden, apiError{"access token lacks scope " + scope})
		return false
	}
	return true
}

func (s *Server) handleNotFound(w http.ResponseWriter, _ *http.Request) {
	s.countAPI()
	writeJSON(w, http.StatusNotFound, apiError{"not found"})
}
