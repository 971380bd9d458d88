package fakeservicetitan

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/catalogue"
)

// The stand-in answers every GET operation of the catalogue, and the one
// other read (POST dispatch capacity), with records of its kind. An
// operation's records come from its collection: what its path names once
// an export's "export" and an object's trailing id are taken off, so that
// jpm's jobs, export/jobs and jobs/{id} all serve the same jobs.

// collection is one kind of record and the log of its changes.
type collection struct {
	key string
	// entity names the collection in its export's continueFrom tokens;
	// jobs and customers keep the names their tokens always had.
	entity string
	scope  string
	base   func(i int) record

	// mu guards log. Answers are built under it, so that a page is one
	// state of the collection; other collections are not held up.
	mu  sync.Mutex
	log *changeLog
}

// record is record i as it is now: its modifiedOn moved by its latest
// change. The caller holds c.mu.
func (c *collection) record(i int) record {
	r := c.base(i)
	if at, ok := c.log.modifiedAt(i); ok {
		r = r.with("modifiedOn", at.UTC().Format(isoSeconds))
	}
	return r
}

// collectionKey is the collection an operation serves, as
// "folder/segment/{}/segment" in lower case, and a label for its records.
func collectionKey(op catalogue.Operation) (key, label string) {
	segs := strings.Split(strings.Trim(op.Path, "/"), "/")
	if op.Kind == catalogue.Object && len(segs) > 1 && catalogue.IsTemplate(segs[len(segs)-1]) {
		segs = segs[:len(segs)-1]
	}
	switch {
	case op.Kind == catalogue.Export && len(segs) > 1 && strings.EqualFold(segs[0], "export"):
		segs = segs[1:]
	case op.Kind == catalogue.Export && len(segs) > 1 && strings.EqualFold(segs[len(segs)-1], "export"):
		segs = segs[:len(segs)-1]
	}
	out := make([]string, len(segs))
	for i, s := range segs {
		if catalogue.IsTemplate(s) {
			out[i] = "{}"
		} else {
			out[i] = strings.ToLower(s)
			label = s
		}
	}
	return strings.ToLower(op.Folder) + "/" + strings.Join(out, "/"), label
}

// servedOperation reports whether the stand-in answers op: every GET, and
// the POST reads.
func servedOperation(op catalogue.Operation) bool {
	return op.Method == http.MethodGet || op.ReadsByPost()
}

// newCollections makes every collection the served operations name, with
// jobs, customers, business units and job types from the data set and
// every other one synthetic.
func newCollections(d dataSet, jobs int) map[string]*collection {
	queries := map[string][]string{}
	labels := map[string]string{}
	var order []string
	for _, op := range catalogue.Operations() {
		if !servedOperation(op) || op.Kind == catalogue.Report {
			continue
		}
		key, label := collectionKey(op)
		if _, ok := labels[key]; !ok {
			order = append(order, key)
			labels[key] = label
		}
		queries[key] = append(queries[key], op.Query...)
	}
	out := make(map[string]*collection, len(order))
	for _, key := range order {
		c := &collection{key: key, entity: key, scope: noScope}
		n := 0
		switch key {
		case "jpm/jobs":
			c.entity, c.scope, n = "jobs", jobsScope, jobs
			c.base = func(i int) record { return d.job(i).record() }
		case "crm/customers":
			c.entity, c.scope, n = "customers", customersScope, d.customers
			c.base = func(i int) record { return d.customer(i).record() }
		case "settings/business-units":
			n = len(businessUnits)
			c.base = func(i int) record { u := businessUnits[i]; return settingRecord(u.ID, u.Name, u.Active, i) }
		case "jpm/job-types":
			n = len(jobTypes)
			c.base = func(i int) record {
				t := jobTypes[i]
				return settingRecord(t.ID, t.Name, t.Active, i+len(businessUnits))
			}
		default:
			sy := newSynthetic(key, labels[key], queries[key])
			n = sy.count
			c.base = func(i int) record { return d.syntheticRecord(sy, i) }
		}
		c.log = newChangeLog(n)
		out[key] = c
	}
	return out
}

// apiPath splits an API path into folder, version, tenant and the
// endpoint below the tenant.
func apiPath(p string) (folder, version, tenant, endpoint string, ok bool) {
	segs := strings.SplitN(strings.TrimPrefix(p, "/"), "/", 5)
	if len(segs) != 5 || !strings.EqualFold(segs[2], "tenant") || segs[0] == "" || segs[1] == "" || segs[3] == "" || segs[4] == "" {
		return "", "", "", "", false
	}
	return segs[0], segs[1], segs[3], strings.TrimSuffix(segs[4], "/"), true
}

// operationOf is the catalogue's operation for r, if it has one; HEAD is
// GET's.
func operationOf(r *http.Request) (catalogue.Operation, bool) {
	folder, version, _, endpoint, ok := apiPath(r.URL.Path)
	if !ok {
		return catalogue.Operation{}, false
	}
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	return catalogue.Find(folder, version, method, endpoint)
}

