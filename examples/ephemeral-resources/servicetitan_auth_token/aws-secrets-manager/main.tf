# Keeps the headers of a fresh token in AWS Secrets Manager for jobs that run
# right after the apply. The token is a write-only value: it never reaches the
# plan or the state.
ephemeral "servicetitan_auth_token" "this" {}

resource "aws_secretsmanager_secret" "servicetitan_token" {
  name        = "servicetitan/api-token"
  description = "ServiceTitan API headers (Authorization, ST-App-Key); the token expires 15 minutes after it was issued."
}

resource "aws_secretsmanager_secret_version" "servicetitan_token" {
  secret_id        = aws_secretsmanager_secret.servicetitan_token.id
  secret_string_wo = jsonencode(ephemeral.servicetitan_auth_token.this.headers)

  # Write-only values are sent only when the version changes: bump it on
  # every apply so that each apply stores a new token.
  secret_string_wo_version = parseint(formatdate("YYYYMMDDhhmmss", plantimestamp()), 10)
}
