package provider

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

// The guide's incremental export, run as a user runs it: its script, twice
// in a fresh directory, with jobs arriving in between. The first run reads
// every job; the second only what changed.
func TestAccAPIRequestExportRecipeRunsFirstAndLater(t *testing.T) {
	const dir = "data-sources/servicetitan_api_request/export"
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Jobs = 2345 })
	work := copyExample(t, dir)
	if !exampleFilesContain(t, work, "required_providers") {
		writeExampleFile(t, filepath.Join(work, "example_test_providers.tf"), acctest.RequiredProviders())
	}
	run := acctest.CLIRunIn(t, work,
		"SERVICETITAN_AUTH_ROOT_URL="+srv.URL(), "SERVICETITAN_API_ROOT_URL="+srv.URL(),
		"SERVICETITAN_CLIENT_ID="+acctest.ClientID, "SERVICETITAN_CLIENT_SECRET="+acctest.ClientSecret,
		"SERVICETITAN_APP_KEY="+acctest.AppKey, "SERVICETITAN_TENANT_ID="+acctest.TenantID,
		// The script calls the CLI by its name, as a user's shell does.
		"PATH="+filepath.Dir(acctest.CLIPath())+string(os.PathListSeparator)+os.Getenv("PATH"))
	if filepath.Base(acctest.CLIPath()) != "terraform" {
		// The script says terraform; give this CLI that name too.
		bin := t.TempDir()
		if err := os.Symlink(acctest.CLIPath(), filepath.Join(bin, "terraform")); err != nil {
			t.Fatal(err)
		}
		run.Env = append(run.Env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	script := func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
		defer cancel()
		var out bytes.Buffer
		cmd := run.Command(ctx, &out)
		cmd.Path, cmd.Args = "/bin/bash", []string{"bash", "run.sh"}
		if err := cmd.Run(); err != nil {
			t.Fatalf("run.sh: %v\n%s", err, out.String())
		}
	}
	changed := func() int {
		ids, _ := run.Outputs()["changed_job_ids"].([]any)
		return len(ids)
	}

	script()
	if got := changed(); got != 2345 {
		t.Fatalf("the first run read %d jobs, want all 2345", got)
	}
	srv.AddJobs(7)
	script()
	if got := changed(); got != 7 {
		t.Errorf("the second run read %d jobs, want only the 7 added since", got)
	}
	from, err := os.ReadFile(filepath.Join(work, "continue-from.auto.tfvars.json"))
	if err != nil || !strings.Contains(string(from), `"jobs_continue_from": "`) {
		t.Errorf("the second run's variables file: %q, %v", from, err)
	}
}
