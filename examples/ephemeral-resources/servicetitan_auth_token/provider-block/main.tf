# A provider block configured from the ephemeral token: here the generic
# Mastercard/restapi provider, which sends the same headers with every
# request it makes for its resources. The token is opened when the provider
# is configured and kept for the whole plan or apply, so ask for at least as
# much life as the longest apply needs (min_token_life, up to 10 minutes).
# An apply that may outlast a token (15 minutes) needs the
# servicetitan_api_proxy ephemeral resource instead: give its url as the
# uri, and no headers, and every request gets a fresh token.
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

provider "servicetitan" {
  min_token_life = "10m"
}

ephemeral "servicetitan_auth_token" "this" {}

# servicetitan_endpoints gives the root as an ordinary value; the ephemeral
# resource's api_root_url and tenant_id are ephemeral, like all its
# attributes.
data "servicetitan_endpoints" "this" {}

provider "restapi" {
  uri                  = data.servicetitan_endpoints.this.api_root_url
  headers              = ephemeral.servicetitan_auth_token.this.headers
  write_returns_object = true
}
