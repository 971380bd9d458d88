package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestAuthRootURLFunction(t *testing.T) {
	clearServiceTitanEnv(t)
	unitTest(t, nil,
		resource.TestStep{
			Config: `
output "production"  { value = provider::servicetitan::auth_root_url("production") }
output "integration" { value = provider::servicetitan::auth_root_url("integration") }
`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckOutput("production", "https://auth.servicetitan.io"),
				resource.TestCheckOutput("integration", "https://auth-integration.servicetitan.io"),
			),
		},
		resource.TestStep{
			Config:      `output "bad" { value = provider::servicetitan::auth_root_url("Production") }`,
			ExpectError: errorText(`unknown ServiceTitan environment "Production": valid environments are "production" and "integration"`),
		},
	)
}
