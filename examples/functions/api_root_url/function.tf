output "api_root_url" {
  value = provider::servicetitan::api_root_url("production") # https://api.servicetitan.io
}
