# One provider configuration for every installation of the app: the tenant
# IDs come from a variable, so that the list can grow without another
# provider block, and each installation's client ID and secret stay in its
# own servicepytan config file, tenants/<key>.json, out of the variable.
provider "servicetitan" {
  app_key = var.servicetitan_app_key
  tenants = {
    for key, tenant_id in var.tenant_ids : key => {
      tenant_id   = tenant_id
      config_file = "${path.module}/tenants/${key}.json"
    }
  }
}

# Each read picks its tenant; each tenant gets one token, however many reads
# it has.
data "servicetitan_auth_token" "tenant" {
  for_each = var.tenant_ids
  tenant   = each.key
}

output "granted_scopes" {
  description = "API scopes each tenant's installation grants the app."
  value       = { for key, token in data.servicetitan_auth_token.tenant : key => token.scopes }
}
