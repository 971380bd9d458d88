package fakeservicetitan

import (
	"errors"
	"net/http"
	"strings"
)

// jobsScope is what the real gateway demands for reading jobs; checking it
// makes a token issued with too narrow a scope fail the way it would in
// production.
const jobsScope = "tn.jpm.jobs:r"

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

type jobsPage struct {
	Page       int   `json:"page"`
	PageSize   int   `json:"pageSize"`
	HasMore    bool  `json:"hasMore"`
	TotalCount int   `json:"totalCount"`
	Data       []job `json:"data"`
}

// sampleJobs is fixed so that tests and demos can compare output verbatim.
func sampleJobs() jobsPage {
	return jobsPage{
		Page:       1,
		PageSize:   50,
		HasMore:    false,
		TotalCount: 2,
		Data: []job{
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
		},
	}
}

func (s *Server) countAPI() {
	s.mu.Lock()
	s.apiRequests++
	s.mu.Unlock()
}

func (s *Server) handleJobs(w http.ResponseWriter, r *http.Request) {
	s.countAPI()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, apiError{"method not allowed"})
		return
	}
	if !s.authorize(w, r, jobsScope) {
		return
	}
	writeJSON(w, http.StatusOK, sampleJobs())
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
