package provider

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

// savedPlanExample is the pattern the documentation recommends for saved
// plans: an API call at apply time with an ephemeral token.
const savedPlanExample = "ephemeral-resources/servicetitan_auth_token/saved-plan"

// savedPlanRun plans the saved-plan example (or its data-source variant) with
// -out, lets the plan wait longer than a token lives, and applies it. The
// stand-in's clock moves instead of the test sleeping.
func savedPlanRun(t *testing.T, dataSource bool) (srv *fakeservicetitan.Server, run *acctest.CLIRun, out string, err error) {
	t.Helper()
	var ahead atomic.Int64
	srv = acctest.StandIn(t, func(c *fakeservicetitan.Config) {
		c.Now = func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	})
	config := readExampleFile(t, filepath.Join(examplesRoot, savedPlanExample, "main.tf"))
	if dataSource {
		config = strings.ReplaceAll(config, `ephemeral "servicetitan_auth_token"`, `data "servicetitan_auth_token"`)
		config = strings.ReplaceAll(config, "ephemeral.servicetitan_auth_token.", "data.servicetitan_auth_token.")
	}
	run = acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+config)
	run.MustRun("plan", "-out=tfplan")
	if n := srv.TokenRequests(); n != 1 {
		t.Fatalf("plan -out made %d token requests, want 1", n)
	}
	// The plan waits for approval longer than the token lives.
	ahead.Store(int64(fakeservicetitan.DefaultTokenLifetime + 5*time.Minute))
	out, err = run.Run("apply", "tfplan")
	return srv, run, out, err
}

func TestAccSavedPlanOpensTheEphemeralTokenAgainAtApply(t *testing.T) {
	srv, run, out, err := savedPlanRun(t, false)
	if err != nil {
		t.Fatalf("applying the saved plan failed:\n%s", out)
	}
	if n := srv.TokenRequests(); n != 2 {
		t.Errorf("plan and apply of the saved plan made %d token requests, want 2 (the apply opens the token again)", n)
	}
	jobs, err := os.ReadFile(filepath.Join(run.Dir, "jobs.json"))
	if err != nil || !strings.Contains(string(jobs), `"data"`) {
		t.Errorf("the API call at apply time wrote no jobs (%v): %q", err, jobs)
	}
}

// The documentation warns against this: the data source is read while
// planning and not again when the saved plan is applied.
func TestAccSavedPlanKeepsTheDataSourceTokenOfPlanTime(t *testing.T) {
	srv, _, out, err := savedPlanRun(t, true)
	if err == nil {
		t.Fatalf("the saved plan's data-source token still worked after it expired:\n%s", out)
	}
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("plan and apply of the saved plan made %d token requests, want 1 (the data source is not read again)", n)
	}
	if !strings.Contains(out, "401") {
		t.Errorf("the API call did not fail with 401 for an expired token:\n%s", out)
	}
}
