terraform {
  required_version = ">= 1.10"

  required_providers {
    servicetitan = {
      source  = "servicetitan-tf/servicetitan"
      version = "~> 0.1"
    }
  }
}

# The client ID and secret belong to the app's installation on one tenant
# (ServiceTitan: Settings > Integrations > API Application Access). Pass
# secrets in as variables, for example TF_VAR_servicetitan_client_secret,
# never as literals.
provider "servicetitan" {
  environment   = "production"
  tenant_id     = var.servicetitan_tenant_id
  client_id     = var.servicetitan_client_id
  client_secret = var.servicetitan_client_secret
  app_key       = var.servicetitan_app_key
  timezone      = "America/Chicago"
}
