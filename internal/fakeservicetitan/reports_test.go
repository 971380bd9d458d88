package fakeservicetitan

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

type reportAnswer struct {
	Fields []struct {
		Name  string `json:"name"`
		Label string `json:"label"`
	} `json:"fields"`
	Page       int     `json:"page"`
	PageSize   int     `json:"pageSize"`
	HasMore    bool    `json:"hasMore"`
	TotalCount *int    `json:"totalCount"`
	Data       [][]any `json:"data"`
}

func reportPath(tenant, category, id string) string {
	return "/reporting/v2/tenant/" + tenant + "/report-category/" + category + "/reports/" + id + "/data"
}

func runReport(t *testing.T, s *Server, tok, path string, query url.Values, body string) (response, reportAnswer) {
	t.Helper()
	r := callAPI(t, s, http.MethodPost, path, tok, query, body)
	var a reportAnswer
	if r.status == http.StatusOK {
		if err := json.Unmarshal(r.body, &a); err != nil {
			t.Fatal(err)
		}
	}
	return r, a
}

func TestReportData(t *testing.T) {
	clk := newTestClock()
	s := startServer(t, func(c *Config) { c.Now = clk.Now })
	tok := getToken(t, s)
	path := reportPath(testTenant, "operations", "1234567")
	// A minute between runs keeps this test clear of the limit on runs.
	runReport := func(t *testing.T, s *Server, tok, path string, query url.Values, body string) (response, reportAnswer) {
		t.Helper()
		clk.Advance(time.Minute)
		return runReport(t, s, tok, path, query, body)
	}
	params := `{"parameters":[{"name":"From","value":"2024-01-01"},{"name":"To","value":"2024-01-31"},{"name":"BusinessUnitIds","value":[401,402]}]}`

	r, first := runReport(t, s, tok, path, url.Values{"includeTotal": {"true"}, "pageSize": {"5000"}}, params)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if len(first.Fields) == 0 || first.TotalCount == nil || *first.TotalCount != len(first.Data) || first.HasMore || len(first.Data) == 0 {
		t.Fatalf("report %s", r.body)
	}
	for _, f := range first.Fields {
		if f.Name == "" || f.Label == "" {
			t.Errorf("field %+v lacks name or label", f)
		}
	}
	for i, row := range first.Data {
		if len(row) != len(first.Fields) {
			t.Fatalf("row %d has %d values for %d fields", i, len(row), len(first.Fields))
		}
	}

	// Parameters in another order, spaced differently: the same report.
	reordered := `{"parameters":[ {"name":"BusinessUnitIds","value":[ 401, 402 ]}, {"name":"To","value":"2024-01-31"}, {"name":"From","value":"2024-01-01"} ]}`
	if _, again := runReport(t, s, tok, path, url.Values{"includeTotal": {"true"}, "pageSize": {"5000"}}, reordered); !reflect.DeepEqual(again, first) {
		t.Error("the same report with the same parameters gave other data")
	}
	_, other := runReport(t, s, tok, path, url.Values{"pageSize": {"5000"}}, `{"parameters":[{"name":"From","value":"2024-02-01"}]}`)
	_, otherID := runReport(t, s, tok, reportPath(testTenant, "operations", "7654321"), url.Values{"pageSize": {"5000"}}, params)
	if reflect.DeepEqual(other.Data, first.Data) || reflect.DeepEqual(otherID.Data, first.Data) {
		t.Error("other parameters or another report id gave the same data")
	}

	// Paging through the report gives its rows in order.
	var paged [][]any
	for p := 1; ; p++ {
		_, a := runReport(t, s, tok, path, url.Values{"page": {strconv.Itoa(p)}, "pageSize": {"50"}}, params)
		if a.TotalCount != nil {
			t.Fatalf("page %d: totalCount %d without includeTotal", p, *a.TotalCount)
		}
		paged = append(paged, a.Data...)
		if !a.HasMore {
			break
		}
	}
	if !reflect.DeepEqual(paged, first.Data) {
		t.Errorf("paged rows differ from the single page: %d rows, want %d", len(paged), len(first.Data))
	}

	if r, a := runReport(t, s, tok, path, nil, ""); r.status != http.StatusOK || len(a.Data) == 0 {
		t.Errorf("no body: %d %s, want a run without parameters", r.status, r.body)
	}
}

