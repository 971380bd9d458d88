package catalogue_test

import (
	"slices"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/catalogue"
)

// The embedded catalogue holds what ServiceTitan publishes: 559
// operations, of which 314 GETs, in these kinds.
func TestTheCatalogueHoldsEveryPublishedOperation(t *testing.T) {
	ops := catalogue.Operations()
	kinds := map[catalogue.Kind]int{}
	for _, op := range ops {
		if op.Method == "GET" {
			kinds[op.Kind]++
		}
	}
	want := map[catalogue.Kind]int{catalogue.List: 160, catalogue.Export: 53, catalogue.Object: 81, catalogue.Array: 8, catalogue.DataArray: 4, catalogue.Report: 1, catalogue.None: 7}
	if len(ops) != 559 {
		t.Errorf("%d operations, want 559", len(ops))
	}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("%d GET operations of kind %s, want %d", kinds[k], k, n)
		}
	}
}

func TestFind(t *testing.T) {
	for _, tc := range []struct {
		folder, version, method, endpoint string
		want                              string
	}{
		{"jpm", "v2", "GET", "jobs", "GET jpm/v2 jobs"},
		{"crm", "v2", "GET", "customers/42", "GET crm/v2 customers/{id}"},
		{"CRM", "V2", "get", "Customers/42", "GET crm/v2 customers/{id}"},
		{"jpm", "v2", "GET", "export/jobs", "GET jpm/v2 export/jobs"},
		{"sales", "v2", "GET", "estimates/export", "GET sales/v2 estimates/export"},
		{"telecom", "v3", "GET", "calls", "GET telecom/v3 calls"},
		{"reporting", "v2", "POST", "report-category/operations/reports/7/data", "POST reporting/v2 report-category/{report_category}/reports/{reportId}/data"},
		{"dispatch", "v2", "POST", "capacity", "POST dispatch/v2 capacity"},
		{"jpm", "v2", "GET", "jobz", ""},
		{"jpm", "v2", "GET", "jobs/1/2/3/4/5", ""},
	} {
		op, ok := catalogue.Find(tc.folder, tc.version, tc.method, tc.endpoint)
		got := ""
		if ok {
			got = op.String()
		}
		if got != tc.want {
			t.Errorf("Find(%s %s/%s %s) = %q, want %q", tc.method, tc.folder, tc.version, tc.endpoint, got, tc.want)
		}
	}
}

func TestAnOperationKnowsItsQueryAndPageSize(t *testing.T) {
	op, _ := catalogue.Find("jpm", "v2", "GET", "jobs")
	if name, ok := op.QueryName("businessunitid"); !ok || name != "businessUnitId" {
		t.Errorf("QueryName(businessunitid) = %q, %v; want businessUnitId", name, ok)
	}
	if _, ok := op.QueryName("businesUnitId"); ok {
		t.Error("a misspelt parameter was found")
	}
	if op.PageSizeCap() != 5000 {
		t.Errorf("jobs' page-size cap is %d, want 5000", op.PageSizeCap())
	}
	intacct, _ := catalogue.Find("settings", "v2", "GET", "business-units/intacct")
	report, _ := catalogue.Find("reporting", "v2", "POST", "report-category/x/reports/1/data")
	if intacct.PageSizeCap() != 500 || report.PageSizeCap() != 25000 {
		t.Errorf("caps %d and %d, want 500 and 25000", intacct.PageSizeCap(), report.PageSizeCap())
	}
}

func TestClosestNamesWhatWasMeant(t *testing.T) {
	got := catalogue.Closest("jpm", "v2", "GET", "jobz/42", 3)
	if len(got) != 3 || got[0] != "jobs/{id}" {
		t.Errorf("Closest(jobz/42) = %q, want jobs/{id} first", got)
	}
	if slices.Contains(catalogue.Closest("jpm", "v2", "GET", "jobs", 5), "export/jobs") && catalogue.Closest("jpm", "v2", "GET", "jobs", 1)[0] != "jobs" {
		t.Error("an exact path is not its own closest")
	}
}

// Both POST reads are in the catalogue, and nothing else is one.
func TestPostReadsAreCatalogued(t *testing.T) {
	var reads []string
	for _, op := range catalogue.Operations() {
		if op.ReadsByPost() {
			reads = append(reads, op.String())
		}
	}
	if !slices.Equal(reads, []string{
		"POST dispatch/v2 capacity",
		"POST reporting/v2 report-category/{report_category}/reports/{reportId}/data",
	}) {
		t.Errorf("POST reads %q", reads)
	}
}
