// Package benchmark measures what a `terraform plan` costs with this
// provider, side by side with the cheapest plan the CLI can run (the floor).
// It holds the pieces of cmd/planbench: the configurations, the stand-in
// ServiceTitan with 50 ms of latency, the runner that alternates plans, the
// launcher that records each provider process's peak RSS, and the report
// written to BENCHMARKS.md. Nothing here runs as part of `make test`
// except the unit tests of the parsers and the report, which assert no
// timings.
package benchmark

import (
	"fmt"
	"strings"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

// FloorConfig is the cheapest plan with a resource: one built-in
// terraform_data resource, no provider to start.
func FloorConfig() string {
	return `resource "terraform_data" "x" {}
`
}

// TokensConfig declares dataSources servicetitan_auth_token data sources and
// ephemerals ephemeral tokens against the stand-in at rootURL. A
// terraform_data resource uses every one of them: the data sources through
// its input, the ephemeral tokens through a provisioner's environment, so
// that the plan reads and opens them all (a provisioner runs only on apply,
// but its references are evaluated in the plan).
func TokensConfig(rootURL string, dataSources, ephemerals int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `terraform {
  required_providers {
    servicetitan = {
      source = %q
    }
  }
}

provider "servicetitan" {
  auth_root_url = %q
  api_root_url  = %q
  client_id     = %q
  client_secret = %q
  app_key       = %q
  tenant_id     = %q
}
`, acctest.ProviderSource, rootURL, rootURL, fakeservicetitan.DemoClientID, fakeservicetitan.DemoClientSecret,
		fakeservicetitan.DemoAppKey, fakeservicetitan.DemoTenant)
	for i := range dataSources {
		fmt.Fprintf(&b, "\ndata \"servicetitan_auth_token\" \"d%d\" {}", i)
	}
	b.WriteString("\n")
	for i := range ephemerals {
		fmt.Fprintf(&b, "\nephemeral \"servicetitan_auth_token\" \"e%d\" {}", i)
	}
	b.WriteString("\n\nresource \"terraform_data\" \"x\" {\n")
	b.WriteString("  input = [" + acctest.Refs("data.servicetitan_auth_token.d%d.expires_at", dataSources) + "]\n")
	if ephemerals > 0 {
		b.WriteString(`
  provisioner "local-exec" {
    command     = "test -n \"$TOKENS\""
    environment = { TOKENS = join(",", [` + acctest.Refs("ephemeral.servicetitan_auth_token.e%d.token_type", ephemerals) + `]) }
  }
`)
	}
	b.WriteString("}\n")
	return b.String()
}
