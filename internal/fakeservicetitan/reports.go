package fakeservicetitan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/catalogue"
)

// maxReportBody bounds a report request; real ones name a few parameters.
const maxReportBody = 1 << 20

// reportExample is what the 400 for a malformed body shows a client.
const reportExample = `{"parameters":[{"name":"From","value":"2024-01-01"}]}`

type reportField struct {
	Name  string `json:"name"`
	Label string `json:"label"`
}

// reportData is ServiceTitan's answer to a report run: the columns, then
// the list envelope around rows of values in column order.
type reportData struct {
	Fields []reportField `json:"fields"`
	page[[]any]
}

var reportFields = []reportField{
	{Name: "Date", Label: "Date"},
	{Name: "BusinessUnit", Label: "Business Unit"},
	{Name: "JobType", Label: "Job Type"},
	{Name: "CompletedJobs", Label: "Completed Jobs"},
	{Name: "Revenue", Label: "Revenue"},
}

type reportParameter struct {
	Name  string          `json:"name"`
	Value json.RawMessage `json:"value"`
}

// reportSeed derives everything about a report's data from what names it
// (category and id) and its parameters, in any order, so that the same run
// gives the same rows on every page and in every process. From and To are
// left out: they narrow the rows by date rather than make other data, so
// that a month's rows are the same as in the year's report.
func reportSeed(category, id string, params []reportParameter) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00", category, id)
	sorted := slices.Clone(params)
	slices.SortStableFunc(sorted, func(a, b reportParameter) int {
		return strings.Compare(a.Name, b.Name)
	})
	for _, p := range sorted {
		if isDateBound(p.Name) {
			continue
		}
		// Compacted, so that spacing in the body does not change the data.
		// Any value came through json.Unmarshal and is valid; an absent one
		// fails here and leaves v empty, which is what it should hash as.
		var v bytes.Buffer
		_ = json.Compact(&v, p.Value)
		fmt.Fprintf(h, "%s=%s\x00", p.Name, v.Bytes())
	}
	return h.Sum64()
}

func isDateBound(name string) bool {
	return strings.EqualFold(name, "From") || strings.EqualFold(name, "To")
}

// A report's rows cover two years, in date order, spread evenly over
// them, so that From and To keep a part of the rows of any report.
var (
	reportEpoch = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	reportDays  = 731
)

// reportRowCount is how many rows a report has before From and To narrow
// them: Config.ReportRows, or 500 to 1499, so that a year's rows take a
// page or two of the default size.
func (s *Server) reportRowCount(seed uint64) int {
	if s.cfg.ReportRows > 0 {
		return s.cfg.ReportRows
	}
	return 500 + int(seed%1000)
}

// reportDay is the day of row r of n: row dates never decrease with r.
func reportDay(r, n int) time.Time {
	return reportEpoch.AddDate(0, 0, int(int64(r)*int64(reportDays)/int64(n)))
}

func reportRow(seed uint64, r, n int) []any {
	u := uint64(r)
	return []any{
		reportDay(r, n).Format("2006-01-02"),
		businessUnits[((seed>>8)+u)%uint64(len(businessUnits))].Name,
		jobTypes[((seed>>16)+u)%uint64(len(jobTypes))].Name,
		int(((seed >> 24) + u*37) % 40),
		float64(((seed>>32)+u*7919)%2_500_000) / 100,
	}
}

// reportRange is the rows [lo, hi) of n whose dates fall from from to to,
// both included; a zero bound is open.
func reportRange(n int, from, to time.Time) (lo, hi int) {
	lo = sort.Search(n, func(r int) bool { return !reportDay(r, n).Before(from) })
	hi = n
	if !to.IsZero() {
		hi = sort.Search(n, func(r int) bool { return reportDay(r, n).After(to) })
	}
	return lo, max(lo, hi)
}

// dateBounds reads the From and To parameters, or names the one that is
// no date.
func dateBounds(params []reportParameter) (from, to time.Time, bad string) {
	for _, p := range params {
		if !isDateBound(p.Name) {
			continue
		}
		var v string
		if json.Unmarshal(p.Value, &v) != nil {
			return from, to, p.Name
		}
		t, ok := parseDate(v)
		if !ok {
			return from, to, p.Name
		}
		if strings.EqualFold(p.Name, "From") {
			from = t
		} else {
			to = t
		}
	}
	return from, to, ""
}

