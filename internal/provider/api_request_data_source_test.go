package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
)

// stateHolds fails the test when the state file of run holds any of secrets.
func stateLacks(t *testing.T, run *acctest.CLIRun, secrets ...string) {
	t.Helper()
	state, err := os.ReadFile(filepath.Join(run.Dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(string(state), s) {
			t.Errorf("the state holds %q", s)
		}
	}
}

func TestAccAPIRequestDataSourceReadsEveryPage(t *testing.T) {
	srv := acctest.StandIn(t)
	run := acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+`
data "servicetitan_api_request" "jobs" {
  folder    = "jpm"
  endpoint  = "jobs"
  all_pages = true
  page_size = 1
}

data "servicetitan_api_request" "customers" {
  folder   = "crm"
  endpoint = "customers"
  query    = { pageSize = "2" }
}

output "job_ids" { value = [for j in jsondecode(data.servicetitan_api_request.jobs.items_json) : j.id] }
output "jobs" {
  value = {
    item_count    = data.servicetitan_api_request.jobs.item_count
    page_count    = data.servicetitan_api_request.jobs.page_count
    has_more      = data.servicetitan_api_request.jobs.has_more
    status_code   = data.servicetitan_api_request.jobs.status_code
    response_body = data.servicetitan_api_request.jobs.response_body
    url           = data.servicetitan_api_request.jobs.url
  }
}
output "customers" {
  value = {
    item_count = data.servicetitan_api_request.customers.item_count
    has_more   = data.servicetitan_api_request.customers.has_more
    page       = jsondecode(data.servicetitan_api_request.customers.response_body).page
  }
}
`)
	run.MustRun("apply", "-auto-approve")
	out := run.Outputs()
	jobs, _ := out["jobs"].(map[string]any)
	if ids, _ := out["job_ids"].([]any); len(ids) != 2 || ids[0] != 10001.0 || ids[1] != 10002.0 {
		t.Errorf("job ids %v, want [10001 10002]", out["job_ids"])
	}
	for k, want := range map[string]any{"item_count": 2.0, "page_count": 2.0, "has_more": false, "status_code": 200.0, "response_body": nil} {
		if jobs[k] != want {
			t.Errorf("jobs %s = %v, want %v", k, jobs[k], want)
		}
	}
	if u, _ := jobs["url"].(string); u != srv.URL()+"/jpm/v2/tenant/"+acctest.TenantID+"/jobs?page=1&pageSize=1" {
		t.Errorf("url = %q", u)
	}
	customers, _ := out["customers"].(map[string]any)
	if customers["item_count"] != 2.0 || customers["has_more"] != true || customers["page"] != 1.0 {
		t.Errorf("customers = %v, want 2 items of page 1 with more to come", customers)
	}
	// Data sources are read while planning: one provider process, one
	// token for every request it makes.
	if got := srv.TokenRequests(); got != 1 {
		t.Errorf("%d token requests, want 1", got)
	}
	stateLacks(t, run, srv.LastIssuedToken(), acctest.AppKey, acctest.ClientSecret)
}

func TestAccAPIRequestRefusesBadArguments(t *testing.T) {
	srv := acctest.StandIn(t)
	for _, tc := range []struct {
		name, args string
		want       []string
	}{
		{"dot segment", `folder = "jpm"` + "\n" + `endpoint = "../crm/customers"`, []string{"Invalid endpoint", `may not be ".."`}},
		{"empty segment", `folder = "jpm"` + "\n" + `endpoint = "jobs//1"`, []string{"Invalid endpoint", "empty path segment"}},
		{"host in endpoint", `folder = "jpm"` + "\n" + `endpoint = "//evil.example/jobs"`, []string{"Invalid endpoint", "scheme or a host"}},
		{"scheme in folder", `folder = "https://evil.example"` + "\n" + `endpoint = "jobs"`, []string{"Invalid folder", "scheme or a host"}},
		{"query in endpoint", `folder = "jpm"` + "\n" + `endpoint = "jobs?page=2"`, []string{"Invalid endpoint", "give query parameters in query"}},
		{"dot folder", `folder = "."` + "\n" + `endpoint = "jobs"`, []string{"Invalid folder"}},
		{"page with all_pages", `folder = "jpm"` + "\n" + `endpoint = "jobs"` + "\n" + `all_pages = true` + "\n" + `query = { page = "2" }`, []string{"Invalid query", "page is set by all_pages"}},
		{"page size too large", `folder = "jpm"` + "\n" + `endpoint = "jobs"` + "\n" + `page_size = 5001`, []string{"Invalid page_size", "from 1 to 5000"}},
		{"page size zero", `folder = "jpm"` + "\n" + `endpoint = "jobs"` + "\n" + `page_size = 0`, []string{"Invalid page_size"}},
		{"max pages zero", `folder = "jpm"` + "\n" + `endpoint = "jobs"` + "\n" + `max_pages = 0`, []string{"Invalid max_pages", "from 1 to 1000"}},
		{"max pages past the bound", `folder = "jpm"` + "\n" + `endpoint = "jobs"` + "\n" + `max_pages = 1000000000000`, []string{"Invalid max_pages", "from 1 to 1000"}},
		{"post to a list", `folder = "jpm"` + "\n" + `endpoint = "jobs"` + "\n" + `method = "POST"`, []string{"Invalid method", "only for the reads ServiceTitan serves by POST", "must never change anything"}},
		{"delete", `folder = "jpm"` + "\n" + `endpoint = "jobs/1"` + "\n" + `method = "DELETE"`, []string{"Invalid method", `not "DELETE"`}},
		{"body with get", `folder = "jpm"` + "\n" + `endpoint = "jobs"` + "\n" + `request_body = "{}"`, []string{"Invalid request_body", "only with method"}},
		{"body not json", `folder = "reporting"` + "\n" + `endpoint = "report-category/ops/reports/7/data"` + "\n" + `method = "POST"` + "\n" + `request_body = "{"`, []string{"Invalid request_body", "must be JSON"}},
		{"from on a list", `folder = "jpm"` + "\n" + `endpoint = "jobs"` + "\n" + `from = "abc"`, []string{"Invalid from", "not one"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+"data \"servicetitan_api_request\" \"r\" {\n"+tc.args+"\n}\n").Run("validate")
			if err == nil {
				t.Fatalf("validate accepted it:\n%s", out)
			}
			for _, w := range tc.want {
				if !acctest.ErrorText(w).MatchString(out) {
					t.Errorf("the error lacks %q:\n%s", w, out)
				}
			}
		})
	}
	if srv.TokenRequests() != 0 || srv.Stats().APIRequests != 0 {
		t.Errorf("validate sent %d token and %d API requests, want none", srv.TokenRequests(), srv.Stats().APIRequests)
	}
}
