# The same variables servicepytan reads, plus the provider's own settings.
export SERVICETITAN_API_ENVIRONMENT=production
export SERVICETITAN_TENANT_ID=1234567
export SERVICETITAN_CLIENT_ID=cid.examplec1ient1d
# Fetch the secrets from where you keep them rather than typing them in.
export SERVICETITAN_CLIENT_SECRET="$(vault kv get -field=client_secret secret/servicetitan)"
export SERVICETITAN_APP_KEY="$(vault kv get -field=app_key secret/servicetitan)"
export SERVICETITAN_TIMEZONE=America/Denver
export SERVICETITAN_REQUEST_TIMEOUT=20s

terraform plan
