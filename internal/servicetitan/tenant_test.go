package servicetitan_test

import (
	"errors"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// An entry's own value wins, then its config file's, then the provider's.
func TestTenantEntryResolvesOverTheProvider(t *testing.T) {
	file := writeFile(t, "south.json", `{"SERVICETITAN_CLIENT_SECRET": "file-secret", "SERVICETITAN_TENANT_ID": "9999", "SERVICETITAN_APP_KEY": "file-app-key"}`)
	provider, _, err := servicetitan.Resolve(servicetitan.Input{"environment": "integration", "app_key": "provider-app-key", "timezone": "Europe/Kyiv"},
		servicetitan.Options{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	south, _, err := provider.Tenant("south", servicetitan.Input{"client_id": "south-client", "tenant_id": "8765", "config_file": file})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ setting, got, want, source string }{
		{"tenant_id", south.TenantID(), "8765", `attribute tenants["south"].tenant_id`},
		{"client_id", south.ClientID(), "south-client", `attribute tenants["south"].client_id`},
		{"app_key", south.AppKey(), "file-app-key", `config file "` + file + `" of tenants["south"], key "SERVICETITAN_APP_KEY"`},
		{"environment", string(south.Environment()), "integration", `attribute "environment"`},
		{"timezone", south.Timezone().String(), "Europe/Kyiv", `attribute "timezone"`},
	} {
		if tc.got != tc.want || south.Source(tc.setting).String() != tc.source {
			t.Errorf("%s = %q from %s, want %q from %s", tc.setting, tc.got, south.Source(tc.setting), tc.want, tc.source)
		}
	}
}

// A standard app's entry must bring its installation's credentials and its
// tenant; the error names the entry and the setting.
func TestTenantEntryOfAStandardAppNeedsItsOwnCredentials(t *testing.T) {
	provider, _, err := servicetitan.Resolve(servicetitan.Input{"client_id": "shared", "client_secret": testSecret}, servicetitan.Options{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = provider.Tenant("north", servicetitan.Input{"tenant_id": "1234"})
	var te *servicetitan.TenantError
	if !errors.As(err, &te) {
		t.Fatalf("got %v, want a TenantError", err)
	}
	wantContains(t, err.Error(), `tenants["north"].client_id is not set`, `tenants["north"].client_secret is not set`, "standard app", "enterprise_hub = true")
	mustNotLeak(t, err.Error())

	_, _, err = provider.Tenant("east", servicetitan.Input{"client_id": "c", "client_secret": "s"})
	wantContains(t, err.Error(), `tenants["east"].tenant_id is not set`)

	_, _, err = provider.Tenant("west", servicetitan.Input{"tenant_id": "12x", "client_id": "c", "client_secret": "s"})
	wantContains(t, err.Error(), `invalid tenant_id "12x" (from attribute tenants["west"].tenant_id)`)
}

// Entries with the same client ID but different secrets, or the same Hub
// credentials for different tenants, keep their tokens apart.
func TestTenantEntriesKeepTheirTokensApart(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) {
		c.Clients = append(c.Clients, fakeservicetitan.Client{ID: "other-client", Secret: "other-secret", Tenant: "7777"})
	})
	opts := fastOptions()
	opts.SharedTokens = servicetitan.NewSharedTokens()
	provider := configFor(t, srv, servicetitan.Input{}, opts)
	good, _, err := provider.Tenant("good", servicetitan.Input{"tenant_id": testTenant, "client_id": testClientID, "client_secret": testSecret})
	if err != nil {
		t.Fatal(err)
	}
	wrong, _, err := provider.Tenant("wrong", servicetitan.Input{"tenant_id": testTenant, "client_id": testClientID, "client_secret": "not-" + testSecret})
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := provider.Tenant("other", servicetitan.Input{"tenant_id": "7777", "client_id": "other-client", "client_secret": "other-secret"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := good.AuthToken(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := wrong.AuthToken(t.Context()); err == nil {
		t.Fatal("the entry with the wrong secret was served the other entry's token")
	}
	tok, err := other.AuthToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if claims, err := srv.VerifyToken(tok.AccessToken); err != nil || claims.Tenant != "7777" {
		t.Errorf("the other entry's token is for tenant %q (%v), want 7777", claims.Tenant, err)
	}
	for range 3 {
		_, _ = good.AuthToken(t.Context())
		_, _ = other.AuthToken(t.Context())
	}
	if got := srv.TokenRequests(); got != 3 {
		t.Errorf("%d token requests, want 3: one per entry, however many reads", got)
	}
}

// An entry may set only the settings of an installation; the error says
// which ones those are.
func TestTenantEntryRefusesOtherSettings(t *testing.T) {
	provider, _, err := servicetitan.Resolve(nil, servicetitan.Options{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = provider.Tenant("north", servicetitan.Input{"tenant_id": "1", "timezone": "UTC"})
	wantContains(t, err.Error(), `tenants["north"].timezone is not a setting of an entry`, `"tenant_id", "client_id", "client_secret", "app_key", "environment", "enterprise_hub" and "config_file"`)
}
