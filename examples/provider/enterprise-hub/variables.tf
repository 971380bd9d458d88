variable "client_id" {
  description = "Client ID of the Enterprise Hub app."
  type        = string
}

variable "client_secret" {
  description = "Its client secret."
  type        = string
  sensitive   = true
}

variable "app_key" {
  description = "Application key of the app."
  type        = string
  sensitive   = true
}

variable "tenant_ids" {
  description = "The tenants of the hub the configuration serves, by a key of your choosing."
  type        = map(string)
}
