package provider

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

func TestAccAuthTokenDataSourceAttributes(t *testing.T) {
	srv := acctest.StandIn(t)
	const ds = "data.servicetitan_auth_token.t"
	unitTest(t, nil, resource.TestStep{
		Config: acctest.ProviderBlock(srv, `timezone = "Asia/Kolkata"`, `app_id = "app-77"`) + `data "servicetitan_auth_token" "t" {}`,
		Check: resource.ComposeAggregateTestCheckFunc(
			// The token in state is the one the stand-in issued, and the
			// headers carry it with the Bearer prefix servicepytan forgot.
			func(s *terraform.State) error {
				issued := srv.LastIssuedToken()
				attrs := s.RootModule().Resources[ds].Primary.Attributes
				if attrs["access_token"] != issued {
					return fmt.Errorf("access_token is not the token the stand-in issued")
				}
				if attrs["headers.Authorization"] != "Bearer "+issued {
					return fmt.Errorf("headers.Authorization is not \"Bearer <token>\"")
				}
				return nil
			},
			resource.TestCheckResourceAttr(ds, "token_type", "Bearer"),
			resource.TestCheckResourceAttr(ds, "headers.%", "2"),
			resource.TestCheckResourceAttr(ds, "headers.ST-App-Key", acctest.AppKey),
			resource.TestCheckResourceAttr(ds, "scopes.#", "2"),
			resource.TestCheckTypeSetElemAttr(ds, "scopes.*", "tn.jpm.jobs:r"),
			resource.TestCheckTypeSetElemAttr(ds, "scopes.*", "tn.crm.customers:r"),
			resource.TestCheckResourceAttr(ds, "tenant_id", acctest.TenantID),
			resource.TestCheckResourceAttr(ds, "app_id", "app-77"),
			resource.TestCheckResourceAttr(ds, "environment", "integration"),
			resource.TestCheckResourceAttr(ds, "api_root_url", srv.URL()),
			resource.TestCheckResourceAttrWith(ds, "expires_in", func(v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 800 || n > 900 {
					return fmt.Errorf("expires_in %q, want the seconds left of a fresh 900 s token", v)
				}
				return nil
			}),
			resource.TestCheckResourceAttrWith(ds, "expires_at", func(v string) error {
				at, err := time.Parse(time.RFC3339, v)
				if err != nil {
					return fmt.Errorf("expires_at %q is not RFC 3339: %v", v, err)
				}
				if !strings.HasSuffix(v, "+05:30") {
					return fmt.Errorf("expires_at %q is not in the configured Asia/Kolkata zone", v)
				}
				if d := time.Until(at); d < 800*time.Second || d > 900*time.Second {
					return fmt.Errorf("expires_at %q is %s away, want about 900s", v, d)
				}
				return nil
			}),
		),
	})
}

func TestAccManyTokensCostOneRequestPerProviderProcess(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Latency = 50 * time.Millisecond })
	// The echo provider hands the ephemeral tokens' types back into the
	// state, so the check below sees that all five were opened.
	cfg := acctest.ProviderBlock(srv) + acctest.TokenReads(20, 5) + `
provider "echo" {
  data = [for e in [ephemeral.servicetitan_auth_token.e0, ephemeral.servicetitan_auth_token.e1, ephemeral.servicetitan_auth_token.e2,
  ephemeral.servicetitan_auth_token.e3, ephemeral.servicetitan_auth_token.e4] : e.token_type]
}
resource "echo" "tokens" {}
`
	inst := &instances{}
	unitTest(t, inst, resource.TestStep{
		Config: cfg,
		Check: resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr("echo.tokens", "data.#", "5"),
			resource.TestCheckResourceAttr("data.servicetitan_auth_token.d19", "token_type", "Bearer"),
		),
	})
	perProcess := inst.perProcess()
	total := 0
	for id, n := range perProcess {
		total += n
		if n != 1 {
			t.Errorf("provider process %d made %d token requests for 20 data sources and 5 ephemeral resources, want 1", id, n)
		}
	}
	if got := srv.TokenRequests(); got != total || got == 0 {
		t.Errorf("the stand-in counted %d token requests; the %d provider processes that needed a token made %d", got, len(perProcess), total)
	}
	t.Logf("%d provider processes, %d of them requested a token, %d token requests in all", inst.n.Load(), len(perProcess), srv.TokenRequests())
}
