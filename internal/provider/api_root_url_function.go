package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// NewAPIRootURLFunction returns provider::servicetitan::api_root_url.
func NewAPIRootURLFunction() function.Function {
	return environmentURLFunction{
		name:        "api_root_url",
		summary:     "API root URL of a ServiceTitan environment",
		description: "Returns the root URL of ServiceTitan's API for an environment: `https://api.servicetitan.io` for `production`, `https://api-integration.servicetitan.io` for `integration`.",
		lookup:      servicetitan.APIRootURL,
	}
}
