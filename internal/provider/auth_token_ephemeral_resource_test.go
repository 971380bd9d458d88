package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
)

func TestAccAuthTokenEphemeralResource(t *testing.T) {
	srv := acctest.StandIn(t)
	unitTest(t, nil, resource.TestStep{
		// The echo provider turns the ephemeral values it is configured
		// with into state, so only non-secret facts are passed through it;
		// the token itself is compared inside the configuration.
		Config: acctest.ProviderBlock(srv, `timezone = "America/Sao_Paulo"`) + `
ephemeral "servicetitan_auth_token" "t" {}

provider "echo" {
  data = {
    token_type       = ephemeral.servicetitan_auth_token.t.token_type
    expires_at       = ephemeral.servicetitan_auth_token.t.expires_at
    scopes           = ephemeral.servicetitan_auth_token.t.scopes
    tenant_id        = ephemeral.servicetitan_auth_token.t.tenant_id
    environment      = ephemeral.servicetitan_auth_token.t.environment
    app_key_header   = nonsensitive(ephemeral.servicetitan_auth_token.t.headers["ST-App-Key"] == "` + acctest.AppKey + `")
    bearer_header    = nonsensitive(ephemeral.servicetitan_auth_token.t.headers["Authorization"] == "Bearer ${ephemeral.servicetitan_auth_token.t.access_token}")
    token_is_a_jwt   = nonsensitive(length(split(".", ephemeral.servicetitan_auth_token.t.access_token)) == 3)
  }
}

resource "echo" "token" {}
`,
		Check: resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr("echo.token", "data.token_type", "Bearer"),
			resource.TestMatchResourceAttr("echo.token", "data.expires_at", acctest.ErrorText(`-03:00`)),
			resource.TestCheckResourceAttr("echo.token", "data.scopes.#", "2"),
			resource.TestCheckResourceAttr("echo.token", "data.tenant_id", acctest.TenantID),
			resource.TestCheckResourceAttr("echo.token", "data.environment", "integration"),
			resource.TestCheckResourceAttr("echo.token", "data.app_key_header", "true"),
			resource.TestCheckResourceAttr("echo.token", "data.bearer_header", "true"),
			resource.TestCheckResourceAttr("echo.token", "data.token_is_a_jwt", "true"),
			noTokenInState(srv.LastIssuedToken),
		),
	})
	if srv.TokenRequests() == 0 {
		t.Fatal("the ephemeral resource requested no token")
	}
}

// noTokenInState fails when any attribute of any resource in the state holds
// the token, or when the ephemeral resource itself was recorded.
func noTokenInState(token func() string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		tok := token()
		if tok == "" {
			return fmt.Errorf("the stand-in issued no token")
		}
		for addr, rs := range s.RootModule().Resources {
			if strings.HasPrefix(addr, "ephemeral.") {
				return fmt.Errorf("ephemeral resource %s is in the state", addr)
			}
			for k, v := range rs.Primary.Attributes {
				if strings.Contains(v, tok) {
					return fmt.Errorf("state attribute %s.%s holds the issued token", addr, k)
				}
			}
		}
		return nil
	}
}
