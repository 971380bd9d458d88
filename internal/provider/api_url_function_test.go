package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
)

func TestAccAPIURLFunction(t *testing.T) {
	acctest.ClearServiceTitanEnv(t)
	unitTest(t, nil,
		resource.TestStep{
			Config: `
output "jobs" {
  value = provider::servicetitan::api_url("production", "jpm", "1234", "jobs")
}
output "numeric_tenant" {
  value = provider::servicetitan::api_url("integration", "crm", 42, "customers/7")
}
output "escaped" {
  value = provider::servicetitan::api_url("production", "jpm", "1234", "jobs list")
}
output "on_a_root" {
  value = provider::servicetitan::api_url("https://st-proxy.example.com/", "jpm", "1234", "jobs")
}
`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckOutput("jobs", "https://api.servicetitan.io/jpm/v2/tenant/1234/jobs"),
				resource.TestCheckOutput("escaped", "https://api.servicetitan.io/jpm/v2/tenant/1234/jobs%20list"),
				resource.TestCheckOutput("numeric_tenant", "https://api-integration.servicetitan.io/crm/v2/tenant/42/customers/7"),
				resource.TestCheckOutput("on_a_root", "https://st-proxy.example.com/jpm/v2/tenant/1234/jobs"),
			),
		},
		resource.TestStep{
			Config:      `output "bad" { value = provider::servicetitan::api_url("prod", "jpm", "1234", "jobs") }`,
			ExpectError: acctest.ErrorText(`unknown ServiceTitan environment "prod": valid environments are "production" and "integration"`),
		},
		resource.TestStep{
			// A root is checked like api_root_url: no token in clear text to another host.
			Config:      `output "bad" { value = provider::servicetitan::api_url("http://api.example.com", "jpm", "1234", "jobs") }`,
			ExpectError: acctest.ErrorText(`invalid API root URL "http://api.example.com": must use https`),
		},
		resource.TestStep{
			Config:      `output "bad" { value = provider::servicetitan::api_url("production", "jpm", "12ab", "jobs") }`,
			ExpectError: acctest.ErrorText(`invalid tenant_id "12ab": a tenant ID is digits only`),
		},
		resource.TestStep{
			Config:      `output "bad" { value = provider::servicetitan::api_url("production", "jpm/v2", "1234", "jobs") }`,
			ExpectError: acctest.ErrorText(`invalid folder "jpm/v2"`),
		},
		resource.TestStep{
			// The error is pinned to the argument it is about.
			Config:      `output "bad" { value = provider::servicetitan::api_url("production", "jpm", "1234", "../../x") }`,
			ExpectError: acctest.ErrorText(`Invalid value for "endpoint" parameter: invalid endpoint "../../x": a path segment may not be ".."`),
		},
		resource.TestStep{
			Config:      `output "bad" { value = provider::servicetitan::api_url("production", "..", "1234", "jobs") }`,
			ExpectError: acctest.ErrorText(`Invalid value for "folder" parameter: invalid folder ".."`),
		},
	)
}
