# Hands a fresh token to services that read it from Vault rather than
# running the client-credentials flow themselves. The token passes through
# Terraform as a write-only argument: the plan and the state record only
# the version number.
ephemeral "servicetitan_auth_token" "this" {}

resource "vault_kv_secret_v2" "servicetitan_token" {
  mount = "secret"
  name  = "servicetitan/api-token"

  data_json_wo = jsonencode({
    access_token = ephemeral.servicetitan_auth_token.this.access_token
    app_key      = ephemeral.servicetitan_auth_token.this.headers["ST-App-Key"]
    api_root_url = ephemeral.servicetitan_auth_token.this.api_root_url
    expires_at   = ephemeral.servicetitan_auth_token.this.expires_at
  })

  # Write-only values are sent only when the version changes. Tokens live 15
  # minutes, so every apply writes a new one.
  data_json_wo_version = parseint(formatdate("YYYYMMDDhhmmss", plantimestamp()), 10)
}
