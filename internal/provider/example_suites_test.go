package provider

import (
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
)

// The users' test examples (examples/tests) under `terraform test` or
// `tofu test`, as the testing guide tells users to run them: each suite with
// its own stand-in, skipped with a reason on a CLI that cannot run it or,
// for the integration suite, without its credentials.
func TestAccExampleSuites(t *testing.T) {
	for _, s := range acctest.ExampleSuites(t, "../../examples/tests") {
		t.Run(s.Name, s.Run)
	}
}