func TestReportDataRefusals(t *testing.T) {
	s := startServer(t, nil)
	tok := getToken(t, s)
	path := reportPath(testTenant, "operations", "42")
	for _, tt := range []struct {
		name, body string
		query      url.Values
		key        string
	}{
		{"not JSON", `parameters=From`, nil, "body"},
		{"parameters not a list", `{"parameters":{"From":"2024-01-01"}}`, nil, "body"},
		{"nameless parameter", `{"parameters":[{"value":1}]}`, nil, "parameters[0].name"},
		{"page size", `{}`, url.Values{"pageSize": {"25001"}}, "pageSize"},
		{"From not a date", `{"parameters":[{"name":"From","value":"soon"}]}`, nil, "From"},
	} {
		r := callAPI(t, s, http.MethodPost, path, tok, tt.query, tt.body)
		if r.status != http.StatusBadRequest || problemOf(t, r).Errors[tt.key] == nil {
			t.Errorf("%s: %d %s, want 400 naming %s", tt.name, r.status, r.body, tt.key)
		}
	}
	r := callAPI(t, s, http.MethodGet, path, tok, nil, "")
	if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "POST" {
		t.Errorf("GET: %d Allow %q, want 405 and POST", r.status, r.header.Get("Allow"))
	}
	problemOf(t, r)
	if st := s.Stats(); st.ReportRuns != 0 {
		t.Errorf("refused requests counted as %d report runs", st.ReportRuns)
	}
}

func TestReportRunsPerMinute(t *testing.T) {
	clk := newTestClock()
	s := startServer(t, func(c *Config) {
		c.Now = clk.Now
		c.Clients = append(c.Clients, Client{ID: "south", Secret: "south-secret", Tenant: "3003"})
	})
	tok := getToken(t, s)
	path := reportPath(testTenant, "operations", "42")
	if r, _ := runReport(t, s, tok, path, nil, `{"parameters":[]}`); r.status != http.StatusOK {
		t.Fatalf("first run: %d %s", r.status, r.body)
	}
	clk.Advance(50 * time.Second)
	// The first run was 50 s ago: it leaves the minute in 10 s.
	r, _ := runReport(t, s, tok, path, nil, `{"parameters":[]}`)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "10" {
		t.Fatalf("2nd run in a minute: %d Retry-After %q %s, want 429 and 10", r.status, r.header.Get("Retry-After"), r.body)
	}
	if title := problemOf(t, r).Title; !strings.Contains(title, "operations/42") {
		t.Errorf("title %q does not name the report", title)
	}

	// Other reports, and the same report on another tenant, have their own
	// allowance; other routes are not held up.
	if r, _ := runReport(t, s, tok, reportPath(testTenant, "operations", "43"), nil, ""); r.status != http.StatusOK {
		t.Errorf("another report: %d", r.status)
	}
	if r, _ := runReport(t, s, tok, reportPath(testTenant, "marketing", "42"), nil, ""); r.status != http.StatusOK {
		t.Errorf("the same id in another category: %d", r.status)
	}
	south := tokenFor(t, s, url.Values{"grant_type": {"client_credentials"}, "client_id": {"south"}, "client_secret": {"south-secret"}})
	if r, _ := runReport(t, s, south, reportPath("3003", "operations", "42"), nil, ""); r.status != http.StatusOK {
		t.Errorf("the same report on another tenant: %d", r.status)
	}
	if r := getList(t, s, "/jpm/v2/tenant/"+testTenant+"/jobs", tok, nil); r.status != http.StatusOK {
		t.Errorf("jobs list: %d", r.status)
	}

	clk.Advance(9 * time.Second)
	if r, _ := runReport(t, s, tok, path, nil, ""); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "1" {
		t.Errorf("1 s early: %d Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	clk.Advance(time.Second)
	if r, _ := runReport(t, s, tok, path, nil, ""); r.status != http.StatusOK {
		t.Errorf("once the first run left the minute: %d %s", r.status, r.body)
	}
	if st := s.Stats(); st.ReportRuns != 5 || st.ReportRunsLimited != 2 || st.RateLimited != 0 {
		t.Errorf("stats %+v, want 5 runs, 2 refused by the report limit, none by the rate limit", st)
	}
}
