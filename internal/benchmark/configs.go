// Package benchmark measures what a `terraform plan` costs with this
// provider, side by side with the cheapest plan the CLI can run (the floor).
// It holds the pieces of cmd/planbench: the stand-in ServiceTitan with an
// injected latency, the runner that alternates plans, the launcher that
// records each provider process's peak RSS, and the report written to
// BENCHMARKS.md. Nothing here runs as part of `make test` except the unit
// tests of the parsers and the report, which assert no timings.
package benchmark

import (
	"fmt"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

// FloorConfig is the cheapest plan with a resource: one built-in
// terraform_data resource, no provider to start.
func FloorConfig() string {
	return `resource "terraform_data" "x" {}
`
}

// TokensConfig is acctest.TokenReads against the stand-in at rootURL, with
// the stand-in's demo credentials.
func TokensConfig(rootURL string, dataSources, ephemerals int) string {
	return acctest.RequiredProviders() + fmt.Sprintf(`
provider "servicetitan" {
  auth_root_url = %q
  api_root_url  = %q
  client_id     = %q
  client_secret = %q
  app_key       = %q
  tenant_id     = %q
}

`, rootURL, rootURL, fakeservicetitan.DemoClientID, fakeservicetitan.DemoClientSecret,
		fakeservicetitan.DemoAppKey, fakeservicetitan.DemoTenant) + acctest.TokenReads(dataSources, ephemerals)
}
