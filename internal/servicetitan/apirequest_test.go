package servicetitan_test

import (
	"errors"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

func TestAPIRequestValidateNamesTheArgument(t *testing.T) {
	report := servicetitan.APIRequest{Folder: "reporting", Endpoint: "report-category/ops/reports/7/data", Method: "POST", Body: `{"parameters":[]}`}
	for _, tc := range []struct {
		name string
		req  servicetitan.APIRequest
		arg  string
	}{
		{"dot dot", servicetitan.APIRequest{Folder: "jpm", Endpoint: "jobs/../../crm"}, "endpoint"},
		{"dot", servicetitan.APIRequest{Folder: "jpm", Endpoint: "./jobs"}, "endpoint"},
		{"empty segment", servicetitan.APIRequest{Folder: "jpm", Endpoint: "jobs//2"}, "endpoint"},
		{"host", servicetitan.APIRequest{Folder: "jpm", Endpoint: "//evil.example/jobs"}, "endpoint"},
		{"scheme", servicetitan.APIRequest{Folder: "jpm", Endpoint: "https://evil.example/jobs"}, "endpoint"},
		{"scheme in folder", servicetitan.APIRequest{Folder: "http://evil.example", Endpoint: "jobs"}, "folder"},
		{"query", servicetitan.APIRequest{Folder: "jpm", Endpoint: "jobs?page=2"}, "endpoint"},
		{"folder of two segments", servicetitan.APIRequest{Folder: "jpm/v2", Endpoint: "jobs"}, "folder"},
		{"version with a slash", servicetitan.APIRequest{Folder: "jpm", Endpoint: "jobs", Version: "v2/tenant"}, "version"},
		{"page with all pages", servicetitan.APIRequest{Folder: "jpm", Endpoint: "jobs", AllPages: true, Query: map[string]string{"page": "3"}}, "query"},
		{"page size too big", servicetitan.APIRequest{Folder: "jpm", Endpoint: "jobs", PageSize: 5001}, "page_size"},
		{"max pages negative", servicetitan.APIRequest{Folder: "jpm", Endpoint: "jobs", MaxPages: -1}, "max_pages"},
		{"post to a list", servicetitan.APIRequest{Folder: "jpm", Endpoint: "jobs", Method: "POST"}, "method"},
		{"post to another report path", servicetitan.APIRequest{Folder: "reporting", Endpoint: "report-category/ops/reports/7", Method: "POST"}, "method"},
		{"put", servicetitan.APIRequest{Folder: "jpm", Endpoint: "jobs/1", Method: "PUT"}, "method"},
		{"body with GET", servicetitan.APIRequest{Folder: "jpm", Endpoint: "jobs", Body: "{}"}, "request_body"},
		{"body not JSON", servicetitan.APIRequest{Folder: report.Folder, Endpoint: report.Endpoint, Method: "POST", Body: "{"}, "request_body"},
		{"from on a list", servicetitan.APIRequest{Folder: "jpm", Endpoint: "jobs", From: "x"}, "from"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.req.Validate()
			var ae *servicetitan.APIRequestError
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
	for _, ok := range []servicetitan.APIRequest{
		{Folder: "jpm", Endpoint: "jobs"},
		{Folder: "jpm", Endpoint: "export/jobs", AllPages: true, From: "abc"},
		{Folder: "settings", Endpoint: "business-units", Version: "v2", Query: map[string]string{"active": "true"}, PageSize: 5000},
		report,
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%+v refused: %v", ok, err)
		}
	}
}
