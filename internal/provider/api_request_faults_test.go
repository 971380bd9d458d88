package provider

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

// What a user sees of servicetitan_api_request through the CLI: paging,
// resumed exports, a refused token, throttling, redirects, bounds and
// Ctrl-C.

const allJobsConfig = `
data "servicetitan_api_request" "jobs" {
  folder    = "jpm"
  endpoint  = "jobs"
  all_pages = true
}
output "jobs" {
  value = {
    item_count = data.servicetitan_api_request.jobs.item_count
    page_count = data.servicetitan_api_request.jobs.page_count
    last_id    = jsondecode(data.servicetitan_api_request.jobs.items_json)[data.servicetitan_api_request.jobs.item_count - 1].id
  }
}
`

func TestAccAPIRequestReadsAllOf12345Jobs(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Jobs = 12345 })
	run := acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+allJobsConfig)
	run.MustRun("apply", "-auto-approve")
	jobs, _ := run.Outputs()["jobs"].(map[string]any)
	if jobs["item_count"] != 12345.0 || jobs["page_count"] != 3.0 || jobs["last_id"] != 10001.0+12344 {
		t.Errorf("jobs = %v, want 12345 items in 3 pages, the last job 22345", jobs)
	}
	if got := srv.Stats(); got.APIRequests != 3 || got.TokenRequests != 1 {
		t.Errorf("%d API and %d token requests, want 3 and 1", got.APIRequests, got.TokenRequests)
	}
}

func TestAccAPIRequestResumesAnExport(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Jobs = 1500 })
	config := acctest.ProviderBlock(srv) + `
variable "from" {
  type    = string
  default = null
}
data "servicetitan_api_request" "jobs" {
  folder    = "jpm"
  endpoint  = "export/jobs"
  all_pages = true
  from      = var.from
}
output "count" { value = data.servicetitan_api_request.jobs.item_count }
output "continue_from" { value = data.servicetitan_api_request.jobs.continue_from }
`
	run := acctest.NewCLIRun(t, config)
	run.MustRun("apply", "-auto-approve")
	out := run.Outputs()
	from, _ := out["continue_from"].(string)
	if out["count"] != 1500.0 || from == "" {
		t.Fatalf("the first export read %v jobs and continues from %q", out["count"], from)
	}
	srv.AddJobs(5)
	run.MustRun("apply", "-auto-approve", "-var", "from="+from)
	if got := run.Outputs()["count"]; got != 5.0 {
		t.Errorf("the resumed export read %v jobs, want only the 5 new ones", got)
	}
}

func TestAccAPIRequestRefreshesARefusedTokenAndWaitsOutA429(t *testing.T) {
	srv := acctest.StandIn(t)
	srv.InjectAPIFaults(
		fakeservicetitan.Fault{Status: 401, Body: `{"title":"access token revoked","status":401}`},
		fakeservicetitan.Fault{Status: 429, Headers: map[string]string{"Retry-After": "1"}},
	)
	acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+allJobsConfig).MustRun("plan")
	if got := srv.Stats(); got.TokenRequests != 2 || got.APIRequests != 3 {
		t.Errorf("%d token and %d API requests, want 2 (one refresh) and 3 (401, 429, 200)", got.TokenRequests, got.APIRequests)
	}
}

func TestAccAPIRequestBoundsEndlessPages(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.EndlessLists = true })
	out, err := acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+`
data "servicetitan_api_request" "jobs" {
  folder    = "jpm"
  endpoint  = "jobs"
  all_pages = true
  page_size = 1
  max_pages = 5
}
`).Run("plan")
	if err == nil {
		t.Fatalf("a list that never ends was read:\n%s", out)
	}
	if !acctest.ErrorText("the list has more than max_pages (5) pages of 1: 5 items read so far").MatchString(out) {
		t.Errorf("the error does not name max_pages and the count so far:\n%s", out)
	}
	out = acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+`
data "servicetitan_api_request" "export" {
  folder    = "jpm"
  endpoint  = "export/jobs"
  all_pages = true
  max_pages = 2
}
output "has_more" { value = data.servicetitan_api_request.export.has_more }
`).MustRun("plan")
	for _, want := range []string{"ServiceTitan API read stopped early", "the export stopped at max_pages (2 requests", "has_more = true"} {
		if !acctest.ErrorText(want).MatchString(out) {
			t.Errorf("the plan does not say %q:\n%s", want, out)
		}
	}
}

