# The alternative to tenants: one provider configuration per tenant, each
# with an alias. The same app, installed on two tenants, has a client ID and
# secret for each installation; every configuration keeps its own token.
# Aliases are static: a tenant more is a provider block more.
provider "servicetitan" {
  alias         = "north"
  tenant_id     = var.north.tenant_id
  client_id     = var.north.client_id
  client_secret = var.north.client_secret
  app_key       = var.servicetitan_app_key
}

provider "servicetitan" {
  alias         = "south"
  tenant_id     = var.south.tenant_id
  client_id     = var.south.client_id
  client_secret = var.south.client_secret
  app_key       = var.servicetitan_app_key
}

# Data sources, ephemeral resources and resources of other providers choose a
# tenant with the provider meta-argument.
data "servicetitan_auth_token" "north" {
  provider = servicetitan.north
}

data "servicetitan_auth_token" "south" {
  provider = servicetitan.south
}

output "granted_scopes" {
  description = "API scopes each tenant's installation grants the app."
  value = {
    north = data.servicetitan_auth_token.north.scopes
    south = data.servicetitan_auth_token.south.scopes
  }
}
