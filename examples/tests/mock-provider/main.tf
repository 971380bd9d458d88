# A configuration that reads a ServiceTitan token through the data source,
# builds API URLs with the provider's functions and reads jobs with
# servicetitan_api_request. Its tests (tests/) replace
# the provider with a mock, so they need no credentials, no network and no
# stand-in: terraform test in this directory is enough.
terraform {
  # Provider functions need Terraform 1.8 or OpenTofu 1.7; mocks in tests
  # need Terraform 1.7 or OpenTofu 1.8.
  required_version = ">= 1.8"
  required_providers {
    servicetitan = {
      source = "servicetitan-tf/servicetitan"
    }
  }
}

# Every setting comes from SERVICETITAN_* environment variables. Keep this
# empty block: without it, a bad setting is reported only after a misleading
# "Invalid provider configuration ... requires explicit configuration".
provider "servicetitan" {}

variable "folder" {
  description = "ServiceTitan API folder the report reads from."
  type        = string
  default     = "jpm"
}

variable "endpoint" {
  description = "Endpoint inside the folder."
  type        = string
  default     = "jobs"
}

data "servicetitan_auth_token" "report" {}

locals {
  required_scope = "tn.${var.folder}.${var.endpoint}:r"
  # On the token's api_root_url, the root it was issued for.
  report_url = provider::servicetitan::api_url(
    data.servicetitan_auth_token.report.api_root_url, var.folder,
    data.servicetitan_auth_token.report.tenant_id, var.endpoint,
  )
}

# Stands for whatever consumes the token: a job scheduler, a secret store.
resource "terraform_data" "report" {
  input = {
    url        = local.report_url
    expires_at = data.servicetitan_auth_token.report.expires_at
  }

  lifecycle {
    precondition {
      condition     = contains(data.servicetitan_auth_token.report.scopes, local.required_scope)
      error_message = "The ServiceTitan app lacks the ${local.required_scope} scope the report needs; add it to the app in the ServiceTitan developer portal."
    }
  }
}

# The jobs the report covers, read by the provider with its own token.
data "servicetitan_api_request" "jobs" {
  folder    = var.folder
  endpoint  = var.endpoint
  all_pages = true
}

output "job_numbers" {
  value = [for job in jsondecode(data.servicetitan_api_request.jobs.items_json) : job.jobNumber]
}

output "report_url" {
  value = local.report_url
}

output "token_expires_at" {
  value = data.servicetitan_auth_token.report.expires_at
}
