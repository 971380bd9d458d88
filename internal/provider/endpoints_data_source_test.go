package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
)

func TestAccEndpointsDataSource(t *testing.T) {
	acctest.ClearServiceTitanEnv(t)
	// No credentials and no server: the data source needs neither, since
	// it makes no request.
	unitTest(t, nil, resource.TestStep{
		Config: `
provider "servicetitan" {
  environment = "integration"
}

data "servicetitan_endpoints" "provider_env" {}

data "servicetitan_endpoints" "production" {
  environment = "production"
}
`,
		Check: resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr("data.servicetitan_endpoints.provider_env", "environment", "integration"),
			resource.TestCheckResourceAttr("data.servicetitan_endpoints.provider_env", "auth_root_url", "https://auth-integration.servicetitan.io"),
			resource.TestCheckResourceAttr("data.servicetitan_endpoints.provider_env", "api_root_url", "https://api-integration.servicetitan.io"),
			resource.TestCheckResourceAttr("data.servicetitan_endpoints.provider_env", "token_url", "https://auth-integration.servicetitan.io/connect/token"),
			resource.TestCheckResourceAttr("data.servicetitan_endpoints.production", "environment", "production"),
			resource.TestCheckResourceAttr("data.servicetitan_endpoints.production", "auth_root_url", "https://auth.servicetitan.io"),
			resource.TestCheckResourceAttr("data.servicetitan_endpoints.production", "api_root_url", "https://api.servicetitan.io"),
			resource.TestCheckResourceAttr("data.servicetitan_endpoints.production", "token_url", "https://auth.servicetitan.io/connect/token"),
		),
	})
}

func TestAccEndpointsDataSourceFollowsOverrides(t *testing.T) {
	acctest.ClearServiceTitanEnv(t)
	t.Setenv("SERVICETITAN_AUTH_ROOT_URL", "http://127.0.0.1:9")
	unitTest(t, nil, resource.TestStep{
		Config: `
provider "servicetitan" {}
data "servicetitan_endpoints" "e" {}
`,
		Check: resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr("data.servicetitan_endpoints.e", "environment", "production"),
			resource.TestCheckResourceAttr("data.servicetitan_endpoints.e", "token_url", "http://127.0.0.1:9/connect/token"),
			resource.TestCheckResourceAttr("data.servicetitan_endpoints.e", "api_root_url", "https://api.servicetitan.io"),
		),
	})
}

func TestAccEndpointsDataSourceRejectsUnknownEnvironment(t *testing.T) {
	acctest.ClearServiceTitanEnv(t)
	unitTest(t, nil, resource.TestStep{
		Config: `
provider "servicetitan" {}
data "servicetitan_endpoints" "e" {
  environment = "staging"
}
`,
		ExpectError: acctest.ErrorText(`The value "staging" of attribute "environment" is not allowed: valid environments are "production" and "integration"`),
	})
}
