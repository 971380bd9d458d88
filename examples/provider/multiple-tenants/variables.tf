variable "servicetitan_app_key" {
  description = "Application key of the ServiceTitan app."
  type        = string
  sensitive   = true
}

variable "tenant_ids" {
  description = "Tenant ID of each installation, by a key of your choosing; tenants/<key>.json holds its credentials."
  type        = map(string)
}
