package provider

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// Users copy an example directory and run it: `cp -r examples/provider/enterprise-hub x && cd x &&
// terraform plan`. That works only when the directory says which provider
// "servicetitan" is; without required_providers the CLI looks for
// hashicorp/servicetitan, which no dev_overrides block names and no
// registry has. TestAccExamplesRun cannot see this, because it adds the
// declaration to a copy that lacks one (snippets need it added).

// exampleSnippetFiles are tfplugindocs's names for the snippet of a data
// source's, ephemeral resource's or function's page. A directory of
// snippets is part of a page, not a configuration: it relies on the
// provider being declared in the user's own configuration, and
// TestAccExamplesRun declares it for them. Every other directory of .tf
// files under examples/ is a configuration a user may copy as it is.
var exampleSnippetFiles = []string{"data-source.tf", "ephemeral-resource.tf", "function.tf", "resource.tf"}

// exampleConfigurationDirs lists the example directories that are
// configurations, relative to examplesRoot.
func exampleConfigurationDirs(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(examplesRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(examplesRoot, path)
		rel = filepath.ToSlash(rel)
		if slices.Contains(examplesRunElsewhere, rel) {
			return filepath.SkipDir
		}
		files := exampleTFFiles(t, path)
		if len(files) > 0 && !slices.ContainsFunc(files, func(f string) bool { return !slices.Contains(exampleSnippetFiles, filepath.Base(f)) }) {
			return nil // snippets only
		}
		if len(files) > 0 {
			dirs = append(dirs, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// exampleProviders reads a configuration's required_providers (local name
// to source), the local names of the providers its blocks use, and those
// it has a provider block for.
func exampleProviders(t *testing.T, dir string) (required map[string]string, used, configured []string) {
	t.Helper()
	required = map[string]string{}
	use := func(name string) {
		if name != "terraform" && !slices.Contains(used, name) {
			used = append(used, name)
		}
	}
	for _, f := range exampleTFFiles(t, dir) {
		src := []byte(readExampleFile(t, f))
		file, diags := hclsyntax.ParseConfig(src, f, hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		body, ok := file.Body.(*hclsyntax.Body)
		if !ok {
			t.Fatalf("%s: not a native syntax file", f)
		}
		for _, b := range body.Blocks {
			switch {
			case b.Type == "terraform":
				for _, rp := range b.Body.Blocks {
					if rp.Type != "required_providers" {
						continue
					}
					for name, attr := range rp.Body.Attributes {
						v, diags := attr.Expr.Value(nil)
						if diags.HasErrors() || !v.Type().IsObjectType() || !v.Type().HasAttribute("source") {
							t.Errorf("%s: required_providers.%s has no literal source", f, name)
							continue
						}
						required[name] = v.GetAttr("source").AsString()
					}
				}
			case b.Type == "provider" && len(b.Labels) == 1:
				use(b.Labels[0])
				configured = append(configured, b.Labels[0])
			case (b.Type == "resource" || b.Type == "data" || b.Type == "ephemeral") && len(b.Labels) == 2:
				// A type's provider is the part of its name before the first underscore.
				use(strings.SplitN(b.Labels[0], "_", 2)[0])
			}
		}
	}
	sort.Strings(used)
	return required, used, configured
}

// TestAccExampleConfigurationsRunAsCopied copies each example configuration
// directory as it is (no declaration added, no file but the test's own
// variable values) and plans it against the stand-in with the provider of
// this module through dev_overrides, as a user with `make install` would.
// A configuration that also needs another provider (Vault, AWS,
// Mastercard/restapi), which cannot be installed here, is checked by format
// only: `fmt -check`, and that its required_providers names every provider
// it uses, this one by its source address.
func TestAccExampleConfigurationsRunAsCopied(t *testing.T) {
	runnable := map[string]runnableExample{}
	for _, e := range runnableExamples() {
		runnable[e.dir] = e
	}
	dirs := exampleConfigurationDirs(t)
	if len(dirs) < 10 {
		t.Fatalf("found only %d example configurations (%q): the walk is broken", len(dirs), dirs)
	}
	for _, dir := range dirs {
		t.Run(dir, func(t *testing.T) {
			src := filepath.Join(examplesRoot, dir)
			required, used, configured := exampleProviders(t, src)
			if got := required["servicetitan"]; got != acctest.ProviderSource {
				t.Errorf("required_providers gives servicetitan the source %q, want %q: a copy of the directory would look for hashicorp/servicetitan", got, acctest.ProviderSource)
			}
			// Empty when the settings come from the environment: without a
			// block, a bad setting is reported after "Invalid provider
			// configuration", at "<empty> line 0" (TestAccEmptyProviderBlock).
			if !slices.Contains(configured, "servicetitan") {
				t.Errorf(`the configuration has no provider "servicetitan" block; give it one, empty if its settings come from the environment`)
			}
			var consumers []string
			for _, name := range used {
				if name == "servicetitan" {
					continue
				}
				consumers = append(consumers, name)
				if _, ok := required[name]; !ok {
					t.Errorf("the configuration uses provider %q but its required_providers does not name it", name)
				}
			}
			if len(consumers) > 0 {
				// Format only: those providers cannot be installed here.
				if out, err := acctest.CLIRunIn(t, src).Run("fmt", "-check", "-diff", "."); err != nil {
					t.Errorf("fmt -check: %v\n%s", err, out)
				}
				t.Logf("checked by format and declarations only: it needs %s, which cannot be installed here", strings.Join(consumers, ", "))
				return
			}
			e, ok := runnable[dir]
			if !ok {
				t.Fatalf("no entry in runnableExamples says what %s needs to run", dir)
			}
			srv := acctest.StandIn(t, e.standIn...)
			t.Setenv(servicetitan.SettingAuthRootURL.EnvVar, srv.URL())
			t.Setenv(servicetitan.SettingAPIRootURL.EnvVar, srv.URL())
			work := t.TempDir()
			if err := acctestCopyDir(src, work); err != nil {
				t.Fatal(err)
			}
			var text strings.Builder
			for _, f := range exampleTFFiles(t, work) {
				text.WriteString(readExampleFile(t, f))
			}
			acctest.SkipUnlessSupported(t, text.String())
			if e.prepare != nil {
				if err := e.prepare(t, srv, work).Write(work); err != nil {
					t.Fatal(err)
				}
			}
			var env []string
			for _, kv := range os.Environ() {
				if strings.HasPrefix(kv, "SERVICETITAN_") {
					env = append(env, kv)
				}
			}
			acctest.CLIRunIn(t, work, env...).MustRun("plan", "-input=false")
		})
	}
}

// acctestCopyDir copies a directory as `cp -r` would, subdirectories
// (such as multiple-tenants' tenants/) included.
func acctestCopyDir(from, to string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o700)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o600)
	})
}
