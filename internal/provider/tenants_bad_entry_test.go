package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

// What the many-tenants guide says of one wrong entry: the reads that name
// it fail with an error that names the entry, and with them the whole plan:
// the other tenants' reads succeed, but nothing is applied and no state is
// written.
func TestAccManyTenantsOneBadEntry(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) {
		c.Clients = append(c.Clients, fakeservicetitan.Client{ID: accSouthClientID, Secret: accSouthSecret, Tenant: accSouthTenant})
	})
	tenants := `tenants = {
    north = { tenant_id = "` + acctest.TenantID + `", client_id = "` + acctest.ClientID + `", client_secret = "` + acctest.ClientSecret + `" }
    south = { tenant_id = "` + accSouthTenant + `", client_id = "` + accSouthClientID + `", client_secret = "not-the-secret" }
  }`
	run := acctest.NewCLIRun(t, acctest.ProviderBlock(srv, tenants)+`
data "servicetitan_api_request" "job_types" {
  for_each  = toset(["north", "south"])
  tenant    = each.key
  folder    = "jpm"
  endpoint  = "job-types"
}

output "counts" {
  value = { for k, r in data.servicetitan_api_request.job_types : k => r.item_count }
}
`)
	out, err := run.Run("apply", "-auto-approve", "-input=false")
	if err == nil {
		t.Fatalf("apply succeeded with a wrong client secret for one tenant:\n%s", out)
	}
	for _, want := range []string{`data.servicetitan_api_request.job_types["south"]`, "invalid_client", `tenants["south"].client_secret`} {
		if !acctest.ErrorText(want).MatchString(out) {
			t.Errorf("the error does not say %q:\n%s", want, out)
		}
	}
	if acctest.ErrorText(`with data.servicetitan_api_request.job_types["north"]`).MatchString(out) {
		t.Errorf("the good tenant's read failed too:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(run.Dir, "terraform.tfstate")); err == nil {
		state, _ := os.ReadFile(filepath.Join(run.Dir, "terraform.tfstate"))
		if strings.Contains(string(state), "job_types") {
			t.Errorf("a failed plan wrote the good tenant's read to the state:\n%s", state)
		}
	}
}
