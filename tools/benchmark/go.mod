module github.com/servicetitan-tf/terraform-provider-servicetitan/tools/benchmark

go 1.26.8

require (
	github.com/servicetitan-tf/terraform-provider-servicetitan v0.0.0-00010101000000-000000000000
	golang.org/x/mod v0.35.0
)

require (
	github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
	github.com/hashicorp/go-retryablehttp v0.7.8 // indirect
	github.com/hashicorp/go-version v1.9.0 // indirect
	github.com/hashicorp/terraform-plugin-testing v1.16.0 // indirect
	golang.org/x/net v0.52.0 // indirect
	golang.org/x/sys v0.43.0 // indirect
	golang.org/x/text v0.36.0 // indirect
	golang.org/x/time v0.16.0 // indirect
)

replace github.com/servicetitan-tf/terraform-provider-servicetitan => ../..
