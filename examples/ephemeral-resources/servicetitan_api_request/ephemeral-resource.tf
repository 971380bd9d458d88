# Customers are personal data: the ephemeral resource keeps the response,
# like the token, out of the plan and the state. Here it feeds a
# provisioner, which may use ephemeral values; Terraform hides the output
# of such a provisioner, so it writes its count to a file.
ephemeral "servicetitan_api_request" "customers" {
  folder    = "crm"
  endpoint  = "customers"
  query     = { active = "true" }
  all_pages = true
}

resource "terraform_data" "customer_count" {
  provisioner "local-exec" {
    command = "echo \"$ACTIVE_CUSTOMERS active customers\" > active-customers.txt"
    environment = {
      ACTIVE_CUSTOMERS = ephemeral.servicetitan_api_request.customers.item_count
    }
  }
}
