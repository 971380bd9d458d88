// Package acctest holds what the provider's acceptance tests, the example
// tests and the benchmark share: the CLI they drive, the stand-in
// ServiceTitan they talk to, and the configuration pieces around both. It
// is imported only by tests and test tooling; the provider itself never
// imports it.
package acctest

import (
	"fmt"
	"regexp"
	"strings"
)

// ProviderSource is the provider's source address as a configuration and a
// dev_overrides block name it. Without a host it means the registry of the
// CLI that reads it, so one configuration serves Terraform and OpenTofu.
const ProviderSource = "servicetitan-tf/servicetitan"

// The credentials the stand-in accepts in acceptance tests.
const (
	ClientID     = "acc-client-id"
	ClientSecret = "acc-client-secret-5d41402abc4b2a76"
	AppKey       = "acc-app-key-7f3e"
	TenantID     = "4321"
)

// RequiredProviders is the terraform block that names this provider by its
// source address.
func RequiredProviders() string {
	return fmt.Sprintf("terraform {\n  required_providers {\n    servicetitan = {\n      source = %q\n    }\n  }\n}\n", ProviderSource)
}

// CLIConfig is a CLI configuration that takes the provider from pluginDir
// and every other provider from its usual place; the user's own CLI
// configuration is not read.
func CLIConfig(pluginDir string) string {
	return fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n", ProviderSource, pluginDir)
}

// ErrorText matches a message the CLI may have wrapped across lines: each
// space in text matches any run of white space.
func ErrorText(text string) *regexp.Regexp {
	words := strings.Fields(text)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(words, `\s+`))
}
