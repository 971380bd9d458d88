# The error path when ServiceTitan throttles token requests, tested against
# a stand-in that answers every token request with 429 and a Retry-After of
# an hour:
#
# Stand-in: servicetitan-standin -fault 429:retry-after=3600,times=always
#
# A provider error cannot be listed in expect_failures, so this run is meant
# to fail, and whoever runs it checks the diagnostics:
#
# Must fail with: Cannot get a ServiceTitan token
# Must fail with: HTTP 429 Too Many Requests
# Must fail with: the server asked to wait 1h0m0s (Retry-After), more than the 30s this client waits
#
#   terraform test -test-directory=throttled >out.txt 2>&1 && exit 1
#   grep -q "HTTP 429 Too Many Requests" out.txt
#
# The provider does not sit through an hour's wait: it fails at once, and
# nothing is exported.
provider "servicetitan" {
  environment   = "integration"
  client_id     = "demo-client-id"
  client_secret = "demo-client-secret"
  app_key       = "demo-app-key"
  tenant_id     = "1234"
}

variables {
  jobs_file = ".terraform/test-exports/jobs.json"
}

run "throttled_token_request_fails_the_plan" {
  command = plan
}
