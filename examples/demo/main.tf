# The demo `make demo` runs against a stand-in ServiceTitan on a loopback
# port. Against the real integration environment, drop the two *_root_url
# lines and use your app's credentials.
terraform {
  required_version = ">= 1.10"
  required_providers {
    servicetitan = {
      source = "servicetitan-tf/servicetitan"
    }
  }
}

variable "stand_in_url" {
  description = "Base URL of the stand-in ServiceTitan (auth and API)."
  type        = string
}

variable "jobs_file" {
  description = "Where the demo writes the jobs the API returned."
  type        = string
}

provider "servicetitan" {
  environment   = "integration"
  auth_root_url = var.stand_in_url
  api_root_url  = var.stand_in_url
  client_id     = "demo-client-id"
  client_secret = "demo-client-secret"
  app_key       = "demo-app-key"
  tenant_id     = "1234"
  timezone      = "America/Los_Angeles"
}

data "servicetitan_endpoints" "this" {}

# A token in state (marked sensitive), for its expiry and scopes.
data "servicetitan_auth_token" "this" {}

# A token that never reaches plan or state, for the API call itself.
ephemeral "servicetitan_auth_token" "call" {}

locals {
  # Built on the token's api_root_url, which follows the provider's override
  # (here the stand-in), so the token never goes to another host.
  jobs_url = provider::servicetitan::api_url(data.servicetitan_auth_token.this.api_root_url, "jpm", data.servicetitan_auth_token.this.tenant_id, "jobs")
}

resource "terraform_data" "list_jobs" {
  triggers_replace = [data.servicetitan_auth_token.this.expires_at]

  provisioner "local-exec" {
    command = "curl --silent --show-error --fail --max-time 10 -H \"Authorization: $AUTHORIZATION\" -H \"ST-App-Key: $APP_KEY\" -o \"$JOBS_FILE\" \"$JOBS_URL\""
    environment = {
      AUTHORIZATION = ephemeral.servicetitan_auth_token.call.headers["Authorization"]
      APP_KEY       = ephemeral.servicetitan_auth_token.call.headers["ST-App-Key"]
      JOBS_URL      = local.jobs_url
      JOBS_FILE     = var.jobs_file
    }
  }
}

output "endpoints" {
  value = {
    environment = data.servicetitan_endpoints.this.environment
    token_url   = data.servicetitan_endpoints.this.token_url
    api_root    = data.servicetitan_endpoints.this.api_root_url
  }
}

output "token" {
  value = {
    type       = data.servicetitan_auth_token.this.token_type
    expires_at = data.servicetitan_auth_token.this.expires_at
    expires_in = data.servicetitan_auth_token.this.expires_in
    scopes     = data.servicetitan_auth_token.this.scopes
  }
}

output "jobs_url" {
  value = local.jobs_url
}

output "production_jobs_url" {
  description = "The same endpoint in ServiceTitan's production environment."
  value       = provider::servicetitan::api_url("production", "jpm", data.servicetitan_auth_token.this.tenant_id, "jobs")
}
