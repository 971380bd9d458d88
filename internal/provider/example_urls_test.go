package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
)

// The examples that hand a token to another provider cannot run here, but
// where they send it can be checked: every URL expression of their `http`
// data sources is evaluated, with the provider's blocks of the example,
// against a provider whose api_root_url is the stand-in, and must point at
// the stand-in. A URL built from the environment alone would send the
// token to ServiceTitan's real host whatever api_root_url says.
func TestAccExampleURLsFollowTheProvidersAPIRoot(t *testing.T) {
	srv := acctest.StandIn(t)
	var blocks, outputs []string
	for _, dir := range documentationOnlyExamples {
		files, _ := filepath.Glob(filepath.Join(examplesRoot, dir, "*.tf"))
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			file, diags := hclsyntax.ParseConfig(src, f, hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			// The servicetitan blocks of each file that sends a token
			// with an http data source, and those data sources' URLs.
			var fileBlocks, fileOutputs []string
			body, ok := file.Body.(*hclsyntax.Body)
			if !ok {
				t.Fatalf("%s: not a native syntax file", f)
			}
			for _, b := range body.Blocks {
				if len(b.Labels) == 0 {
					continue
				}
				switch {
				case (b.Type == "data" || b.Type == "ephemeral") && strings.HasPrefix(b.Labels[0], "servicetitan_"):
					fileBlocks = append(fileBlocks, string(b.Range().SliceBytes(src)))
				case b.Type == "data" && b.Labels[0] == "http":
					if url, ok := b.Body.Attributes["url"]; ok {
						fileOutputs = append(fileOutputs, fmt.Sprintf("output %q {\n  value = %s\n}\n",
							fmt.Sprintf("url_%d", len(outputs)+len(fileOutputs)), url.Expr.Range().SliceBytes(src)))
					}
				}
			}
			if len(fileOutputs) > 0 {
				blocks, outputs = append(blocks, fileBlocks...), append(outputs, fileOutputs...)
			}
		}
	}
	if len(outputs) == 0 {
		t.Fatal("no http data source URL found in the examples: the check would prove nothing")
	}
	run := acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+strings.Join(blocks, "\n")+"\n"+strings.Join(outputs, "\n"))
	run.MustRun("apply", "-auto-approve")
	for name, v := range run.Outputs() {
		url, _ := v.(string)
		if !strings.HasPrefix(url, srv.URL()+"/") {
			t.Errorf("%s = %q: the token would go to another host than the provider's api_root_url %s", name, url, srv.URL())
		}
	}
}
