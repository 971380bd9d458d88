# Offline end-to-end test against servicetitan-standin, started with its
# defaults:
#
# Stand-in: servicetitan-standin
#
# Start it, point the provider at it and run the tests:
#
#   exec 3< <(servicetitan-standin); read -r url <&3
#   export SERVICETITAN_AUTH_ROOT_URL=$url SERVICETITAN_API_ROOT_URL=$url
#   terraform test
#
# The credentials below are the stand-in's defaults. The environment is
# integration so that, were the root URLs not set, the token request would
# go to ServiceTitan's integration environment, which refuses them, never to
# production.
provider "servicetitan" {
  environment   = "integration"
  client_id     = "demo-client-id"
  client_secret = "demo-client-secret"
  app_key       = "demo-app-key"
  tenant_id     = "1234"
}

variables {
  # Relative to the directory terraform test runs in.
  jobs_file = ".terraform/test-exports/jobs.json"
}

run "exports_jobs" {
  assert {
    condition     = [for job in jsondecode(file(output.jobs_file)).data : job.jobNumber] == ["10001", "10002"]
    error_message = "the export does not hold the stand-in's jobs 10001 and 10002: ${file(output.jobs_file)}"
  }
  assert {
    condition     = jsondecode(file(output.jobs_file)).hasMore == false
    error_message = "a page of 50 should hold all of the stand-in's jobs"
  }
}

run "exports_one_page" {
  variables {
    jobs_file = ".terraform/test-exports/first-job.json"
    page_size = 1
  }

  assert {
    condition     = [for job in jsondecode(file(output.jobs_file)).data : job.jobNumber] == ["10001"]
    error_message = "a page of one should hold job 10001 only: ${file(output.jobs_file)}"
  }
  assert {
    condition     = jsondecode(file(output.jobs_file)).hasMore
    error_message = "a page of one should report more jobs to come"
  }
}
