# An Enterprise Hub app: one credential pair serves a group of tenants, and
# each token request names its tenant. The entries inherit the provider's
# credentials and name only their tenants.
provider "servicetitan" {
  enterprise_hub = true
  client_id      = var.client_id
  client_secret  = var.client_secret
  app_key        = var.app_key
  tenants        = { for key, tenant_id in var.tenant_ids : key => { tenant_id = tenant_id } }
}

data "servicetitan_api_request" "business_units" {
  for_each = var.tenant_ids

  tenant    = each.key
  folder    = "settings"
  endpoint  = "business-units"
  all_pages = true
}

output "business_units_per_tenant" {
  value = { for key, read in data.servicetitan_api_request.business_units : key => read.item_count }
}
