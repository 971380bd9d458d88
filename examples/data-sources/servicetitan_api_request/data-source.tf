# Every business unit, read with the provider's own token (which never
# reaches the state), turned into a map from name to ID that can feed
# for_each.
data "servicetitan_api_request" "business_units" {
  folder    = "settings"
  endpoint  = "business-units"
  all_pages = true
}

locals {
  business_unit_ids = {
    for unit in jsondecode(data.servicetitan_api_request.business_units.items_json) : unit.name => unit.id
  }
}

# One job list per business unit: every page, 5000 jobs a request.
data "servicetitan_api_request" "jobs" {
  for_each = local.business_unit_ids

  folder    = "jpm"
  endpoint  = "jobs"
  query     = { businessUnitId = tostring(each.value) }
  all_pages = true
}

output "jobs_per_business_unit" {
  value = { for name, read in data.servicetitan_api_request.jobs : name => read.item_count }
}
