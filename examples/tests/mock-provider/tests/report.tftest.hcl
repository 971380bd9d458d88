# Unit tests with a mocked provider: no credentials, no network, no stand-in.
# mock_data supplies the computed attributes of the token data source and of
# servicetitan_api_request; those left out get generated values. Provider
# functions still run for real.
#
mock_provider "servicetitan" {
  mock_data "servicetitan_auth_token" {
    defaults = {
      environment  = "integration"
      api_root_url = "https://api-integration.servicetitan.io"
      tenant_id    = "1234"
      scopes       = ["tn.jpm.jobs:r", "tn.crm.customers:r"]
      expires_at   = "2030-01-01T00:15:00Z"
    }
  }
  # What the API would answer: under a mock, servicetitan_api_request makes
  # no call, and its computed attributes are these.
  mock_data "servicetitan_api_request" {
    defaults = {
      status_code = 200
      item_count  = 2
      items_json  = "[{\"id\":1,\"jobNumber\":\"J-1\"},{\"id\":2,\"jobNumber\":\"J-2\"}]"
    }
  }
}

run "builds_the_report_url" {
  command = plan

  assert {
    condition     = output.report_url == "https://api-integration.servicetitan.io/jpm/v2/tenant/1234/jobs"
    error_message = "unexpected report URL ${output.report_url}"
  }
  assert {
    condition     = terraform_data.report.input.expires_at == "2030-01-01T00:15:00Z"
    error_message = "the report does not carry the token's expiry"
  }
}

run "lists_the_jobs" {
  command = plan

  assert {
    condition     = output.job_numbers == ["J-1", "J-2"]
    error_message = "unexpected job numbers ${jsonencode(output.job_numbers)}"
  }
}

run "other_endpoint" {
  command = plan

  variables {
    folder   = "crm"
    endpoint = "customers"
  }

  assert {
    condition     = output.report_url == "https://api-integration.servicetitan.io/crm/v2/tenant/1234/customers"
    error_message = "unexpected report URL ${output.report_url}"
  }
}

# The error path: an app without the scope fails with the configuration's
# own message instead of a 403 at run time.
run "missing_scope_is_refused" {
  command = plan

  override_data {
    target = data.servicetitan_auth_token.report
    values = {
      environment  = "integration"
      api_root_url = "https://api-integration.servicetitan.io"
      tenant_id    = "1234"
      scopes       = ["tn.crm.customers:r"]
    }
  }

  expect_failures = [terraform_data.report]
}