// handleCatalogue answers every API path that no route of its own serves.
// Unknown paths are 404 and known ones read with a method the stand-in
// does not serve (writes) 405, both before authorization, as the
// gateway's routing comes first.
func (s *Server) handleCatalogue(w http.ResponseWriter, r *http.Request) {
	folder, version, tenant, endpoint, ok := apiPath(r.URL.Path)
	if !ok {
		s.handleNotFound(w, r)
		return
	}
	op, found := operationOf(r)
	if !found || !servedOperation(op) || op.Kind == catalogue.Report && op.Method == http.MethodPost {
		if get, ok := catalogue.Find(folder, version, http.MethodGet, endpoint); ok {
			allowMethods(w, r, allowed(get)...)
			return
		}
		s.handleNotFound(w, r)
		return
	}
	key, _ := collectionKey(op)
	c := s.collections[key]
	if op.Kind == catalogue.Report {
		c = nil
	}
	scope := noScope
	if c != nil {
		scope = c.scope
	}
	r.SetPathValue("tenant", tenant)
	if !s.admit(w, r, scope) {
		return
	}
	if op.Method == http.MethodPost {
		// A POST read's body says what to read (for capacity, which days
		// and technicians); the stand-in's answer is the same for any.
		_, _ = io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, maxReportBody))
	}
	q := boundQuery(op, r.URL.Query())
	switch op.Kind {
	case catalogue.List:
		s.serveList(w, op, q, c)
	case catalogue.Export:
		s.serveExport(w, op, q, c)
	case catalogue.Array, catalogue.DataArray:
		s.serveAll(w, op, q, c)
	case catalogue.Object:
		s.serveObject(w, op, c, endpoint)
	case catalogue.Report:
		s.serveValueSet(w, op, q, endpoint)
	default:
		// Files (attachments, recordings, images): the stand-in has none
		// to give, and an empty 200 is what a client that only checks the
		// call succeeds needs.
		w.WriteHeader(http.StatusOK)
	}
}

// allowed is what the Allow header of a 405 on op's path lists.
func allowed(get catalogue.Operation) []string {
	if get.Kind == catalogue.None {
		return []string{http.MethodGet}
	}
	return []string{http.MethodGet, http.MethodHead}
}

// boundQuery keeps the query parameters op defines, under op's own
// spelling: ServiceTitan binds them without regard to case and ignores
// the rest without a word.
func boundQuery(op catalogue.Operation, raw url.Values) url.Values {
	out := url.Values{}
	for k, vs := range raw {
		if name, ok := op.QueryName(k); ok {
			out[name] = append(out[name], vs...)
		}
	}
	return out
}

// catchUp applies the steady rate of change (Config.ExportChanges records
// a minute, counted from the server's start) to c. The caller holds c.mu.
func (s *Server) catchUp(c *collection, now time.Time) {
	rate := s.cfg.ExportChanges
	if rate <= 0 {
		return
	}
	due := int(int64(now.Sub(s.started)) * int64(rate) / int64(time.Minute))
	if due > c.log.steady {
		c.log.modify(due-c.log.steady, now)
		c.log.steady = due
	}
}

// selectRecords returns the records of c that pass the filters, by
// position, or nil and the count when no filter applies, so that an
// unfiltered page of millions of jobs costs only its own records. The
// caller holds c.mu.
func selectRecords(c *collection, fs []filter) (positions []int, n int) {
	n = c.log.records()
	if len(fs) == 0 {
		return nil, n
	}
	positions = []int{}
	for i := range n {
		if matchAll(fs, c.record(i)) {
			positions = append(positions, i)
		}
	}
	return positions, len(positions)
}

func (s *Server) serveList(w http.ResponseWriter, op catalogue.Operation, q url.Values, c *collection) {
	p, ok := parsePaging(w, q, defaultPageSize, op.PageSizeCap())
	if !ok {
		return
	}
	fs, ok := parseFilters(w, q)
	if !ok {
		return
	}
	c.mu.Lock()
	s.catchUp(c, s.now())
	positions, n := selectRecords(c, fs)
	out := cut(p, n, func(i int) record {
		if positions != nil {
			i = positions[i]
		}
		return c.record(i)
	}, s.cfg.EndlessLists)
	c.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// serveAll answers an unpaged collection: a bare array, or {"data":[…]}.
func (s *Server) serveAll(w http.ResponseWriter, op catalogue.Operation, q url.Values, c *collection) {
	fs, ok := parseFilters(w, q)
	if !ok {
		return
	}
	c.mu.Lock()
	s.catchUp(c, s.now())
	positions, n := selectRecords(c, fs)
	data := make([]record, 0, n)
	for i := range n {
		if positions != nil {
			data = append(data, c.record(positions[i]))
		} else {
			data = append(data, c.record(i))
		}
	}
	c.mu.Unlock()
	if op.Kind == catalogue.DataArray {
		writeJSON(w, http.StatusOK, struct {
			Data []record `json:"data"`
		}{data})
		return
	}
	writeJSON(w, http.StatusOK, data)
}

// serveObject answers one record. A path that ends in an id ({id},
// {jobId}, ...) names the record of its collection with that id, and an
// unknown id is a 404 as at ServiceTitan; any other path is the
// collection's first record.
func (s *Server) serveObject(w http.ResponseWriter, op catalogue.Operation, c *collection, endpoint string) {
	segs := strings.Split(op.Path, "/")
	last := segs[len(segs)-1]
	c.mu.Lock()
	defer c.mu.Unlock()
	s.catchUp(c, s.now())
	n := c.log.records()
	if !catalogue.IsTemplate(last) || !strings.HasSuffix(strings.ToLower(strings.Trim(last, "{}")), "id") {
		if n == 0 {
			s.handleNotFound(w, nil)
			return
		}
		writeJSON(w, http.StatusOK, c.record(0))
		return
	}
	want := endpoint[strings.LastIndex(endpoint, "/")+1:]
	// The ids of a collection rise with position (the samples' too), so a
	// search finds the record without reading the others.
	lo, hi := 0, n
	for lo < hi {
		mid := (lo + hi) / 2
		if id, _ := c.base(mid).get("id"); compareID(id, want) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < n {
		if id, _ := c.base(lo).get("id"); compareID(id, want) == 0 {
			writeJSON(w, http.StatusOK, c.record(lo))
			return
		}
	}
	writeProblem(w, http.StatusNotFound, op.Path+": no record with id "+want, nil)
}
