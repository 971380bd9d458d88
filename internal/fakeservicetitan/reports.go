package fakeservicetitan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
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
// gives the same rows on every page and in every process.
func reportSeed(category, id string, params []reportParameter) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00", category, id)
	sorted := slices.Clone(params)
	slices.SortStableFunc(sorted, func(a, b reportParameter) int {
		return strings.Compare(a.Name, b.Name)
	})
	for _, p := range sorted {
		// Compacted, so that spacing in the body does not change the data.
		// Any value came through json.Unmarshal and is valid; an absent one
		// fails here and leaves v empty, which is what it should hash as.
		var v bytes.Buffer
		_ = json.Compact(&v, p.Value)
		fmt.Fprintf(h, "%s=%s\x00", p.Name, v.Bytes())
	}
	return h.Sum64()
}

var reportEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// reportRows is how many rows a report has: up to three default pages, so
// paging through report data gets exercised too.
func reportRows(seed uint64) int { return 1 + int(seed%150) }

func reportRow(seed uint64, r int) []any {
	u := uint64(r)
	return []any{
		reportEpoch.AddDate(0, 0, int(seed%365)+r).Format("2006-01-02"),
		businessUnits[((seed>>8)+u)%uint64(len(businessUnits))].Name,
		jobTypes[((seed>>16)+u)%uint64(len(jobTypes))].Name,
		int(((seed >> 24) + u*37) % 40),
		float64(((seed>>32)+u*7919)%2_500_000) / 100,
	}
}

func (s *Server) handleReportData(w http.ResponseWriter, r *http.Request) {
	// A read, despite the POST: ServiceTitan takes the parameters in a body.
	if !allowMethods(w, r, http.MethodPost) || !s.admit(w, r, noScope) {
		return
	}
	p, ok := parsePaging(w, r)
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
	category, id := r.PathValue("category"), r.PathValue("id")
	seed := reportSeed(category, id, in.Parameters)
	if wait, ok := s.allowReportRun(r.PathValue("tenant"), category, id); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		writeProblem(w, http.StatusTooManyRequests, fmt.Sprintf(
			"report %s/%s was run %d times in the last minute: retry in %d s", category, id, ReportRunsPerMinute, wait), nil)
		return
	}
	out := reportData{Fields: reportFields}
	out.page = cut(p, reportRows(seed), func(i int) []any { return reportRow(seed, i) }, s.cfg.EndlessLists)
	writeJSON(w, http.StatusOK, out)
}

// allowReportRun records a run of one report on one tenant, or refuses it
// when ReportRunsPerMinute runs already fall within the last minute of the
// server clock; wait is then the whole seconds until the oldest leaves it.
// Each page is a run, as at ServiceTitan. Refused runs are not recorded,
// so a client that waits as told gets through.
func (s *Server) allowReportRun(tenant, category, id string) (wait int, ok bool) {
	key := tenant + "\x00" + category + "\x00" + id
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	runs := dropBefore(s.reportWindows[key], now.Add(-time.Minute))
	if len(runs) >= ReportRunsPerMinute {
		s.reportWindows[key] = runs
		s.reportLimited++
		left := runs[0].Add(time.Minute).Sub(now)
		return max(1, int(math.Ceil(left.Seconds()))), false
	}
	s.reportWindows[key] = append(runs, now)
	s.reportRuns++
	return 0, true
}
