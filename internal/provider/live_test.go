package provider

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
)

// liveVariables name the credentials of an app installed on a tenant of
// ServiceTitan's integration environment. They are separate from the
// SERVICETITAN_* settings so that production credentials in a developer's
// shell are never sent anywhere by a test.
var liveVariables = []string{
	"SERVICETITAN_INTEGRATION_CLIENT_ID",
	"SERVICETITAN_INTEGRATION_CLIENT_SECRET",
	"SERVICETITAN_INTEGRATION_APP_KEY",
	"SERVICETITAN_INTEGRATION_TENANT_ID",
}

// TestAccLiveIntegrationEnvironment requests real tokens from
// https://auth-integration.servicetitan.io. It is the only test that may
// skip: without credentials there is nothing real to talk to.
func TestAccLiveIntegrationEnvironment(t *testing.T) {
	values := map[string]string{}
	var missing []string
	for _, name := range liveVariables {
		if v := os.Getenv(name); v != "" {
			values[name] = v
		} else {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Skipf("live test against ServiceTitan's integration environment not run: set %s (the credentials of an app installed on an integration tenant) and TF_ACC=1; missing: %s",
			strings.Join(liveVariables, ", "), strings.Join(missing, ", "))
	}
	acctest.ClearServiceTitanEnv(t)
	config := fmt.Sprintf(`
provider "servicetitan" {
  environment   = "integration"
  client_id     = %q
  client_secret = %q
  app_key       = %q
  tenant_id     = %q
}

data "servicetitan_auth_token" "live" {}

ephemeral "servicetitan_auth_token" "live" {}

provider "echo" {
  data = {
    token_type = ephemeral.servicetitan_auth_token.live.token_type
    expires_in = ephemeral.servicetitan_auth_token.live.expires_in
    bearer     = nonsensitive(startswith(ephemeral.servicetitan_auth_token.live.headers["Authorization"], "Bearer "))
  }
}

resource "echo" "live" {}
`, values["SERVICETITAN_INTEGRATION_CLIENT_ID"], values["SERVICETITAN_INTEGRATION_CLIENT_SECRET"],
		values["SERVICETITAN_INTEGRATION_APP_KEY"], values["SERVICETITAN_INTEGRATION_TENANT_ID"])
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   acctest.VersionChecksFor(config),
		ProtoV6ProviderFactories: factories(nil),
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.servicetitan_auth_token.live", "token_type", "Bearer"),
				resource.TestCheckResourceAttr("data.servicetitan_auth_token.live", "environment", "integration"),
				resource.TestCheckResourceAttr("data.servicetitan_auth_token.live", "api_root_url", "https://api-integration.servicetitan.io"),
				resource.TestCheckResourceAttrSet("data.servicetitan_auth_token.live", "expires_at"),
				resource.TestCheckResourceAttr("echo.live", "data.token_type", "Bearer"),
				resource.TestCheckResourceAttr("echo.live", "data.bearer", "true"),
			),
		}},
	})
}
