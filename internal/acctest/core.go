package acctest

import (
	"maps"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// FastOptions keeps retry waits short so that fault tests run in
// milliseconds, and reads no variable of the machine running them.
func FastOptions() servicetitan.Options {
	return servicetitan.Options{
		LookupEnv:    func(string) (string, bool) { return "", false },
		RetryWaitMin: 10 * time.Millisecond,
		RetryWaitMax: 50 * time.Millisecond,
		UserAgent:    "core-test/1.0",
	}
}

// ResolveFor resolves a configuration for srv with the credentials it
// accepts; in overrides any setting.
func ResolveFor(t testing.TB, srv *fakeservicetitan.Server, in servicetitan.Input, opts servicetitan.Options) *servicetitan.Config {
	t.Helper()
	in = maps.Clone(in)
	if in == nil {
		in = servicetitan.Input{}
	}
	defaults := servicetitan.Input{
		"auth_root_url": srv.URL(), "api_root_url": srv.URL(),
		"client_id": ClientID, "client_secret": ClientSecret, "app_key": AppKey, "tenant_id": TenantID,
	}
	for k, v := range defaults {
		if in[k] == "" {
			in[k] = v
		}
	}
	conn, _, err := servicetitan.Resolve(in, opts)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	return conn
}
