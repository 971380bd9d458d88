# The configuration's own error path: an app without the jobs scope stops at
# the ephemeral token's postcondition, with the configuration's message,
# before anything is exported. The stand-in grants only the customers scope:
#
# Stand-in: servicetitan-standin -scopes tn.crm.customers:r
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

run "refuses_a_token_without_the_jobs_scope" {
  command         = plan
  expect_failures = [ephemeral.servicetitan_auth_token.export]
}
