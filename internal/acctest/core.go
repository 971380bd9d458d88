package acctest

import (
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// Helpers for the tests of the auth core and of the packages beside it
// (the token cache), which resolve configurations against the stand-in
// without Terraform.

// LookupEnv is an Options.LookupEnv over a fixed map, so that a test never
// reads the real environment of the machine running it.
func LookupEnv(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

// FastOptions keeps retry waits short, so that fault tests run in
// milliseconds, and reads no environment variable.
func FastOptions() servicetitan.Options {
	return servicetitan.Options{
		LookupEnv:    LookupEnv(nil),
		RetryWaitMin: 10 * time.Millisecond,
		RetryWaitMax: 50 * time.Millisecond,
	}
}

// ConfigFor resolves a configuration for srv with the credentials it
// accepts, wherever in leaves them out.
func ConfigFor(t testing.TB, srv *fakeservicetitan.Server, in servicetitan.Input, opts servicetitan.Options) *servicetitan.Config {
	t.Helper()
	in = maps.Clone(in)
	if in == nil {
		in = servicetitan.Input{}
	}
	// srv is asked for its URL only when in leaves a root URL out: a test
	// of an unreachable root passes no stand-in at all.
	for _, name := range []string{"auth_root_url", "api_root_url"} {
		if in[name] == "" {
			in[name] = srv.URL()
		}
	}
	for name, v := range map[string]string{"client_id": ClientID, "client_secret": ClientSecret, "app_key": AppKey, "tenant_id": TenantID} {
		if in[name] == "" {
			in[name] = v
		}
	}
	conn, _, err := servicetitan.Resolve(in, opts)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	return conn
}

// WantContains fails the test for every part that got does not contain.
func WantContains(t testing.TB, got string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(got, p) {
			t.Errorf("message %q\n  does not contain %q", got, p)
		}
	}
}

// Clock is a settable time source, shared by the client and the stand-in
// so that a test moves time for both at once.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock is a Clock that reads now until it is advanced.
func NewClock(now time.Time) *Clock { return &Clock{now: now} }

// Now is the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Advance moves the clock by d.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }
