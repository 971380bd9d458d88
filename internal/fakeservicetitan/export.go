package fakeservicetitan

import (
	"encoding/base64"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// exportBatch is ServiceTitan's envelope for export endpoints.
type exportBatch[T any] struct {
	Data         []T    `json:"data"`
	HasMore      bool   `json:"hasMore"`
	ContinueFrom string `json:"continueFrom"`
}

// The stand-in only ever appends records, so a position in the append
// order is all an export needs to resume: what lies behind it is what
// changed since. The token names its export too, so that a token from the
// jobs export sent to the customers export is refused rather than misread.
func exportToken(entity string, pos int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(entity + ":" + strconv.Itoa(pos)))
}

func parseExportToken(entity, tok string, n int) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	name, num, ok := strings.Cut(string(b), ":")
	if !ok || name != entity {
		return 0, false
	}
	pos, err := strconv.Atoi(num)
	// A position past the end comes from a Server with more data; reading
	// on from there would silently skip records.
	if err != nil || pos < 0 || pos > n || num != strconv.Itoa(pos) {
		return 0, false
	}
	return pos, true
}

// AddJobs appends n jobs with the next ids, as a tenant's new work would
// arrive, so that an export resumed from an earlier continueFrom returns
// them and nothing else. Reset leaves them: they are data, not state.
func (s *Server) AddJobs(n int) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs += n
}

func (s *Server) handleExportJobs(w http.ResponseWriter, r *http.Request) {
	serveExport(s, w, r, jobsScope, "jobs", s.jobCount(), s.data.job)
}

func (s *Server) handleExportCustomers(w http.ResponseWriter, r *http.Request) {
	serveExport(s, w, r, customersScope, "customers", s.data.customers, s.data.customer)
}

// serveExport answers one batch of an export from the position that the
// from parameter names; empty means from the start. includeRecentChanges
// is accepted and changes nothing: the stand-in holds no change back.
func serveExport[T any](s *Server, w http.ResponseWriter, r *http.Request, scope, entity string, n int, at func(int) T) {
	if !allowMethods(w, r, http.MethodGet, http.MethodHead) || !s.admit(w, r, scope) {
		return
	}
	if _, ok := queryBool(w, r, "includeRecentChanges"); !ok {
		return
	}
	endless := s.cfg.EndlessLists && n > 0
	// An endless export keeps counting past its end, and its records
	// repeat: its continueFrom moves on, as a real export's does.
	limit := n
	if endless {
		limit = math.MaxInt32
	}
	pos := 0
	if from := r.URL.Query().Get("from"); from != "" {
		var ok bool
		if pos, ok = parseExportToken(entity, from, limit); !ok {
			writeInvalid(w, "from", "from is not a continueFrom token of the "+entity+" export")
			return
		}
	}
	start, end := pos, min(pos+s.cfg.ExportBatch, n)
	if endless {
		start %= n
		end = start + min(s.cfg.ExportBatch, n-start)
	}
	out := exportBatch[T]{Data: make([]T, 0, end-start), HasMore: end < n || endless}
	for i := start; i < end; i++ {
		out.Data = append(out.Data, at(i))
	}
	if endless {
		end = pos + (end - start)
	}
	out.ContinueFrom = exportToken(entity, end)
	writeJSON(w, http.StatusOK, out)
}
