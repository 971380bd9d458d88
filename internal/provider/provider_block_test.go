package provider

import (
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
)

// With every setting in the environment and no provider block, Terraform
// first reports "Invalid provider configuration ... requires explicit
// configuration" and only then the provider's own error, at "<empty> line
// 0". An empty provider "servicetitan" {} block, which the examples and
// the docs carry wherever the settings come from the environment, leaves
// only the real error, pointing at the block. OpenTofu says less without
// the block; with it, both CLIs show the real error alone.
func TestAccEmptyProviderBlock(t *testing.T) {
	badRoot := "SERVICETITAN_API_ROOT_URL=http://api.example.com"
	const reads = "data \"servicetitan_endpoints\" \"this\" {}\n"
	realError := acctest.ErrorText(`invalid api_root_url "http://api.example.com" (from environment variable SERVICETITAN_API_ROOT_URL): must use https`)

	t.Run("empty block", func(t *testing.T) {
		acctest.ClearServiceTitanEnv(t)
		out, err := acctest.NewCLIRun(t, "# Settings from the environment.\nprovider \"servicetitan\" {}\n\n"+reads, badRoot).Run("plan", "-input=false")
		if err == nil {
			t.Fatalf("plan succeeded with an http api_root_url to another host:\n%s", out)
		}
		if !realError.MatchString(out) {
			t.Errorf("plan does not show the real error:\n%s", out)
		}
		for _, noise := range []string{"requires explicit configuration", "Invalid provider configuration", "<empty>"} {
			if acctest.ErrorText(noise).MatchString(out) {
				t.Errorf("with an empty provider block, plan still says %q:\n%s", noise, out)
			}
		}
	})

	// What the block is for: without it the same error comes second, after
	// a misleading one (Terraform) and without a place in the configuration.
	t.Run("no block", func(t *testing.T) {
		acctest.ClearServiceTitanEnv(t)
		out, err := acctest.NewCLIRun(t, reads, badRoot).Run("plan", "-input=false")
		if err == nil {
			t.Fatalf("plan succeeded with an http api_root_url to another host:\n%s", out)
		}
		if !realError.MatchString(out) {
			t.Errorf("plan does not show the real error:\n%s", out)
		}
		if acctest.CLIVersion(t).Product == "Terraform" && !acctest.ErrorText("requires explicit configuration").MatchString(out) {
			t.Logf("Terraform no longer says \"requires explicit configuration\" without a provider block; the examples' comments about it may go:\n%s", out)
		}
	})
}
