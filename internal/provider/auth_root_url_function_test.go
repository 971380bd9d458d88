package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
)

func TestAccAuthRootURLFunction(t *testing.T) {
	acctest.ClearServiceTitanEnv(t)
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
			ExpectError: acctest.ErrorText(`unknown ServiceTitan environment "Production": valid environments are "production" and "integration"`),
		},
	)
}
