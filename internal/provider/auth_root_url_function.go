package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// NewAuthRootURLFunction returns provider::servicetitan::auth_root_url.
func NewAuthRootURLFunction() function.Function {
	return environmentURLFunction{
		name:        "auth_root_url",
		summary:     "Auth root URL of a ServiceTitan environment",
		description: "Returns the root URL of ServiceTitan's auth server for an environment: `https://auth.servicetitan.io` for `production`, `https://auth-integration.servicetitan.io` for `integration`.",
		lookup:      servicetitan.AuthRootURL,
	}
}
