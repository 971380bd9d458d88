variable "servicetitan_app_key" {
  description = "Application key of the ServiceTitan app."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "north" {
  description = "Tenant ID and client credentials of the app's installation on the north tenant."
  type = object({
    tenant_id     = string
    client_id     = string
    client_secret = string
  })
  sensitive = true
  ephemeral = true
}

variable "south" {
  description = "Tenant ID and client credentials of the app's installation on the south tenant."
  type = object({
    tenant_id     = string
    client_id     = string
    client_secret = string
  })
  sensitive = true
  ephemeral = true
}
