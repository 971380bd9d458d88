# A script that may run longer than a token lives calls the API through
# the proxy: every request gets a fresh token and the app key on its way,
# and the script never holds either. The proxy closes when the run ends.
ephemeral "servicetitan_api_proxy" "this" {}

resource "terraform_data" "business_units" {
  provisioner "local-exec" {
    command = "curl -fsS \"$API/settings/v2/tenant/$TENANT/business-units?active=true\" > business-units.json"
    environment = {
      API    = ephemeral.servicetitan_api_proxy.this.url
      TENANT = ephemeral.servicetitan_api_proxy.this.tenant_id
    }
  }
}
