package fakeservicetitan

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/catalogue"
)

// concretePath fills op's templates: a trailing id with the first id of
// the operation's collection, any other template with 1.
func concretePath(s *Server, op catalogue.Operation) string {
	segs := strings.Split(op.Path, "/")
	for i, seg := range segs {
		if !catalogue.IsTemplate(seg) {
			continue
		}
		segs[i] = "1"
		if i == len(segs)-1 && op.Kind == catalogue.Object {
			key, _ := collectionKey(op)
			id, _ := s.collections[key].base(0).get("id")
			segs[i] = fmt.Sprint(id)
		}
	}
	return "/" + op.Folder + "/" + op.Version + "/tenant/" + testTenant + "/" + strings.Join(segs, "/")
}

func TestEveryServedOperationAnswersItsKind(t *testing.T) {
	s := startServer(t, func(c *Config) { c.APIRateLimit = -1; c.ReportRuns = -1 })
	tok := getToken(t, s)
	counts := map[catalogue.Kind]int{}
	for _, op := range catalogue.Operations() {
		if !servedOperation(op) {
			continue
		}
		path := concretePath(s, op)
		body := ""
		if op.Method == http.MethodPost {
			body = `{"parameters":[]}`
		}
		r := callAPI(t, s, op.Method, path, tok, nil, body)
		if r.status != http.StatusOK {
			t.Errorf("%s (%s): %d %s", op, path, r.status, r.body)
			continue
		}
		counts[op.Kind]++
		var v any
		if op.Kind == catalogue.None {
			if len(r.body) != 0 {
				t.Errorf("%s: body %q, want none", op, r.body)
			}
			continue
		}
		if err := json.Unmarshal(r.body, &v); err != nil {
			t.Errorf("%s: %v: %s", op, err, r.body)
			continue
		}
		obj, _ := v.(map[string]any)
		has := func(keys ...string) bool {
			for _, k := range keys {
				if _, ok := obj[k]; !ok {
					return false
				}
			}
			return true
		}
		var ok bool
		switch op.Kind {
		case catalogue.List:
			data, _ := obj["data"].([]any)
			ok = has("page", "pageSize", "hasMore", "totalCount") && len(data) > 0
		case catalogue.Export:
			data, _ := obj["data"].([]any)
			ok = has("hasMore", "continueFrom") && len(data) > 0
		case catalogue.Report:
			ok = has("fields", "page", "pageSize", "hasMore", "totalCount", "data")
		case catalogue.Array:
			arr, isArr := v.([]any)
			ok = isArr && len(arr) > 0
		case catalogue.DataArray:
			data, _ := obj["data"].([]any)
			ok = len(obj) == 1 && len(data) > 0
		case catalogue.Object:
			ok = has("id")
		}
		if !ok {
			t.Errorf("%s: not a %s answer: %.300s", op, op.Kind, r.body)
		}
	}
	if counts[catalogue.List] != 160 || counts[catalogue.Export] != 53 || counts[catalogue.Object] != 82 ||
		counts[catalogue.Array] != 8 || counts[catalogue.DataArray] != 4 || counts[catalogue.None] != 7 || counts[catalogue.Report] != 2 {
		t.Errorf("answered %v", counts)
	}
}

