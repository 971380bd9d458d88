// Package benchmark measures what a `terraform plan` costs with this
// provider, side by side with the cheapest plan the CLI can run (the floor),
// and servicetitan_api_request side by side with the http data source
// recipe. It holds the pieces of cmd/planbench: the stand-in ServiceTitan
// with an injected latency, the configurations, the runner that alternates
// plans, the launcher that records each provider process's peak RSS, and
// the report written to BENCHMARKS.md. Nothing here runs as part of `make
// test` except the unit tests of the parsers, the configurations and the
// report, which assert no timings.
package benchmark

import (
	"fmt"
	"strings"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

// HTTPProviderSource is the provider of the do-it-yourself recipe, which
// calls the API with the http data source and a servicetitan_auth_token's
// headers.
const HTTPProviderSource = "hashicorp/http"

// FloorConfig is the cheapest plan with a resource: one built-in
// terraform_data resource, no provider to start.
func FloorConfig() string {
	return `resource "terraform_data" "x" {}
`
}

// TokensConfig is acctest.TokenReads against the stand-in at rootURL, with
// the stand-in's demo credentials.
func TokensConfig(rootURL string, dataSources, ephemerals int) string {
	return acctest.RequiredProviders() + providerBlock(rootURL) + "\n" + acctest.TokenReads(dataSources, ephemerals)
}

func providerBlock(rootURL string) string {
	return acctest.ProviderBlockFor(rootURL, fakeservicetitan.DemoClientID, fakeservicetitan.DemoClientSecret,
		fakeservicetitan.DemoAppKey, fakeservicetitan.DemoTenant)
}

// requiredProviders names this provider and, with http, hashicorp/http.
func requiredProviders(http bool) string {
	if !http {
		return acctest.RequiredProviders()
	}
	return fmt.Sprintf("terraform {\n  required_providers {\n    servicetitan = {\n      source = %q\n    }\n    http = {\n      source = %q\n    }\n  }\n}\n",
		acctest.ProviderSource, HTTPProviderSource)
}

// The recipe's requests: URLs made of the token data source's api_root_url
// and tenant_id, its headers as request_headers, and a postcondition on the
// status, since the http data source takes any status for an answer (ours
// fails on one that is not 2xx).
const (
	recipeToken = `data "servicetitan_auth_token" "this" {}
`
	recipeURLPrefix = `${data.servicetitan_auth_token.this.api_root_url}/%s/v2/tenant/${data.servicetitan_auth_token.this.tenant_id}/%s`
	recipeRequest   = `
  request_headers = data.servicetitan_auth_token.this.headers

  lifecycle {
    postcondition {
      condition     = self.status_code == 200
      error_message = "ServiceTitan answered ${self.status_code}"
    }
  }
`
)

// LookupsConfig is n small lookups in one plan: business units, 1 to 4 of
// them per read (pageSize), each one request. With http they are the
// recipe's, n http data sources and one servicetitan_auth_token; without,
// n servicetitan_api_request data sources. Both use every answer the same
// way: a terraform_data resource takes the first unit's id of each.
func LookupsConfig(rootURL string, n int, http bool) string {
	var b strings.Builder
	b.WriteString(requiredProviders(http) + providerBlock(rootURL) + "\n")
	ref := "data.servicetitan_api_request.lookup"
	if http {
		ref = "data.http.lookup"
		b.WriteString(recipeToken + "\n")
		fmt.Fprintf(&b, "data \"http\" \"lookup\" {\n  count = %d\n  url   = \"%s?pageSize=${count.index %% 4 + 1}\"\n%s}\n",
			n, fmt.Sprintf(recipeURLPrefix, "settings", "business-units"), recipeRequest)
	} else {
		fmt.Fprintf(&b, `data "servicetitan_api_request" "lookup" {
  count     = %d
  folder    = "settings"
  endpoint  = "business-units"
  page_size = count.index %% 4 + 1
}
`, n)
	}
	fmt.Fprintf(&b, "\nresource \"terraform_data\" \"use\" {\n  input = [for r in %s : jsondecode(r.response_body).data[0].id]\n}\n", ref)
	return b.String()
}

// JobsConfig reads the whole job list and counts the jobs after decoding
// them. Without http it is one servicetitan_api_request with all_pages
// (pages of 5000); with http it is the recipe: pages http data sources of
// pageSize 5000, read side by side, whose number the configuration must
// know beforehand.
func JobsConfig(rootURL string, pages int, http bool) string {
	var b strings.Builder
	b.WriteString(requiredProviders(http) + providerBlock(rootURL) + "\n")
	if http {
		b.WriteString(recipeToken + "\n")
		fmt.Fprintf(&b, "data \"http\" \"jobs\" {\n  count = %d\n  url   = \"%s?page=${count.index + 1}&pageSize=5000\"\n%s}\n",
			pages, fmt.Sprintf(recipeURLPrefix, "jpm", "jobs"), recipeRequest)
		b.WriteString("\nresource \"terraform_data\" \"use\" {\n  input = length(flatten([for p in data.http.jobs : jsondecode(p.response_body).data]))\n}\n")
		return b.String()
	}
	b.WriteString(`data "servicetitan_api_request" "jobs" {
  folder    = "jpm"
  endpoint  = "jobs"
  all_pages = true
}

resource "terraform_data" "use" {
  input = length(jsondecode(data.servicetitan_api_request.jobs.items_json))
}
`)
	return b.String()
}
