package apiclient_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/apiclient"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

func TestAPIRequestValidateNamesTheArgument(t *testing.T) {
	report := apiclient.APIRequest{Folder: "reporting", Endpoint: "report-category/ops/reports/7/data", Method: "POST", Body: `{"parameters":[]}`}
	for _, tc := range []struct {
		name string
		req  apiclient.APIRequest
		arg  string
	}{
		{"dot dot", apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs/../../crm"}, "endpoint"},
		{"dot", apiclient.APIRequest{Folder: "jpm", Endpoint: "./jobs"}, "endpoint"},
		{"empty segment", apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs//2"}, "endpoint"},
		{"host", apiclient.APIRequest{Folder: "jpm", Endpoint: "//evil.example/jobs"}, "endpoint"},
		{"scheme", apiclient.APIRequest{Folder: "jpm", Endpoint: "https://evil.example/jobs"}, "endpoint"},
		{"scheme in folder", apiclient.APIRequest{Folder: "http://evil.example", Endpoint: "jobs"}, "folder"},
		{"query", apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs?page=2"}, "endpoint"},
		{"folder of two segments", apiclient.APIRequest{Folder: "jpm/v2", Endpoint: "jobs"}, "folder"},
		{"version with a slash", apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs", Version: "v2/tenant"}, "version"},
		{"page with all pages", apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs", AllPages: true, Query: map[string]string{"page": "3"}}, "query"},
		{"page size too big", apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs", PageSize: 5001}, "page_size"},
		{"max pages negative", apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs", MaxPages: -1}, "max_pages"},
		{"PAGE with all pages", apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs", AllPages: true, Query: map[string]string{"PAGE": "3"}}, "query"},
		{"pagesize with all pages", apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs", AllPages: true, Query: map[string]string{"pagesize": "30"}}, "query"},
		{"pageSize with page_size", apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs", PageSize: 20, Query: map[string]string{"pageSize": "30"}}, "query"},
		{"From in an export's query", apiclient.APIRequest{Folder: "jpm", Endpoint: "export/jobs", AllPages: true, Query: map[string]string{"From": "x"}}, "query"},
		{"page size of an export", apiclient.APIRequest{Folder: "jpm", Endpoint: "export/jobs", PageSize: 100}, "page_size"},
		{"page size of the legacy export", apiclient.APIRequest{Folder: "sales", Endpoint: "estimates/export", PageSize: 100}, "page_size"},
		{"page size past an operation's cap", apiclient.APIRequest{Folder: "settings", Endpoint: "business-units/intacct", PageSize: 501}, "page_size"},
		{"report page past 25000", apiclient.APIRequest{Folder: report.Folder, Endpoint: report.Endpoint, Method: "POST", PageSize: 25001}, "page_size"},
		{"post to a list of dispatch", apiclient.APIRequest{Folder: "dispatch", Endpoint: "zones", Method: "POST"}, "method"},
		{"max pages past the bound", apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs", MaxPages: 1000000000000}, "max_pages"},
		{"version with a backslash", apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs", Version: `v2\..`}, "version"},
		{"endpoint with a backslash", apiclient.APIRequest{Folder: "jpm", Endpoint: `..\..\x`}, "endpoint"},
		{"endpoint with full-width dots", apiclient.APIRequest{Folder: "jpm", Endpoint: "．．/x"}, "endpoint"},
		{"post to a list", apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs", Method: "POST"}, "method"},
		{"post to another report path", apiclient.APIRequest{Folder: "reporting", Endpoint: "report-category/ops/reports/7", Method: "POST"}, "method"},
		{"put", apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs/1", Method: "PUT"}, "method"},
		{"body with GET", apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs", Body: "{}"}, "request_body"},
		{"body not JSON", apiclient.APIRequest{Folder: report.Folder, Endpoint: report.Endpoint, Method: "POST", Body: "{"}, "request_body"},
		{"from on a list", apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs", From: "x"}, "from"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.req.Validate()
			var ae *apiclient.APIRequestError
			var pe *servicetitan.URLPartError
			switch {
			case errors.As(err, &ae):
				if ae.Arg != tc.arg {
					t.Errorf("error names %q, want %q: %v", ae.Arg, tc.arg, err)
				}
			case errors.As(err, &pe):
				if pe.Part != tc.arg {
					t.Errorf("error names %q, want %q: %v", pe.Part, tc.arg, err)
				}
			default:
				t.Fatalf("got %v, want an error naming %s", err, tc.arg)
			}
		})
	}
	for _, ok := range []apiclient.APIRequest{
		{Folder: "jpm", Endpoint: "jobs"},
		{Folder: "jpm", Endpoint: "export/jobs", AllPages: true, From: "abc"},
		{Folder: "settings", Endpoint: "business-units", Version: "v2", Query: map[string]string{"active": "true"}, PageSize: 5000},
		report,
		{Folder: report.Folder, Endpoint: report.Endpoint, Method: "POST", PageSize: 25000, AllPages: true},
		{Folder: "dispatch", Endpoint: "capacity", Method: "POST", Body: `{"startsOnOrAfter":"2024-01-01T00:00:00Z"}`},
		{Folder: "settings", Endpoint: "business-units/intacct", PageSize: 500},
		// Without all_pages or page_size the provider sets no page size:
		// one page of the user's own size is a plain read.
		{Folder: "jpm", Endpoint: "jobs", Query: map[string]string{"page": "2", "pageSize": "10"}},
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%+v refused: %v", ok, err)
		}
	}
}

// The errors say what to write instead, and name an operation's own cap.
func TestAPIRequestErrorsSayWhatToWriteInstead(t *testing.T) {
	for _, tc := range []struct {
		req  apiclient.APIRequest
		want string
	}{
		{apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs", AllPages: true, Query: map[string]string{"pagesize": "30"}}, "pagesize is set by the provider here; give the page size as page_size = … instead"},
		{apiclient.APIRequest{Folder: "jpm", Endpoint: "export/jobs", AllPages: true, Query: map[string]string{"FROM": "x"}}, "FROM is set by the provider for an export; give the starting point as from = … instead"},
		{apiclient.APIRequest{Folder: "settings", Endpoint: "business-units/intacct", PageSize: 501}, "must be from 1 to 500, the largest page of GET settings/v2 business-units/intacct"},
		{apiclient.APIRequest{Folder: "sales", Endpoint: "estimates/export", PageSize: 10}, "an export takes no pageSize"},
	} {
		err := tc.req.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want %q", tc.req, err, tc.want)
		}
	}
}
