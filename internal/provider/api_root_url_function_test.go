package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
)

func TestAccAPIRootURLFunction(t *testing.T) {
	acctest.ClearServiceTitanEnv(t)
	unitTest(t, nil,
		resource.TestStep{
			Config: `
output "production"  { value = provider::servicetitan::api_root_url("production") }
output "integration" { value = provider::servicetitan::api_root_url("integration") }
`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckOutput("production", "https://api.servicetitan.io"),
				resource.TestCheckOutput("integration", "https://api-integration.servicetitan.io"),
			),
		},
		resource.TestStep{
			Config:      `output "bad" { value = provider::servicetitan::api_root_url("sandbox") }`,
			ExpectError: acctest.ErrorText(`unknown ServiceTitan environment "sandbox": valid environments are "production" and "integration"`),
		},
	)
}
