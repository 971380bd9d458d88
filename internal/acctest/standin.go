package acctest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// ClearServiceTitanEnv makes sure a developer's own SERVICETITAN_* variables
// (say, for the live test) cannot leak into a test. Empty counts as unset.
func ClearServiceTitanEnv(t testing.TB) {
	t.Helper()
	for _, s := range servicetitan.Settings() {
		t.Setenv(s.EnvVar, "")
	}
}

// StandIn starts a stand-in ServiceTitan for one test, accepting the
// acceptance-test credentials; mod may change its configuration first.
func StandIn(t testing.TB, mod ...func(*fakeservicetitan.Config)) *fakeservicetitan.Server {
	t.Helper()
	ClearServiceTitanEnv(t)
	cfg := fakeservicetitan.Config{
		Clients: []fakeservicetitan.Client{{ID: ClientID, Secret: ClientSecret, Tenant: TenantID}},
		AppKey:  AppKey,
	}
	for _, m := range mod {
		m(&cfg)
	}
	srv, err := fakeservicetitan.Start(cfg)
	if err != nil {
		t.Fatalf("starting the stand-in ServiceTitan: %v", err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// ProviderBlock configures the provider against srv with full credentials;
// extra lines are added inside the block.
func ProviderBlock(srv *fakeservicetitan.Server, extra ...string) string {
	return ProviderBlockFor(srv.URL(), ClientID, ClientSecret, AppKey, TenantID, extra...)
}

// ProviderBlockFor configures the provider against the stand-in at rootURL
// with the given credentials.
func ProviderBlockFor(rootURL, clientID, clientSecret, appKey, tenantID string, extra ...string) string {
	return fmt.Sprintf(`
provider "servicetitan" {
  environment   = "integration"
  auth_root_url = %q
  api_root_url  = %q
  client_id     = %q
  client_secret = %q
  app_key       = %q
  tenant_id     = %q
  %s
}
`, rootURL, rootURL, clientID, clientSecret, appKey, tenantID, strings.Join(extra, "\n  "))
}

// WriteConfigFile writes a servicepytan-format config file for one test.
func WriteConfigFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "servicetitan.json")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
