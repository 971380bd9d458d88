# The same export against ServiceTitan's integration environment, with an
# app registered there. It needs the app's credentials in the provider's
# environment variables (SERVICETITAN_CLIENT_ID, SERVICETITAN_CLIENT_SECRET,
# SERVICETITAN_APP_KEY, SERVICETITAN_TENANT_ID), which CI fills from secrets
# of their own, never from production's:
#
# Skip unless set: SERVICETITAN_INTEGRATION_CLIENT_ID SERVICETITAN_INTEGRATION_CLIENT_SECRET SERVICETITAN_INTEGRATION_APP_KEY SERVICETITAN_INTEGRATION_TENANT_ID
#
#   terraform test -test-directory=integration
#
# environment is set here, not taken from the environment variables, so that
# these tests can only ever reach the integration environment: production
# credentials are refused there.
provider "servicetitan" {
  environment = "integration"
}

variables {
  jobs_file = ".terraform/test-exports/integration-jobs.json"
  page_size = 5
}

run "exports_a_page_of_jobs" {
  assert {
    condition     = length(jsondecode(file(output.jobs_file)).data) <= 5
    error_message = "the export holds more than the 5 jobs asked for"
  }
  assert {
    condition     = jsondecode(file(output.jobs_file)).page == 1
    error_message = "the export is not ServiceTitan's first page: ${file(output.jobs_file)}"
  }
}
