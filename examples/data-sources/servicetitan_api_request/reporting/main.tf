# Reporting data is read by POST with the report's parameters. Its rows come
# keyed by column name. Every page is a run of the report, and ServiceTitan
# allows a few runs a minute: the wait between pages is waited out.
data "servicetitan_api_request" "revenue" {
  folder    = "reporting"
  endpoint  = "report-category/accounting/reports/42/data"
  method    = "POST"
  all_pages = true
  request_body = jsonencode({
    parameters = [
      { name = "From", value = "2024-01-01" },
      { name = "To", value = "2024-01-31" },
    ]
  })
}

output "revenue_rows" {
  value = data.servicetitan_api_request.revenue.item_count
}
