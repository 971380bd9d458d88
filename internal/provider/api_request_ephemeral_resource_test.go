package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
)

// The ephemeral resource's response reaches the configuration, here the
// echo provider, and nothing of it the state but what the configuration
// itself passes on: no customer's name, no token, no app key.
func TestAccAPIRequestEphemeralResourceKeepsTheResponseOutOfState(t *testing.T) {
	srv := acctest.StandIn(t)
	unitTest(t, nil, resource.TestStep{
		Config: acctest.ProviderBlock(srv) + `
ephemeral "servicetitan_api_request" "customers" {
  folder    = "crm"
  endpoint  = "customers"
  all_pages = true
}

provider "echo" {
  data = {
    item_count   = ephemeral.servicetitan_api_request.customers.item_count
    active_count = length([for c in jsondecode(ephemeral.servicetitan_api_request.customers.items_json) : c if c.active])
  }
}

resource "echo" "summary" {}
`,
		Check: resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr("echo.summary", "data.item_count", "3"),
			resource.TestCheckResourceAttr("echo.summary", "data.active_count", "2"),
			func(s *terraform.State) error {
				for addr, rs := range s.RootModule().Resources {
					if strings.HasPrefix(addr, "ephemeral.") {
						return fmt.Errorf("ephemeral resource %s is in the state", addr)
					}
					for k, v := range rs.Primary.Attributes {
						for _, secret := range []string{"Avery Johnson", "Northwind", srv.LastIssuedToken(), acctest.AppKey} {
							if strings.Contains(v, secret) {
								return fmt.Errorf("state attribute %s.%s holds %q", addr, k, secret)
							}
						}
					}
				}
				return nil
			},
		),
	})
}
