package provider

import (
	"strings"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
)

// What `terraform validate` says of a request that ServiceTitan's
// catalogue does not know, with no network and no credentials: warnings,
// never errors, since ServiceTitan adds operations over time.
func TestAccAPIRequestWarnsOfWhatServiceTitanWouldIgnore(t *testing.T) {
	for _, tc := range []struct {
		name, request string
		want          []string // empty: no warning at all
	}{
		{"a misspelt filter", `folder = "jpm"
  endpoint = "jobs"
  query = { businesUnitId = "7" }`, []string{"Unknown ServiceTitan query parameter", `GET jpm/v2 jobs does not define the query parameter "businesUnitId"`, "answer unfiltered", "businessUnitId"}},
		{"an unknown endpoint", `folder = "jpm"
  endpoint = "jobz/42"`, []string{"Unknown ServiceTitan API operation", "no operation GET jpm/v2 jobz/42", "jobs/{id}"}},
		{"a known endpoint with an identifier", `folder = "crm"
  endpoint = "customers/42"`, nil},
		{"a parameter whose case differs", `folder = "jpm"
  endpoint = "jobs"
  query = { businessUnitID = "7", JOBSTATUS = "Completed" }`, nil},
		{"the legacy export", `folder = "sales"
  endpoint = "estimates/export"
  all_pages = true`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := acctest.NewCLIRun(t, `
provider "servicetitan" {}

data "servicetitan_api_request" "r" {
  `+tc.request+`
}
`)
			out := run.MustRun("validate")
			if len(tc.want) == 0 {
				if strings.Contains(out, "Unknown ServiceTitan") {
					t.Errorf("validate warned:\n%s", out)
				}
				return
			}
			for _, w := range tc.want {
				if !acctest.ErrorText(w).MatchString(out) {
					t.Errorf("validate does not say %q:\n%s", w, out)
				}
			}
		})
	}
}
