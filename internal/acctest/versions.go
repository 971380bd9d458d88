package acctest

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Feature is something of the CLI's that a test or an example needs, with
// the first Terraform and OpenTofu releases that have it. The two numbers
// differ, and terraform-plugin-testing knows only one, so a check must know
// which CLI it is talking to.
type Feature struct {
	Name      string
	Terraform *version.Version
	OpenTofu  *version.Version
	// uses finds the feature in a configuration's text.
	uses *regexp.Regexp
}

// The features the provider offers beyond data sources, which every
// supported CLI has (Terraform 1.5, OpenTofu 1.6).
var (
	ProviderFunctions = Feature{
		Name: "provider-defined functions", Terraform: tfversion.Version1_8_0, OpenTofu: mustVersion("1.7.0"),
		uses: regexp.MustCompile(`provider::[a-z0-9_]+::[a-z0-9_]+\s*\(`),
	}
	// EphemeralResources also covers ephemeral input variables and
	// outputs, which arrived with them.
	EphemeralResources = Feature{
		Name: "ephemeral resources", Terraform: tfversion.Version1_10_0, OpenTofu: mustVersion("1.11.0"),
		uses: regexp.MustCompile(`(?m)^\s*(ephemeral\s+"|ephemeral\s*=\s*true\b)`),
	}
	// WriteOnlyArguments are the *_wo arguments of other providers through
	// which an ephemeral token reaches a resource.
	WriteOnlyArguments = Feature{
		Name: "write-only arguments", Terraform: tfversion.Version1_11_0, OpenTofu: mustVersion("1.11.0"),
		uses: regexp.MustCompile(`(?m)^\s*[a-z0-9_]+_wo\s*=`),
	}
	// TestCommand is `terraform test` and `tofu test`, which the users'
	// test examples run under.
	TestCommand = Feature{
		Name: "test files", Terraform: tfversion.Version1_6_0, OpenTofu: mustVersion("1.6.0"),
		uses: regexp.MustCompile(`(?m)^\s*run\s+"`),
	}
	// MockProviders are mock_provider blocks in test files.
	MockProviders = Feature{
		Name: "mock providers", Terraform: tfversion.Version1_7_0, OpenTofu: mustVersion("1.8.0"),
		uses: regexp.MustCompile(`(?m)^\s*mock_provider\s+"`),
	}
	features = []Feature{ProviderFunctions, EphemeralResources, WriteOnlyArguments, TestCommand, MockProviders}
)

func mustVersion(v string) *version.Version { return version.Must(version.NewVersion(v)) }

// CLI is the product and version of the CLI the tests drive.
type CLI struct {
	Product string // "Terraform" or "OpenTofu"
	Version *version.Version
}

func (c CLI) String() string { return c.Product + " " + c.Version.String() }

// Minimum is the first release of this CLI's product that has f.
func (c CLI) Minimum(f Feature) *version.Version {
	if c.Product == "OpenTofu" {
		return f.OpenTofu
	}
	return f.Terraform
}

var (
	cliOnce sync.Once
	cli     CLI
	cliErr  error
)

// versionLine is the first line of `terraform version` and `tofu version`.
// Their JSON output cannot tell the two apart: OpenTofu reports its own
// version as "terraform_version".
var versionLine = regexp.MustCompile(`(?m)^(Terraform|OpenTofu) v(\S+)`)

func detectCLI() (CLI, error) {
	cliOnce.Do(func() {
		out, err := exec.Command(CLIPath(), "version").Output()
		if err != nil {
			cliErr = fmt.Errorf("%s version: %v", CLIPath(), err)
			return
		}
		m := versionLine.FindStringSubmatch(string(out))
		if m == nil {
			cliErr = fmt.Errorf("%s version printed %q, which names neither Terraform nor OpenTofu", CLIPath(), strings.TrimSpace(string(out)))
			return
		}
		v, err := version.NewVersion(m[2])
		if err != nil {
			cliErr = fmt.Errorf("%s version: %v", CLIPath(), err)
			return
		}
		cli = CLI{Product: m[1], Version: v}
	})
	return cli, cliErr
}

// CLIVersion is the product and version of the CLI the tests drive.
func CLIVersion(t *testing.T) CLI {
	t.Helper()
	c, err := detectCLI()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// FeaturesUsedBy lists the features a configuration's text uses.
func FeaturesUsedBy(config string) []Feature {
	var used []Feature
	for _, f := range features {
		if f.uses.MatchString(config) {
			used = append(used, f)
		}
	}
	return used
}

// skipReason is why a test that needs f cannot run on c, or "" when it can.
func skipReason(c CLI, f Feature) string {
	// Prereleases count as the release they lead to, as in tfversion.
	if !c.Version.Core().LessThan(c.Minimum(f)) {
		return ""
	}
	return fmt.Sprintf("%s need Terraform %s or OpenTofu %s or later; this CLI is %s",
		f.Name, f.Terraform, f.OpenTofu, c)
}

// SkipBelow skips a test that drives the CLI directly when the CLI lacks f.
// Tests run through terraform-plugin-testing use VersionChecks instead.
func SkipBelow(t *testing.T, f Feature) {
	t.Helper()
	if reason := skipReason(CLIVersion(t), f); reason != "" {
		t.Skip(reason)
	}
}

// SkipUnlessSupported skips a test whose configuration uses a feature the
// CLI lacks.
func SkipUnlessSupported(t *testing.T, config string) {
	t.Helper()
	for _, f := range FeaturesUsedBy(config) {
		SkipBelow(t, f)
	}
}

// VersionChecks are the TestCase.TerraformVersionChecks for configurations
// that use these features: tfversion.SkipBelow at the release of the CLI's
// own product that brought each feature, with a message that names it.
func VersionChecks(used ...Feature) []tfversion.TerraformVersionCheck {
	checks := make([]tfversion.TerraformVersionCheck, 0, len(used))
	for _, f := range used {
		checks = append(checks, skipBelowCheck{f})
	}
	return checks
}

// VersionChecksFor are the version checks for the features configs use.
func VersionChecksFor(configs ...string) []tfversion.TerraformVersionCheck {
	return VersionChecks(FeaturesUsedBy(strings.Join(configs, "\n"))...)
}

type skipBelowCheck struct{ feature Feature }

func (s skipBelowCheck) CheckTerraformVersion(ctx context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	c, err := detectCLI()
	if err != nil {
		resp.Error = err
		return
	}
	// The framework's own version reading decides; the product only
	// chooses which release to compare it with.
	c.Version = req.TerraformVersion
	tfversion.SkipBelow(c.Minimum(s.feature)).CheckTerraformVersion(ctx, req, resp)
	if reason := skipReason(c, s.feature); resp.Skip != "" && reason != "" {
		resp.Skip = reason
	}
}
