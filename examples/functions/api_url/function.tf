# {api_root}/{folder}/v2/tenant/{tenant_id}/{endpoint}
output "customers_url" {
  value = provider::servicetitan::api_url("production", "crm", "1234567", "customers") # https://api.servicetitan.io/crm/v2/tenant/1234567/customers
}

# A number is accepted as the tenant ID, and the endpoint may have more than
# one path segment.
output "job_url" {
  value = provider::servicetitan::api_url("integration", "jpm", 1234567, "jobs/42") # https://api-integration.servicetitan.io/jpm/v2/tenant/1234567/jobs/42
}

# On the root a token was issued for, which follows the provider's
# api_root_url (a proxy, a regional root, a stand-in): the way to build a
# URL that a token's headers go to.
data "servicetitan_endpoints" "current" {}

output "current_jobs_url" {
  value = provider::servicetitan::api_url(data.servicetitan_endpoints.current.api_root_url, "jpm", "1234567", "jobs")
}
