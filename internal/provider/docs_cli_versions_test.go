package provider

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestDocsCLIVersions holds the one list of the CLI versions the tests run
// under (the "CLI versions" section of templates/index.md.tmpl, rendered
// into docs/index.md) to what the build runs: the legs of
// scripts/testacc-matrix.sh, the versions the GNUmakefile builds and the
// OpenTofu that tools/opentofu pins. README.md points to that section and
// names no CI version of its own, so the two cannot disagree.
func TestDocsCLIVersions(t *testing.T) {
	page := readExampleFile(t, "../../templates/index.md.tmpl")
	row := regexp.MustCompile(`(?m)^\| (Terraform|OpenTofu),? ([0-9][0-9.]*|the current release)\b[^|]*\| [^|]+ \|$`)
	var documented []string
	for _, m := range row.FindAllStringSubmatch(page, -1) {
		documented = append(documented, m[1]+" "+m[2])
	}

	makefile := readExampleFile(t, "../../GNUmakefile")
	makeVar := func(name string) string {
		m := regexp.MustCompile(`(?m)^` + name + ` := (\S+)$`).FindStringSubmatch(makefile)
		if m == nil {
			t.Fatalf("GNUmakefile sets no %s", name)
		}
		return m[1]
	}
	pinned := regexp.MustCompile(`(?m)^\s*github\.com/opentofu/opentofu v(\S+)`).FindStringSubmatch(readExampleFile(t, "../../tools/opentofu/go.mod"))
	if pinned == nil {
		t.Fatal("tools/opentofu/go.mod pins no github.com/opentofu/opentofu")
	}
	// One leg of the matrix per CLI, in the order the script runs them.
	legs := map[string]string{
		"terraform":        "Terraform the current release",
		"terraform-oldest": "Terraform " + makeVar("TERRAFORM_OLDEST_VERSION"),
		"opentofu":         "OpenTofu " + pinned[1],
		"opentofu-oldest":  "OpenTofu " + makeVar("TOFU_OLDEST_VERSION"),
	}
	var built []string
	for _, m := range regexp.MustCompile(`(?m)^leg ([a-z-]+) `).FindAllStringSubmatch(readExampleFile(t, "../../scripts/testacc-matrix.sh"), -1) {
		v, ok := legs[m[1]]
		if !ok {
			t.Errorf("scripts/testacc-matrix.sh runs a leg %q this test does not know: add it here and to the table", m[1])
			continue
		}
		built = append(built, v)
	}
	slices.Sort(documented)
	slices.Sort(built)
	if !slices.Equal(documented, built) {
		t.Errorf("templates/index.md.tmpl lists the CLIs %q; make testacc-matrix runs %q", documented, built)
	}

	readme := readExampleFile(t, "../../README.md")
	if !strings.Contains(readme, "docs/index.md#cli-versions") {
		t.Error("README.md does not point to the CLI versions section of docs/index.md")
	}
	if m := regexp.MustCompile(`(?i)\bCI\b[^.]*\b(Terraform|OpenTofu) [0-9]`).FindString(readme); m != "" {
		t.Errorf("README.md names a CLI version CI runs (%q); the list lives in templates/index.md.tmpl alone", m)
	}
}
