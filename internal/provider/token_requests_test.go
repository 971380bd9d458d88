package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

func TestAccPlanOfManyTokensMakesOneTokenRequest(t *testing.T) {
	srv := acctest.StandIn(t)
	run := acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+acctest.TokenReads(20, 5))
	out := run.MustRun("plan")
	// Terraform starts the provider for schema, validation and plan; only
	// the plan process reads data sources and opens ephemeral resources.
	if n := srv.TokenRequests(); n != 1 {
		t.Fatalf("terraform plan with 20 token data sources and 5 ephemeral tokens made %d token requests, want 1\n%s", n, out)
	}
}

func TestAccApplyWithEphemeralTokensMakesTwoTokenRequests(t *testing.T) {
	srv := acctest.StandIn(t)
	run := acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+acctest.TokenReads(20, 5))
	run.MustRun("apply", "-auto-approve")
	// The plan phase reads the data sources and opens the ephemeral tokens;
	// the apply phase is a fresh process that opens the ephemeral tokens again.
	if n := srv.TokenRequests(); n != 2 {
		t.Fatalf("terraform apply made %d token requests, want 2 (one per phase)", n)
	}
	state := run.MustRun("show", "-json")
	if issued := srv.LastIssuedToken(); issued == "" || strings.Contains(state, issued) {
		t.Fatal("the token opened during apply is in the state")
	}
}

func TestAccAliasesHaveTheirOwnTokens(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) {
		c.Clients = append(c.Clients, fakeservicetitan.Client{ID: "second-client", Secret: "second-secret-value", Tenant: "9876"})
	})
	run := acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+fmt.Sprintf(`
provider "servicetitan" {
  alias         = "second"
  auth_root_url = %q
  api_root_url  = %q
  client_id     = "second-client"
  client_secret = "second-secret-value"
  app_key       = %q
  tenant_id     = "9876"
}

data "servicetitan_auth_token" "first_a" {}
data "servicetitan_auth_token" "first_b" {}
data "servicetitan_auth_token" "second_a" {
  provider = servicetitan.second
}
data "servicetitan_auth_token" "second_b" {
  provider = servicetitan.second
}

output "tenants" {
  value = [data.servicetitan_auth_token.first_a.tenant_id, data.servicetitan_auth_token.second_a.tenant_id]
}
output "same_token_within_a_configuration" {
  value = nonsensitive(data.servicetitan_auth_token.first_a.access_token == data.servicetitan_auth_token.first_b.access_token &&
  data.servicetitan_auth_token.second_a.access_token == data.servicetitan_auth_token.second_b.access_token)
}
output "different_tokens_across_configurations" {
  value = nonsensitive(data.servicetitan_auth_token.first_a.access_token != data.servicetitan_auth_token.second_a.access_token)
}
`, srv.URL(), srv.URL(), acctest.AppKey))
	run.MustRun("apply", "-auto-approve")
	outputs := run.Outputs()
	if got := fmt.Sprint(outputs["tenants"]); got != "[4321 9876]" {
		t.Errorf("tenants = %s, want each alias's own tenant", got)
	}
	if outputs["same_token_within_a_configuration"] != true || outputs["different_tokens_across_configurations"] != true {
		t.Errorf("token sharing is not per provider configuration: %v", outputs)
	}
	// One plan process per configuration, one request each; apply reads nothing new.
	if n := srv.TokenRequests(); n != 2 {
		t.Errorf("two provider configurations made %d token requests, want 2", n)
	}
}
