output "auth_root_url" {
  value = provider::servicetitan::auth_root_url("integration") # https://auth-integration.servicetitan.io
}