func TestObjectByIDAndUnknownID(t *testing.T) {
	s := startServer(t, nil)
	tok := getToken(t, s)
	r := getList(t, s, "/crm/v2/tenant/"+testTenant+"/customers/20002", tok, nil)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"id":20002,"active":true,"name":"Northwind Offices"`) {
		t.Errorf("customer 20002: %d %s", r.status, r.body)
	}
	for _, id := range []string{"99999", "abc"} {
		if r := getList(t, s, "/crm/v2/tenant/"+testTenant+"/customers/"+id, tok, nil); r.status != http.StatusNotFound {
			t.Errorf("customer %s: %d %s, want 404", id, r.status, r.body)
		}
	}
	if r := getList(t, s, "/jpm/v2/tenant/"+testTenant+"/jobs/10001", tok, nil); r.status != http.StatusOK {
		t.Errorf("job 10001: %d %s", r.status, r.body)
	}
	if r := callAPI(t, s, http.MethodPost, "/crm/v2/tenant/"+testTenant+"/customers", tok, nil, "{}"); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST customers, a write: %d, want 405", r.status)
	}
}

type listAnswer struct {
	HasMore bool             `json:"hasMore"`
	Data    []map[string]any `json:"data"`
}

func listOf(t *testing.T, s *Server, path, tok string, q url.Values) listAnswer {
	t.Helper()
	r := getList(t, s, path, tok, q)
	var a listAnswer
	if r.status != http.StatusOK || json.Unmarshal(r.body, &a) != nil {
		t.Fatalf("%s %v: %d %s", path, q, r.status, r.body)
	}
	return a
}

func TestFiltersNarrow(t *testing.T) {
	s := startServer(t, func(c *Config) { c.Jobs = 40; c.APIRateLimit = -1 })
	tok := getToken(t, s)
	jobs := "/jpm/v2/tenant/" + testTenant + "/jobs"
	perUnit := map[float64]int{}
	total := 0
	for _, unit := range []string{"401", "402", "403", "404"} {
		// Bound in any case, as ServiceTitan binds query names.
		a := listOf(t, s, jobs, tok, url.Values{"BusinessUnitID": {unit}, "pageSize": {"5000"}})
		for _, j := range a.Data {
			if fmt.Sprint(j["businessUnitId"]) != unit {
				t.Errorf("businessUnitId=%s gave job %v", unit, j)
			}
		}
		perUnit[float64(len(a.Data))]++
		total += len(a.Data)
	}
	if total != 40 || len(perUnit) != 4 {
		t.Errorf("jobs per business unit %v (total %d), want 4 different counts adding up to 40", perUnit, total)
	}

	if a := listOf(t, s, jobs, tok, url.Values{"ids": {"10003,10007,99"}}); len(a.Data) != 2 {
		t.Errorf("ids: %v", a.Data)
	}
	units := "/settings/v2/tenant/" + testTenant + "/business-units"
	for v, want := range map[string]int{"true": 3, "False": 1, "any": 4} {
		if a := listOf(t, s, units, tok, url.Values{"active": {v}}); len(a.Data) != want {
			t.Errorf("active=%s: %d units, want %d", v, len(a.Data), want)
		}
	}
	if r := getList(t, s, units, tok, url.Values{"active": {"maybe"}}); r.status != http.StatusBadRequest || problemOf(t, r).Errors["active"] == nil {
		t.Errorf("active=maybe: %d %s", r.status, r.body)
	}
	all := listOf(t, s, jobs, tok, url.Values{"pageSize": {"5000"}})
	cutoff, _ := all.Data[30]["modifiedOn"].(string)
	if a := listOf(t, s, jobs, tok, url.Values{"modifiedOnOrAfter": {cutoff}, "pageSize": {"5000"}}); len(a.Data) != 10 {
		t.Errorf("modifiedOnOrAfter=%s: %d jobs, want 10", cutoff, len(a.Data))
	}
	// A misspelt filter is no filter, as at ServiceTitan.
	if a := listOf(t, s, jobs, tok, url.Values{"businesUnitId": {"401"}, "pageSize": {"5000"}}); len(a.Data) != 40 {
		t.Errorf("misspelt filter: %d jobs, want all 40", len(a.Data))
	}
	// A synthetic collection: records carry what the filters name.
	bills := listOf(t, s, "/accounting/v2/tenant/"+testTenant+"/ap-bills", tok, nil)
	if _, ok := bills.Data[0]["businessUnitId"]; !ok {
		t.Errorf("ap-bills records lack businessUnitId: %v", bills.Data[0])
	}
	billID, _ := bills.Data[1]["id"].(float64)
	id := fmt.Sprint(int64(billID))
	if a := listOf(t, s, "/accounting/v2/tenant/"+testTenant+"/ap-bills", tok, url.Values{"ids": {id}}); len(a.Data) != 1 {
		t.Errorf("ids=%s on ap-bills: %v", id, a.Data)
	}
}

func TestPageSizeCapPerOperation(t *testing.T) {
	s := startServer(t, nil)
	tok := getToken(t, s)
	path := "/settings/v2/tenant/" + testTenant + "/business-units/intacct"
	if r := getList(t, s, path, tok, url.Values{"pageSize": {"500"}}); r.status != http.StatusOK {
		t.Errorf("pageSize 500: %d", r.status)
	}
	if r := getList(t, s, path, tok, url.Values{"pageSize": {"501"}}); r.status != http.StatusBadRequest || problemOf(t, r).Errors["pageSize"] == nil {
		t.Errorf("pageSize 501: %d %s", r.status, r.body)
	}
}

func TestReportFromToAndRows(t *testing.T) {
	clk := newTestClock()
	s := startServer(t, func(c *Config) { c.Now = clk.Now; c.ReportRows = 50000 })
	tok := getToken(t, s)
	path := reportPath(testTenant, "accounting", "42")
	var rows int
	for page := 1; ; page++ {
		r, a := runReport(t, s, tok, path, url.Values{"page": {fmt.Sprint(page)}, "pageSize": {"25000"}}, `{"parameters":[]}`)
		if r.status != http.StatusOK || len(a.Data) != 25000 {
			t.Fatalf("page %d: %d, %d rows", page, r.status, len(a.Data))
		}
		rows += len(a.Data)
		if !a.HasMore {
			if page != 2 {
				t.Errorf("%d pages, want 2", page)
			}
			break
		}
		// The second run within the minute is refused with the seconds left.
		if r, _ := runReport(t, s, tok, path, url.Values{"page": {"2"}, "pageSize": {"25000"}}, `{}`); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "60" {
			t.Errorf("second run at once: %d Retry-After %q", r.status, r.header.Get("Retry-After"))
		}
		clk.Advance(time.Minute)
	}
	clk.Advance(time.Minute)
	r, a := runReport(t, s, tok, path, url.Values{"pageSize": {"25000"}}, `{"parameters":[{"name":"From","value":"2024-01-01"},{"name":"To","value":"2024-01-31"}]}`)
	if r.status != http.StatusOK || len(a.Data) == 0 || len(a.Data) > 50000*32/731 {
		t.Fatalf("January: %d, %d rows", r.status, len(a.Data))
	}
	for _, row := range a.Data {
		if d, _ := row[0].(string); d < "2024-01-01" || d > "2024-01-31" {
			t.Fatalf("January's rows hold %s", d)
		}
	}
}

func TestReportWindowConfigurable(t *testing.T) {
	clk := newTestClock()
	s := startServer(t, func(c *Config) { c.Now = clk.Now; c.ReportRuns = 2; c.ReportWindow = 2 * time.Second })
	tok := getToken(t, s)
	path := reportPath(testTenant, "ops", "1")
	for i, want := range []int{200, 200, 429} {
		if r, _ := runReport(t, s, tok, path, nil, ""); r.status != want {
			t.Errorf("run %d: %d, want %d", i+1, r.status, want)
		} else if want == 429 && r.header.Get("Retry-After") != "2" {
			t.Errorf("Retry-After %q, want 2", r.header.Get("Retry-After"))
		}
	}
	clk.Advance(2 * time.Second)
	if r, _ := runReport(t, s, tok, path, nil, ""); r.status != http.StatusOK {
		t.Errorf("after the window: %d", r.status)
	}
}

type exportAnswer struct {
	Data         []map[string]any `json:"data"`
	HasMore      bool             `json:"hasMore"`
	ContinueFrom string           `json:"continueFrom"`
}

func readExport(t *testing.T, s *Server, path, tok, from string) (ids []float64, next string) {
	t.Helper()
	for {
		r := getList(t, s, path, tok, url.Values{"from": {from}})
		var a exportAnswer
		if r.status != http.StatusOK || json.Unmarshal(r.body, &a) != nil {
			t.Fatalf("export from %q: %d %s", from, r.status, r.body)
		}
		for _, d := range a.Data {
			id, _ := d["id"].(float64)
			ids = append(ids, id)
		}
		from = a.ContinueFrom
		if !a.HasMore {
			return ids, from
		}
	}
}

func TestExportReturnsOnlyChanges(t *testing.T) {
	clk := newTestClock()
	s := startServer(t, func(c *Config) { c.Now = clk.Now; c.Jobs = 25; c.ExportBatch = 10 })
	tok := getToken(t, s)
	path := "/jpm/v2/tenant/" + testTenant + "/export/jobs"
	ids, end := readExport(t, s, path, tok, "")
	if len(ids) != 25 {
		t.Fatalf("first read: %d jobs", len(ids))
	}
	clk.Advance(time.Minute)
	if err := s.ChangeRecords("jobs", 3); err != nil {
		t.Fatal(err)
	}
	changed, end2 := readExport(t, s, path, tok, end)
	if !slices.Equal(changed, []float64{10001, 10002, 10003}) {
		t.Errorf("after 3 changes: %v, want the first 3 jobs", changed)
	}
	// The list shows the change too.
	a := listOf(t, s, "/jpm/v2/tenant/"+testTenant+"/jobs", tok, url.Values{"modifiedOnOrAfter": {clk.Now().UTC().Format(time.RFC3339)}})
	if len(a.Data) != 3 {
		t.Errorf("modifiedOnOrAfter now: %d jobs, want 3", len(a.Data))
	}
	// A fresh read holds each job once, the changed ones last.
	all, _ := readExport(t, s, path, tok, "")
	if len(all) != 25 || !slices.Equal(all[22:], changed) {
		t.Errorf("fresh read: %v", all)
	}
	// The control route, on a synthetic collection by folder and path.
	r := callAPI(t, s, http.MethodPost, "/_stand-in/changes", "", url.Values{"entity": {"jpm/export/jobs"}, "n": {"2"}}, "")
	if r.status != http.StatusOK {
		t.Fatalf("changes route: %d %s", r.status, r.body)
	}
	if again, _ := readExport(t, s, path, tok, end2); !slices.Equal(again, []float64{10004, 10005}) {
		t.Errorf("after the route's 2 changes: %v", again)
	}
	if r := callAPI(t, s, http.MethodPost, "/_stand-in/changes", "", url.Values{"entity": {"nothing/here"}, "n": {"2"}}, ""); r.status != http.StatusNotFound {
		t.Errorf("unknown entity: %d", r.status)
	}
	if err := s.ChangeRecords("settings/business-units", 1); err != nil {
		t.Errorf("business units: %v", err)
	}
}

func TestSteadyExportChanges(t *testing.T) {
	clk := newTestClock()
	s := startServer(t, func(c *Config) { c.Now = clk.Now; c.Customers = 30; c.ExportChanges = 4 })
	tok := getToken(t, s)
	path := "/crm/v2/tenant/" + testTenant + "/export/customers"
	_, end := readExport(t, s, path, tok, "")
	clk.Advance(90 * time.Second)
	if changed, _ := readExport(t, s, path, tok, end); len(changed) != 6 {
		t.Errorf("after 90 s at 4 a minute: %v, want 6 changed customers", changed)
	}
	// A date as from: what was written on or after it.
	if since, _ := readExport(t, s, path, tok, clk.Now().Add(-time.Hour).UTC().Format(time.RFC3339)); len(since) != 6 {
		t.Errorf("from a date an hour ago: %v", since)
	}
}

func TestAPIRequestLog(t *testing.T) {
	s := startServer(t, nil)
	tok := getToken(t, s)
	getList(t, s, "/jpm/v2/tenant/"+testTenant+"/jobs", tok, url.Values{"pageSize": {"10"}, "BusinessUnitId": {"401"}, "busnessUnitId": {"401"}})
	getList(t, s, "/jpm/v2/tenant/"+testTenant+"/export/jobs", tok, url.Values{"pageSize": {"10"}})
	log := s.APIRequestLog()
	if len(log) != 2 {
		t.Fatalf("log %+v", log)
	}
	if log[0].Operation != "GET jpm/v2 jobs" || !slices.Equal(log[0].Undefined, []string{"busnessUnitId"}) || len(log[0].Query) != 3 {
		t.Errorf("first %+v", log[0])
	}
	if log[1].Operation != "GET jpm/v2 export/jobs" || !slices.Equal(log[1].Undefined, []string{"pageSize"}) {
		t.Errorf("second %+v, want pageSize undefined on an export", log[1])
	}
	for _, r := range log {
		if strings.Contains(fmt.Sprint(r), tok) || strings.Contains(fmt.Sprint(r), "401") {
			t.Errorf("the log holds a value: %+v", r)
		}
	}
	s.Reset()
	if log := s.APIRequestLog(); len(log) != 0 {
		t.Errorf("after Reset: %+v", log)
	}
}
