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

// Override is one more dev_overrides entry: the provider with source
// address Source is taken from the directory Dir.
type Override struct{ Source, Dir string }

// CLIConfig is a CLI configuration that takes the provider from pluginDir,
// the providers of extra from their directories, and every other provider
// from its usual place; the user's own CLI configuration is not read.
func CLIConfig(pluginDir string, extra ...Override) string {
	var b strings.Builder
	fmt.Fprintf(&b, "provider_installation {\n  dev_overrides {\n    %q = %q\n", ProviderSource, pluginDir)
	for _, o := range extra {
		fmt.Fprintf(&b, "    %q = %q\n", o.Source, o.Dir)
	}
	b.WriteString("  }\n  direct {}\n}\n")
	return b.String()
}

// ConsumerSource is the source address of the consumer provider the tests
// build (internal/acctest/consumer): a provider block that takes an API
// root and static headers once, as Mastercard/restapi's does.
const ConsumerSource = "servicetitan-tf/consumer"

// RequiredProvidersWithConsumer is RequiredProviders naming the consumer
// provider too: a module has one required_providers block.
func RequiredProvidersWithConsumer() string {
	return fmt.Sprintf("terraform {\n  required_providers {\n    servicetitan = {\n      source = %q\n    }\n    consumer = {\n      source = %q\n    }\n  }\n}\n", ProviderSource, ConsumerSource)
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
