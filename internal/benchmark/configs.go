// Package benchmark measures what a `terraform plan` costs with this
// provider, side by side with the cheapest plan the CLI can run (the floor).
// It holds the pieces of cmd/planbench: the stand-in ServiceTitan with an
// injected latency, the runner that alternates plans, the launcher that
// records each provider process's peak RSS, and the report written to
// BENCHMARKS.md. Nothing here runs as part of `make test` except the unit
// tests of the parsers and the report, which assert no timings.
package benchmark

import (
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
	return acctest.RequiredProviders() + acctest.ProviderBlockFor(rootURL, fakeservicetitan.DemoClientID, fakeservicetitan.DemoClientSecret,
		fakeservicetitan.DemoAppKey, fakeservicetitan.DemoTenant) + "\n" + acctest.TokenReads(dataSources, ephemerals)
}
