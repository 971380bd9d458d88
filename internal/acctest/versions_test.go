package acctest

import (
	"slices"
	"strings"
	"testing"
)

func TestFeaturesUsedBy(t *testing.T) {
	for _, tc := range []struct {
		name   string
		config string
		want   []string
	}{
		{"data sources only", `data "servicetitan_auth_token" "t" {}
output "x" { value = data.servicetitan_auth_token.t.token_type }`, nil},
		{"a function call", `output "u" { value = provider::servicetitan::api_url("production", "jpm", 1, "jobs") }`, []string{"provider-defined functions"}},
		{"a function named in a comment", "# same shape as provider::servicetitan::api_url\nlocals {}", nil},
		{"an ephemeral resource", "ephemeral \"servicetitan_auth_token\" \"t\" {}\n", []string{"ephemeral resources"}},
		{"an ephemeral variable", "variable \"secret\" {\n  type      = string\n  ephemeral = true\n}\n", []string{"ephemeral resources"}},
		{"ephemeral named in a comment", "# the ephemeral \"servicetitan_auth_token\" resource\n# ephemeral = true\n", nil},
		{"a write-only argument", "resource \"vault_kv_secret_v2\" \"t\" {\n  data_json_wo = jsonencode({})\n}\n", []string{"write-only arguments"}},
		{"everything", "ephemeral \"servicetitan_auth_token\" \"t\" {}\nresource \"x\" \"y\" {\n  secret_wo = provider::servicetitan::auth_root_url(\"production\")\n}\n",
			[]string{"provider-defined functions", "ephemeral resources", "write-only arguments"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range FeaturesUsedBy(tc.config) {
				got = append(got, f.Name)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("FeaturesUsedBy = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSkipReasonComparesWithTheCLIsOwnReleases(t *testing.T) {
	cli := func(product, v string) CLI { return CLI{Product: product, Version: mustVersion(v)} }
	for _, tc := range []struct {
		cli     CLI
		feature Feature
		skip    bool
	}{
		{cli("Terraform", "1.5.7"), ProviderFunctions, true},
		{cli("Terraform", "1.7.5"), ProviderFunctions, true},
		{cli("Terraform", "1.8.0"), ProviderFunctions, false},
		{cli("OpenTofu", "1.6.2"), ProviderFunctions, true},
		{cli("OpenTofu", "1.7.0"), ProviderFunctions, false},
		{cli("Terraform", "1.9.8"), EphemeralResources, true},
		{cli("Terraform", "1.10.0-rc1"), EphemeralResources, false},
		{cli("OpenTofu", "1.10.6"), EphemeralResources, true},
		{cli("OpenTofu", "1.11.0"), EphemeralResources, false},
		{cli("Terraform", "1.10.5"), WriteOnlyArguments, true},
		{cli("Terraform", "1.11.4"), WriteOnlyArguments, false},
		{cli("OpenTofu", "1.12.6"), WriteOnlyArguments, false},
	} {
		reason := skipReason(tc.cli, tc.feature)
		if got := reason != ""; got != tc.skip {
			t.Errorf("%s, %s: skip = %v (%q), want %v", tc.cli, tc.feature.Name, got, reason, tc.skip)
			continue
		}
		if tc.skip {
			for _, want := range []string{tc.feature.Name, "Terraform " + tc.feature.Terraform.String(), "OpenTofu " + tc.feature.OpenTofu.String(), tc.cli.String()} {
				if !strings.Contains(reason, want) {
					t.Errorf("skip message %q does not name %q", reason, want)
				}
			}
		}
	}
}