func TestAccAPIRequestNeverFollowsARedirect(t *testing.T) {
	var reached atomic.Int32
	l, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no 127.0.0.2 to stand for another host: %v", err)
	}
	other := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Add(1) }))
	other.Listener = l
	other.Start()
	defer other.Close()
	srv := acctest.StandIn(t)
	srv.InjectAPIFaults(fakeservicetitan.Fault{Status: 302, Headers: map[string]string{"Location": other.URL + "/jobs"}})
	out, err := acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+allJobsConfig).Run("plan")
	if err == nil {
		t.Fatalf("the redirect was followed to an answer:\n%s", out)
	}
	if !acctest.ErrorText("the server redirected to " + other.URL + ", which is never followed").MatchString(out) {
		t.Errorf("the error does not say where the redirect pointed:\n%s", out)
	}
	if reached.Load() != 0 {
		t.Errorf("the other host received %d requests", reached.Load())
	}
}

// Terraform reads ten data sources at a time; 200 lookups in one plan stay
// under ServiceTitan's 60 requests a second.
func TestAccAPIRequest200LookupsMeetNo429(t *testing.T) {
	srv := acctest.StandIn(t)
	acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+`
data "servicetitan_api_request" "unit" {
  count    = 200
  folder   = "settings"
  endpoint = "business-units"
  query    = { page = tostring(count.index % 3 + 1) }
}
`).MustRun("plan")
	got := srv.Stats()
	if got.RateLimited != 0 {
		t.Errorf("the stand-in answered %d of %d API requests with 429", got.RateLimited, got.APIRequests)
	}
	if got.APIRequests != 200 || got.TokenRequests != 1 {
		t.Errorf("%d API and %d token requests, want 200 and 1", got.APIRequests, got.TokenRequests)
	}
}

func TestAccCtrlCStopsAnAPIWait(t *testing.T) {
	for _, command := range []string{"plan", "apply"} {
		t.Run(command, func(t *testing.T) {
			srv := acctest.StandIn(t)
			srv.InjectAPIFaults(fakeservicetitan.Fault{Status: 503, Headers: map[string]string{"Retry-After": fmt.Sprint(int(ctrlCRetryAfter.Seconds()))}})
			run := acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+allJobsConfig)
			out := interruptWhileWaiting(t, run, command)
			want := "the API request was interrupted (Ctrl-C, or the run was stopped) while waiting 25s, as ServiceTitan's Retry-After asked after HTTP 503 (attempt 1 of 5), before ServiceTitan answered"
			if !acctest.ErrorText(want).MatchString(out) {
				t.Errorf("the output does not say %q:\n%s", want, out)
			}
			if strings.Contains(out, "context canceled") {
				t.Errorf("the output says a bare \"context canceled\":\n%s", out)
			}
		})
	}
}

// A trace log of the provider shows each API request's method, URL,
// status, attempt and duration, and none of the token, the app key or the
// body.
func TestAccAPIRequestLogsHoldNoSecretOrBody(t *testing.T) {
	srv := acctest.StandIn(t)
	logPath := filepath.Join(t.TempDir(), "provider.log")
	acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+`
data "servicetitan_api_request" "jobs" {
  folder   = "jpm"
  endpoint = "jobs"
  query    = { active = "true" }
}
`, "TF_LOG_PROVIDER=trace", "TF_LOG_PATH="+logPath).MustRun("plan")

	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ServiceTitan API request:", " method=GET", " attempt=1", "url=" + srv.URL() + "/jpm/v2/tenant/" + acctest.TenantID + "/jobs?active=true", "ServiceTitan API response:", " status=200", " duration_ms="} {
		if !strings.Contains(string(log), want) {
			t.Errorf("the log lacks %s", want)
		}
	}
	for _, secret := range []string{srv.LastIssuedToken(), acctest.AppKey, acctest.ClientSecret, "Annual furnace maintenance"} {
		if strings.Contains(string(log), secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}
