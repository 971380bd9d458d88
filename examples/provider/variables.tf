variable "servicetitan_tenant_id" {
  description = "ServiceTitan tenant ID."
  type        = string
}

variable "servicetitan_client_id" {
  description = "Client ID of the app's installation on the tenant."
  type        = string
}

# Ephemeral variables (Terraform 1.10+, OpenTofu 1.11+) are never written to
# a saved plan or to the state.
variable "servicetitan_client_secret" {
  description = "Client secret of the app's installation on the tenant."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "servicetitan_app_key" {
  description = "Application key of the ServiceTitan app."
  type        = string
  sensitive   = true
  ephemeral   = true
}
