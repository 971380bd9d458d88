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
# it has. The provider makes the call with its own token: the state holds
# the job types read, never a token, a secret or the app key.
data "servicetitan_api_request" "job_types" {
  for_each = var.tenant_ids

  tenant    = each.key
  folder    = "jpm"
  endpoint  = "job-types"
  all_pages = true
}

output "job_types_per_tenant" {
  description = "How many job types each tenant has."
  value       = { for key, read in data.servicetitan_api_request.job_types : key => read.item_count }
}
