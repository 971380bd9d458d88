# The provider's environment, with any auth_root_url / api_root_url
# overrides. Needs no credentials and makes no network request.
data "servicetitan_endpoints" "current" {}

# ServiceTitan's own URLs for a given environment.
data "servicetitan_endpoints" "integration" {
  environment = "integration"
}

output "token_url" {
  value = data.servicetitan_endpoints.current.token_url
}

output "integration_api_root_url" {
  value = data.servicetitan_endpoints.integration.api_root_url # https://api-integration.servicetitan.io
}