// reportDataOperation is the catalogue's report data operation, whose
// query names and page-size cap the route applies.
var reportDataOperation = sync.OnceValue(func() catalogue.Operation {
	op, ok := catalogue.Find("reporting", "v2", http.MethodPost, "report-category/c/reports/1/data")
	if !ok {
		panic("fakeservicetitan: the catalogue lacks the report data operation")
	}
	return op
})

// defaultReportPageSize is ServiceTitan's pageSize of report data when a
// request names none.
const defaultReportPageSize = 1000

func (s *Server) handleReportData(w http.ResponseWriter, r *http.Request) {
	// A read, despite the POST: ServiceTitan takes the parameters in a body.
	if !allowMethods(w, r, http.MethodPost) || !s.admit(w, r, noScope) {
		return
	}
	op := reportDataOperation()
	p, ok := parsePaging(w, boundQuery(op, r.URL.Query()), defaultReportPageSize, op.PageSizeCap())
	if !ok {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxReportBody))
	if err != nil {
		writeInvalid(w, "body", "request body is unreadable or larger than 1 MiB")
		return
	}
	var in struct {
		Parameters []reportParameter `json:"parameters"`
	}
	// No body at all is a run without parameters, as most reports allow.
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			writeInvalid(w, "body", "request body must be JSON such as "+reportExample+": "+err.Error())
			return
		}
	}
	for i, prm := range in.Parameters {
		if prm.Name == "" {
			key := "parameters[" + strconv.Itoa(i) + "].name"
			writeInvalid(w, key, key+" must not be empty")
			return
		}
	}
	from, to, bad := dateBounds(in.Parameters)
	if bad != "" {
		writeInvalid(w, bad, bad+" must be a date such as \"2024-01-31\"")
		return
	}
	category, id := r.PathValue("category"), r.PathValue("id")
	seed := reportSeed(category, id, in.Parameters)
	if wait, runs, window, ok := s.allowReportRun(r.PathValue("tenant"), category, id); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		writeProblem(w, http.StatusTooManyRequests, fmt.Sprintf(
			"report %s/%s was run %d times in the last %s: retry in %d s", category, id, runs, window, wait), nil)
		return
	}
	n := s.reportRowCount(seed)
	lo, hi := reportRange(n, from, to)
	out := reportData{Fields: reportFields}
	out.page = cut(p, hi-lo, func(i int) []any { return reportRow(seed, lo+i, n) }, s.cfg.EndlessLists)
	writeJSON(w, http.StatusOK, out)
}

// reportLimit is how many runs of one report fit in how long a window.
func (s *Server) reportLimit() (runs int, window time.Duration) {
	runs, window = s.cfg.ReportRuns, s.cfg.ReportWindow
	if runs == 0 {
		runs = DefaultReportRuns
	}
	if window <= 0 {
		window = DefaultReportWindow
	}
	return runs, window
}

// allowReportRun records a run of one report on one tenant, or refuses it
// when the limit's runs already fall within the window of the server
// clock; wait is then the whole seconds until the oldest leaves it. Each
// page is a run, as at ServiceTitan. Refused runs are not recorded, so a
// client that waits as told gets through.
func (s *Server) allowReportRun(tenant, category, id string) (wait, runs int, window time.Duration, ok bool) {
	runs, window = s.reportLimit()
	key := tenant + "\x00" + category + "\x00" + id
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if runs < 0 {
		s.reportRuns++
		return 0, runs, window, true
	}
	past := dropBefore(s.reportWindows[key], now.Add(-window))
	if len(past) >= runs {
		s.reportWindows[key] = past
		s.reportLimited++
		left := past[0].Add(window).Sub(now)
		return max(1, int(math.Ceil(left.Seconds()))), runs, window, false
	}
	s.reportWindows[key] = append(past, now)
	s.reportRuns++
	return 0, runs, window, true
}

var valueSetFields = []reportField{{Name: "Value", Label: "Value"}, {Name: "Name", Label: "Name"}}

// serveValueSet answers a dynamic value set, the values a report parameter
// may take, in the report data shape. It is no run of a report, so the
// report limit leaves it alone.
func (s *Server) serveValueSet(w http.ResponseWriter, op catalogue.Operation, q url.Values, endpoint string) {
	p, ok := parsePaging(w, q, defaultPageSize, op.PageSizeCap())
	if !ok {
		return
	}
	seed := hashOf(strings.ToLower(endpoint))
	out := reportData{Fields: valueSetFields}
	out.page = cut(p, 3+int(seed%10), func(i int) []any {
		return []any{strconv.Itoa(i + 1), "Value " + strconv.Itoa(i+1)}
	}, s.cfg.EndlessLists)
	writeJSON(w, http.StatusOK, out)
}
