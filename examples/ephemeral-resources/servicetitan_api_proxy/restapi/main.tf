# A provider block that outlasts a token: the generic Mastercard/restapi
# provider, configured once for the whole run, sends its requests to the
# proxy, which puts a fresh token and the app key on each. Configured with
# the servicetitan_auth_token ephemeral resource's headers instead, it
# would keep the token it started with and fail with 401 once an apply
# outlasts it.
terraform {
  required_providers {
    servicetitan = {
      source = "servicetitan-tf/servicetitan"
    }
    restapi = {
      source = "Mastercard/restapi"
    }
  }
}

variable "servicetitan_tenant_id" {
  type = string
}

provider "servicetitan" {
  tenant_id = var.servicetitan_tenant_id
}

ephemeral "servicetitan_api_proxy" "this" {}

provider "restapi" {
  uri                  = ephemeral.servicetitan_api_proxy.this.url
  write_returns_object = true
}

# Paths are below the API root, for the proxy's tenant only. The proxy's
# tenant_id is ephemeral, so paths take the tenant from a variable.
data "restapi_object" "plumbing" {
  path         = "/settings/v2/tenant/${var.servicetitan_tenant_id}/business-units"
  results_key  = "data"
  search_key   = "name"
  search_value = "Plumbing"
}
