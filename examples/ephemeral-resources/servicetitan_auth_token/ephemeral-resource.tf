# A token that exists only while Terraform runs: it is never written to the
# plan or the state. Its attributes can feed provider blocks, write-only
# arguments (*_wo), locals and other ephemeral resources.
ephemeral "servicetitan_auth_token" "this" {}

locals {
  # Authorization and ST-App-Key, ready for any HTTP client.
  servicetitan_headers = ephemeral.servicetitan_auth_token.this.headers
}
