package fakeservicetitan

import (
	"encoding/base64"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/catalogue"
)

// exportBatch is ServiceTitan's envelope for export endpoints.
type exportBatch[T any] struct {
	Data         []T    `json:"data"`
	HasMore      bool   `json:"hasMore"`
	ContinueFrom string `json:"continueFrom"`
}

// A continueFrom token is a position in the collection's change log, so
// an export resumed from one returns what was written since. The token
// names its export too, so that a token from the jobs export sent to the
// customers export is refused rather than misread.
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
	c := s.collections[jobsCollection]
	c.mu.Lock()
	defer c.mu.Unlock()
	c.log.add(n)
}

// jobsCollection is the key of the jobs' collection.
const jobsCollection = "jpm/jobs"

// ErrUnknownEntity is ChangeRecords' error for an entity the stand-in does
// not serve.
var ErrUnknownEntity = errors.New("fakeservicetitan: unknown entity")

// ChangeRecords modifies n records of entity now, as a tenant's users
// editing them would: their modifiedOn becomes the server's time, the
// lists show it, and an export resumed from an earlier continueFrom
// returns them (and only what else changed). Records are modified in
// turn, from the first, wrapping around. entity is "jobs", "customers",
// or FOLDER/PATH of any collection the stand-in serves, as its list or
// export is addressed ("settings/business-units", "pricebook/materials",
// "jpm/export/jobs"). Like AddJobs, Reset leaves the changes.
func (s *Server) ChangeRecords(entity string, n int) error {
	c := s.collectionNamed(entity)
	if c == nil {
		return ErrUnknownEntity
	}
	if n <= 0 {
		return nil
	}
	now := s.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	s.catchUp(c, now)
	c.log.modify(n, now)
	return nil
}

// collectionNamed finds the collection an entity names: its export's
// token name, or its folder and path as an operation of it is addressed.
func (s *Server) collectionNamed(entity string) *collection {
	entity = strings.Trim(entity, "/")
	for _, c := range s.collections {
		if strings.EqualFold(c.entity, entity) {
			return c
		}
	}
	folder, path, ok := strings.Cut(entity, "/")
	if !ok {
		return nil
	}
	for _, op := range catalogue.Operations() {
		if !servedOperation(op) || !strings.EqualFold(op.Folder, folder) || !strings.EqualFold(op.Path, path) {
			continue
		}
		key, _ := collectionKey(op)
		if c := s.collections[key]; c != nil {
			return c
		}
	}
	return nil
}

// serveExport answers one batch of an export from the position that the
// from parameter names: a continueFrom token, a date (the records written
// on or after it), or nothing (from the start). includeRecentChanges is
// accepted and changes nothing: the stand-in holds no change back.
func (s *Server) serveExport(w http.ResponseWriter, _ catalogue.Operation, q url.Values, c *collection) {
	if _, ok := queryBool(w, q, "includeRecentChanges"); !ok {
		return
	}
	fs, ok := parseFilters(w, q)
	if !ok {
		return
	}
	c.mu.Lock()
	s.catchUp(c, s.now())
	out, errMsg := s.exportBatch(c, q.Get("from"), fs)
	c.mu.Unlock()
	if errMsg != "" {
		writeInvalid(w, "from", errMsg)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// exportBatch makes the batch; the caller holds c.mu.
func (s *Server) exportBatch(c *collection, from string, fs []filter) (exportBatch[record], string) {
	end := c.log.end()
	endless := s.cfg.EndlessLists && end > 0
	// An endless export keeps counting past its end, and its records
	// repeat: its continueFrom moves on, as a real export's does.
	limit := end
	if endless {
		limit = math.MaxInt32
	}
	pos := 0
	if from != "" {
		var ok bool
		if pos, ok = parseExportToken(c.entity, from, limit); !ok {
			t, isDate := parseDate(from)
			if !isDate {
				return exportBatch[record]{}, "from is neither a continueFrom token of the " + c.entity + " export nor a date"
			}
			pos = firstWrittenSince(c, t)
		}
	}
	start := pos
	if endless {
		start %= end
	}
	xs, next := c.log.batch(start, s.cfg.ExportBatch)
	out := exportBatch[record]{Data: make([]record, 0, len(xs)), HasMore: next < end || endless}
	for _, x := range xs {
		if r := c.record(x); matchAll(fs, r) {
			out.Data = append(out.Data, r)
		}
	}
	if endless {
		next = pos + (next - start)
	}
	out.ContinueFrom = exportToken(c.entity, next)
	return out, ""
}

// firstWrittenSince is the position of the first latest write on or after
// t. The caller holds c.mu.
func firstWrittenSince(c *collection, t time.Time) int {
	for p := 0; p < c.log.end(); {
		x, ok, next := c.log.current(p)
		if ok && !writtenAt(c.record(x)).Before(t) {
			return p
		}
		p = next
	}
	return c.log.end()
}

// writtenAt is when r was last written: modifiedOn, or createdOn for the
// samples, which leave modifiedOn out.
func writtenAt(r record) time.Time {
	for _, name := range []string{"modifiedOn", "createdOn"} {
		if v, ok := r.get(name); ok {
			if s, ok := v.(string); ok {
				if t, ok := parseDate(s); ok {
					return t
				}
			}
		}
	}
	return time.Time{}
}
