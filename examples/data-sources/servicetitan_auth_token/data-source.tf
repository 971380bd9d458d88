# The token and the headers are stored in the state (marked sensitive) and are
# refreshed on every plan. Prefer servicetitan_api_request, which keeps the
# token inside the provider, or the ephemeral resource where the consumer
# accepts ephemeral values.
data "servicetitan_auth_token" "this" {}

# List jobs with the hashicorp/http data source. The URL is built on the
# token's api_root_url, the root the token was issued for: it follows the
# provider's api_root_url, so the token never goes to another host.
data "http" "jobs" {
  url = format("%s?pageSize=50",
    provider::servicetitan::api_url(
      data.servicetitan_auth_token.this.api_root_url,
      "jpm",
      data.servicetitan_auth_token.this.tenant_id,
      "jobs",
    )
  )
  request_headers = merge(data.servicetitan_auth_token.this.headers, {
    Accept = "application/json"
  })

  lifecycle {
    postcondition {
      condition     = self.status_code == 200
      error_message = "ServiceTitan answered ${self.status_code}: ${self.response_body}"
    }
  }
}

output "job_numbers" {
  value = [for job in jsondecode(data.http.jobs.response_body).data : job.jobNumber]
}
