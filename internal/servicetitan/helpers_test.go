package servicetitan_test

import (
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// The credentials the stand-in accepts, the same as in every other
// package's tests.
const (
	testClientID = acctest.ClientID
	testSecret   = acctest.ClientSecret
	testAppKey   = acctest.AppKey
	testTenant   = acctest.TenantID
)

// env builds a LookupEnv over a fixed map, so tests never read the real
// environment of the machine running them.
func env(vars map[string]string) func(string) (string, bool) { return acctest.LookupEnv(vars) }

// fastOptions keeps retry waits short so fault tests run in milliseconds.
func fastOptions() servicetitan.Options {
	opts := acctest.FastOptions()
	opts.UserAgent = "core-test/1.0"
	return opts
}

// configFor resolves a configuration for srv with valid credentials.
func configFor(t *testing.T, srv *fakeservicetitan.Server, in servicetitan.Input, opts servicetitan.Options) *servicetitan.Config {
	t.Helper()
	return acctest.ConfigFor(t, srv, in, opts)
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// mustNotLeak fails when s holds the client secret or anything issued.
func mustNotLeak(t *testing.T, s string, secrets ...string) {
	t.Helper()
	for _, sec := range append(secrets, testSecret) {
		if sec != "" && strings.Contains(s, sec) {
			t.Fatalf("message leaks a secret %q: %s", sec, s)
		}
	}
}

func wantContains(t *testing.T, got string, parts ...string) {
	t.Helper()
	acctest.WantContains(t, got, parts...)
}

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }

// clockedStandIn starts a stand-in that shares a settable clock with the
// options it returns, so that a test moves time for both at once.
func clockedStandIn(t *testing.T) (*acctest.Clock, *fakeservicetitan.Server, servicetitan.Options) {
	t.Helper()
	clk := acctest.NewClock(time.Now())
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Now = clk.Now })
	opts := fastOptions()
	opts.Now = clk.Now
	return clk, srv, opts
}
