# A configuration that exports a tenant's jobs with an ephemeral ServiceTitan
# token: the token is opened for the run and handed to curl through the
# provisioner's environment, so it never reaches plan or state.
#
# Its tests run it for real against servicetitan-standin, a stand-in
# ServiceTitan on a loopback port (tests/), against stand-ins that grant too
# narrow a scope (narrow-scope/) or throttle token requests (throttled/), and
# against ServiceTitan's integration environment (integration/). See the
# provider's testing guide.
terraform {
  # Ephemeral resources need Terraform 1.10 or OpenTofu 1.11.
  required_version = ">= 1.10"
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

variable "jobs_file" {
  description = "Where to write the exported page of jobs (JSON, ServiceTitan's paging envelope)."
  type        = string
}

variable "page_size" {
  description = "How many jobs to export."
  type        = number
  default     = 50
}

ephemeral "servicetitan_auth_token" "export" {
  lifecycle {
    postcondition {
      condition     = contains(self.scopes, "tn.jpm.jobs:r")
      error_message = "The ServiceTitan app lacks the tn.jpm.jobs:r scope the export needs; add it to the app in the ServiceTitan developer portal."
    }
  }
}

resource "terraform_data" "jobs_export" {
  input = var.jobs_file
  # Provisioners run when a resource is created: export again whenever what
  # is exported changes.
  triggers_replace = [var.jobs_file, var.page_size]

  provisioner "local-exec" {
    command = "curl --silent --show-error --fail-with-body --max-time 30 --create-dirs -o \"$JOBS_FILE\" -H \"Authorization: $AUTHORIZATION\" -H \"ST-App-Key: $APP_KEY\" \"$JOBS_URL\""
    environment = {
      AUTHORIZATION = ephemeral.servicetitan_auth_token.export.headers["Authorization"]
      APP_KEY       = ephemeral.servicetitan_auth_token.export.headers["ST-App-Key"]
      JOBS_URL      = "${ephemeral.servicetitan_auth_token.export.api_root_url}/jpm/v2/tenant/${ephemeral.servicetitan_auth_token.export.tenant_id}/jobs?page=1&pageSize=${var.page_size}"
      JOBS_FILE     = var.jobs_file
    }
  }

  # The export goes when the resource does, so a stale file never passes
  # for a fresh one.
  provisioner "local-exec" {
    when        = destroy
    command     = "rm -f \"$JOBS_FILE\""
    environment = { JOBS_FILE = self.input }
  }
}

output "jobs_file" {
  description = "The export, written when the resource is created."
  value       = terraform_data.jobs_export.output
}
