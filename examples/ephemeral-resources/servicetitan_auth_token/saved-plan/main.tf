# For plans saved with `terraform plan -out=tfplan` and applied later with
# `terraform apply tfplan`: the ephemeral token is opened again when the plan
# is applied, so the call below gets a token that is fresh at apply time. A
# data source's token would be the one read while planning, which may have
# expired by the time the plan is approved.
ephemeral "servicetitan_auth_token" "this" {}

resource "terraform_data" "export_jobs" {
  input = "jobs.json"

  provisioner "local-exec" {
    command = "curl --fail --silent --show-error --max-time 30 -H \"Authorization: $AUTHORIZATION\" -H \"ST-App-Key: $APP_KEY\" -o \"$OUT\" \"$JOBS_URL\""
    environment = {
      AUTHORIZATION = ephemeral.servicetitan_auth_token.this.headers["Authorization"]
      APP_KEY       = ephemeral.servicetitan_auth_token.this.headers["ST-App-Key"]
      JOBS_URL      = "${ephemeral.servicetitan_auth_token.this.api_root_url}/jpm/v2/tenant/${ephemeral.servicetitan_auth_token.this.tenant_id}/jobs"
      OUT           = self.input
    }
  }
}
