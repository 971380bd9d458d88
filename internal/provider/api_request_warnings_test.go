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

// Answers that are a bare array, or {"data": […]} without paging, give
// items_json and item_count, with and without all_pages.
func TestAccAPIRequestArraysGiveItems(t *testing.T) {
	srv := acctest.StandIn(t)
	run := acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+`
data "servicetitan_api_request" "bills" {
  folder   = "accounting"
  endpoint = "inventory-bills"
}
data "servicetitan_api_request" "proposal_types" {
  folder    = "sales"
  endpoint  = "proposal-types"
  all_pages = true
}
output "counts" {
  value = {
    bills          = data.servicetitan_api_request.bills.item_count
    bill_ids       = length(jsondecode(data.servicetitan_api_request.bills.items_json))
    proposal_types = data.servicetitan_api_request.proposal_types.item_count
    pages          = data.servicetitan_api_request.proposal_types.page_count
  }
}
`)
	run.MustRun("apply", "-auto-approve")
	counts, _ := run.Outputs()["counts"].(map[string]any)
	if counts["bills"] == 0.0 || counts["bills"] != counts["bill_ids"] || counts["proposal_types"] == 0.0 || counts["pages"] != 1.0 {
		t.Errorf("counts %v: want items from the bare array and the data-only answer, one request each", counts)
	}
}
