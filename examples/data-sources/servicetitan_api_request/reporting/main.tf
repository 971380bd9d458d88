# Reporting data is read by POST with the report's parameters; that is the
# one POST the data source makes. ServiceTitan allows about five runs of one
# report a minute: a 429 is waited out.
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
