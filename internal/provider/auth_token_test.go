package provider

import (
	"encoding/json"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
)

// TestAccTokenAttributesAreSensitive reads the schema as the CLI sees it.
// A token or its headers not marked sensitive would be printed in plans
// and outputs without anyone asking for it.
func TestAccTokenAttributesAreSensitive(t *testing.T) {
	acctest.SkipBelow(t, acctest.EphemeralResources)
	run := acctest.NewCLIRun(t, "")
	out := run.MustRun("providers", "schema", "-json")
	type attribute struct {
		Sensitive bool `json:"sensitive"`
	}
	type block struct {
		Block struct {
			Attributes map[string]attribute `json:"attributes"`
		} `json:"block"`
	}
	var schemas struct {
		ProviderSchemas map[string]struct {
			DataSourceSchemas        map[string]block `json:"data_source_schemas"`
			EphemeralResourceSchemas map[string]block `json:"ephemeral_resource_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal([]byte(out), &schemas); err != nil {
		t.Fatalf("providers schema -json: %v\n%s", err, out)
	}
	p, ok := schemas.ProviderSchemas[Address]
	if !ok {
		t.Fatalf("no schema for %s in:\n%s", Address, out)
	}
	for kind, blocks := range map[string]map[string]block{"data source": p.DataSourceSchemas, "ephemeral resource": p.EphemeralResourceSchemas} {
		b, ok := blocks["servicetitan_auth_token"]
		if !ok {
			t.Errorf("the CLI knows no %s servicetitan_auth_token", kind)
			continue
		}
		for _, name := range []string{"access_token", "headers"} {
			a, ok := b.Block.Attributes[name]
			if !ok {
				t.Errorf("%s servicetitan_auth_token has no attribute %s", kind, name)
			} else if !a.Sensitive {
				t.Errorf("%s servicetitan_auth_token.%s is not sensitive", kind, name)
			}
		}
		// The attributes around the token are not secret, and marking
		// them so would hide them from plans for no reason.
		for _, name := range []string{"expires_at", "tenant_id", "api_root_url"} {
			if b.Block.Attributes[name].Sensitive {
				t.Errorf("%s servicetitan_auth_token.%s is sensitive", kind, name)
			}
		}
	}
}
