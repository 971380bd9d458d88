package servicetitan_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

func TestMissingCredentialsReportedOnlyWhenATokenIsNeeded(t *testing.T) {
	conn, _, err := servicetitan.Resolve(servicetitan.Input{"environment": "integration"}, servicetitan.Options{LookupEnv: env(nil)})
	if err != nil {
		t.Fatalf("no credentials should not fail Resolve: %v", err)
	}
	_, err = conn.AuthToken(t.Context())
	var miss *servicetitan.MissingSettingError
	if !errors.As(err, &miss) {
		t.Fatalf("got %v, want a MissingSettingError", err)
	}
	wantContains(t, err.Error(),
		`client_id is not set: set the attribute "client_id", the environment variable SERVICETITAN_CLIENT_ID, or the key "SERVICETITAN_CLIENT_ID"`,
		`client_secret is not set`, "SERVICETITAN_CLIENT_SECRET")

	_, err = conn.AuthHeaders(t.Context())
	wantContains(t, err.Error(), "app_key is not set", "SERVICETITAN_APP_KEY", "client_id is not set")
}

func TestEnterpriseHubNeedsTenant(t *testing.T) {
	conn, _, err := servicetitan.Resolve(servicetitan.Input{"client_id": "c", "client_secret": testSecret, "enterprise_hub": "true"}, servicetitan.Options{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.AuthToken(t.Context())
	if err == nil {
		t.Fatal("no error")
	}
	wantContains(t, err.Error(), "tenant_id is not set", "SERVICETITAN_TENANT_ID")
}

func TestAuthHeadersWorkAgainstTheAPI(t *testing.T) {
	srv := acctest.StandIn(t)
	conn := configFor(t, srv, servicetitan.Input{}, fastOptions())
	headers, err := conn.AuthHeaders(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(headers["Authorization"], "Bearer ") || headers["ST-App-Key"] != testAppKey || len(headers) != 2 {
		t.Fatalf("headers %v", redactHeaders(headers))
	}
	url, err := conn.APIURL("jpm", "jobs")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("jobs route answered %d to our headers", resp.StatusCode)
	}
}

func redactHeaders(h map[string]string) map[string]int {
	out := map[string]int{}
	for k, v := range h {
		out[k] = len(v)
	}
	return out
}

// Every API call's URL holds the tenant ID, so a token is never handed
// out without one: the plan fails where the setting is missing, not at
// the first use of the token.
func TestAuthHeadersNeedTheTenantID(t *testing.T) {
	srv := acctest.StandIn(t)
	c, _, err := servicetitan.Resolve(servicetitan.Input{"auth_root_url": srv.URL(), "client_id": testClientID, "client_secret": testSecret, "app_key": testAppKey},
		servicetitan.Options{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.AuthHeaders(t.Context())
	var miss *servicetitan.MissingSettingError
	if !errors.As(err, &miss) {
		t.Fatalf("got %v, want the tenant ID reported missing", err)
	}
	wantContains(t, err.Error(), `tenant_id is not set: set the attribute "tenant_id", the environment variable SERVICETITAN_TENANT_ID, or the key "SERVICETITAN_TENANT_ID"`)
	if srv.TokenRequests() != 0 {
		t.Error("a token was requested although the tenant ID is missing")
	}
}
