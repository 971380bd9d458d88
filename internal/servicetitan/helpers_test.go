package servicetitan_test

import (
	"io"
	"log"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

// fastOptions keeps retry waits short so fault tests run in milliseconds.
func fastOptions() servicetitan.Options {
	return servicetitan.Options{
		LookupEnv:    env(nil),
		RetryWaitMin: 10 * time.Millisecond,
		RetryWaitMax: 50 * time.Millisecond,
		UserAgent:    "core-test/1.0",
	}
}

// configFor resolves a configuration for srv with valid credentials.
func configFor(t *testing.T, srv *fakeservicetitan.Server, in servicetitan.Input, opts servicetitan.Options) *servicetitan.Config {
	t.Helper()
	in = maps.Clone(in)
	if in == nil {
		in = servicetitan.Input{}
	}
	if in["auth_root_url"] == "" {
		in["auth_root_url"] = srv.URL()
	}
	if in["api_root_url"] == "" {
		in["api_root_url"] = srv.URL()
	}
	if in["client_id"] == "" {
		in["client_id"] = testClientID
	}
	if in["client_secret"] == "" {
		in["client_secret"] = testSecret
	}
	if in["app_key"] == "" {
		in["app_key"] = testAppKey
	}
	if in["tenant_id"] == "" {
		in["tenant_id"] = testTenant
	}
	conn, _, err := servicetitan.Resolve(in, opts)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	return conn
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
	for _, p := range parts {
		if !strings.Contains(got, p) {
			t.Errorf("message %q\n  does not contain %q", got, p)
		}
	}
}

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }

// clock is a settable time source shared by the client and the stand-in.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// clockedStandIn starts a stand-in that shares a settable clock with the
// options it returns, so that a test moves time for both at once.
func clockedStandIn(t *testing.T) (*clock, *fakeservicetitan.Server, servicetitan.Options) {
	t.Helper()
	clk := &clock{now: time.Now()}
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Now = clk.Now })
	opts := fastOptions()
	opts.Now = clk.Now
	return clk, srv, opts
}
