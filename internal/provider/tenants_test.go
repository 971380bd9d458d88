package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

// The installations of one standard app on three tenants, each with its
// own credentials.
var threeInstallations = []fakeservicetitan.Client{
	{ID: "north-client", Secret: "north-secret-1c4e2a9b", Tenant: "1111"},
	{ID: "south-client", Secret: "south-secret-7d0f3b6c", Tenant: "2222"},
	{ID: "east-client", Secret: "east-secret-5a8e1d2f", Tenant: "3333"},
}

// tenantsVariable is a tenants map for clients, as a variable's value.
func tenantsVariable(clients []fakeservicetitan.Client, secret func(fakeservicetitan.Client) string) string {
	var b strings.Builder
	b.WriteString("{\n")
	for _, c := range clients {
		key := strings.TrimSuffix(c.ID, "-client")
		fmt.Fprintf(&b, "    %s = { tenant_id = %q, client_id = %q, client_secret = %q }\n", key, c.Tenant, c.ID, secret(c))
	}
	b.WriteString("  }")
	return b.String()
}

func tenantsConfig(srv *fakeservicetitan.Server, tenants string) string {
	return fmt.Sprintf(`
variable "tenants" {
  type = map(object({ tenant_id = string, client_id = string, client_secret = string }))
  default = %s
}

provider "servicetitan" {
  environment   = "integration"
  auth_root_url = %q
  api_root_url  = %q
  app_key       = %q
  tenants       = var.tenants
}

data "servicetitan_auth_token" "t" {
  for_each = var.tenants
  tenant   = each.key
}

output "tokens" {
  sensitive = true
  value     = { for k, t in data.servicetitan_auth_token.t : k => { tenant_id = t.tenant_id, token = t.access_token, app_key = t.headers["ST-App-Key"] } }
}
`, tenants, srv.URL(), srv.URL(), acctest.AppKey)
}

func TestAccTenantsForEachGivesEachTenantItsToken(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Clients = append(c.Clients, threeInstallations...) })
	logPath := filepath.Join(t.TempDir(), "trace.log")
	run := acctest.NewCLIRun(t, tenantsConfig(srv, tenantsVariable(threeInstallations, func(c fakeservicetitan.Client) string { return c.Secret }))+`
data "servicetitan_auth_token" "again" {
  for_each = var.tenants
  tenant   = each.key
}
`, "TF_LOG=trace", "TF_LOG_PATH="+logPath)
	run.MustRun("apply", "-auto-approve")
	tokens, _ := run.Outputs()["tokens"].(map[string]any)
	if len(tokens) != 3 {
		t.Fatalf("tokens for %d tenants, want 3: %v", len(tokens), tokens)
	}
	for _, c := range threeInstallations {
		got, _ := tokens[strings.TrimSuffix(c.ID, "-client")].(map[string]any)
		token, _ := got["token"].(string)
		claims, err := srv.VerifyToken(token)
		if err != nil || claims.Tenant != c.Tenant || claims.ClientID != c.ID || got["tenant_id"] != c.Tenant || got["app_key"] != acctest.AppKey {
			t.Errorf("%s: token of tenant %q and client %q (%v), tenant_id %v, app key %v; want tenant %s", c.ID, claims.Tenant, claims.ClientID, err, got["tenant_id"], got["app_key"], c.Tenant)
		}
	}
	// Two reads of each tenant in one plan, one token each.
	if got := srv.TokenRequests(); got != 3 {
		t.Errorf("%d token requests, want 3: one per tenant however many reads", got)
	}
	trace, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range threeInstallations {
		if strings.Contains(string(trace), c.Secret) {
			t.Errorf("the trace log holds %s's secret", c.ID)
		}
	}
	if strings.Contains(string(trace), acctest.AppKey) {
		t.Error("the trace log holds the app key")
	}
}

func TestAccTenantsWrongSecretFailsOnlyItsEntry(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Clients = append(c.Clients, threeInstallations...) })
	out, err := acctest.NewCLIRun(t, tenantsConfig(srv, tenantsVariable(threeInstallations, func(c fakeservicetitan.Client) string {
		if c.ID == "south-client" {
			return "wrong-" + c.Secret
		}
		return c.Secret
	}))).Run("plan")
	if err == nil {
		t.Fatalf("a wrong secret was accepted:\n%s", out)
	}
	for _, want := range []string{`with data.servicetitan_auth_token.t["south"]`, "invalid_client", `client_secret from attribute tenants["south"].client_secret`} {
		if !acctest.ErrorText(want).MatchString(out) {
			t.Errorf("the error lacks %q:\n%s", want, out)
		}
	}
	for _, other := range []string{`with data.servicetitan_auth_token.t["north"]`, `with data.servicetitan_auth_token.t["east"]`} {
		if strings.Contains(out, other) {
			t.Errorf("%s failed too:\n%s", other, out)
		}
	}
	if strings.Contains(out, "wrong-south-secret") {
		t.Error("the error echoes the secret")
	}
}

func TestAccTenantsErrorsNameTheEntry(t *testing.T) {
	srv := acctest.StandIn(t)
	for _, tc := range []struct {
		name, config string
		want         []string
	}{
		{"an unknown key", `
data "servicetitan_auth_token" "t" { tenant = "west" }
`, []string{`names tenant "west", which is not a key of the provider's tenants map`, `the keys of tenants are "north", "south"`}},
		{"an entry without its credentials", `
data "servicetitan_auth_token" "t" { tenant = "south" }
`, []string{`tenants["south"].client_secret is not set`, "standard app"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := acctest.NewCLIRun(t, fmt.Sprintf(`
provider "servicetitan" {
  environment   = "integration"
  auth_root_url = %q
  api_root_url  = %q
  app_key       = %q
  tenants = {
    north = { tenant_id = %q, client_id = %q, client_secret = %q }
    south = { tenant_id = "2222", client_id = "south-client" }
  }
}
`, srv.URL(), srv.URL(), acctest.AppKey, acctest.TenantID, acctest.ClientID, acctest.ClientSecret)+tc.config).Run("plan")
			if err == nil {
				t.Fatalf("plan succeeded:\n%s", out)
			}
			for _, w := range tc.want {
				if !acctest.ErrorText(w).MatchString(out) {
					t.Errorf("the error lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// A tenants map that is not known until apply never crashes the plan, and
// what needs no credentials still works.
func TestAccTenantsUnknownAtPlanTime(t *testing.T) {
	srv := acctest.StandIn(t)
	out := acctest.NewCLIRun(t, fmt.Sprintf(`
resource "terraform_data" "tenant_id" { input = %q }

provider "servicetitan" {
  environment   = "integration"
  auth_root_url = %q
  api_root_url  = %q
  tenants = {
    north = { tenant_id = terraform_data.tenant_id.output, client_id = %q, client_secret = %q }
  }
}

data "servicetitan_endpoints" "e" {}

output "token_url" { value = data.servicetitan_endpoints.e.token_url }
`, acctest.TenantID, srv.URL(), srv.URL(), acctest.ClientID, acctest.ClientSecret)).MustRun("plan")
	if !strings.Contains(out, srv.URL()+"/connect/token") {
		t.Errorf("the plan does not show the token URL:\n%s", out)
	}
	if srv.TokenRequests() != 0 {
		t.Errorf("%d token requests, want none", srv.TokenRequests())
	}
}

// A token is never handed out without the tenant ID that every API call's
// URL holds: the read fails, naming the setting, rather than a consumer
// far away.
func TestAccMissingTenantIDIsReported(t *testing.T) {
	srv := acctest.StandIn(t)
	out, err := acctest.NewCLIRun(t, fmt.Sprintf(`
provider "servicetitan" {
  auth_root_url = %q
  client_id     = %q
  client_secret = %q
  app_key       = %q
}
data "servicetitan_auth_token" "t" {}
`, srv.URL(), acctest.ClientID, acctest.ClientSecret, acctest.AppKey)).Run("plan")
	if err == nil {
		t.Fatalf("a token was read without a tenant ID:\n%s", out)
	}
	if !acctest.ErrorText(`tenant_id is not set: set the attribute "tenant_id", the environment variable SERVICETITAN_TENANT_ID`).MatchString(out) {
		t.Errorf("the error does not name tenant_id:\n%s", out)
	}
	if srv.TokenRequests() != 0 {
		t.Errorf("%d token requests, want none", srv.TokenRequests())
	}
}

// A secret pasted with its newline is named in a warning, with its source;
// its value never appears.
func TestAccWhiteSpaceAroundASecretIsAWarning(t *testing.T) {
	srv := acctest.StandIn(t)
	secretWithNewline := acctest.ClientSecret + "\n"
	out, err := acctest.NewCLIRun(t, strings.Replace(acctest.ProviderBlock(srv), fmt.Sprintf("%q", acctest.ClientSecret), fmt.Sprintf("%q", secretWithNewline), 1)+`
data "servicetitan_auth_token" "t" {}
`).Run("plan")
	if err == nil {
		t.Fatalf("the stand-in accepted a secret with a newline:\n%s", out)
	}
	for _, want := range []string{"ServiceTitan setting with surrounding white space", `client_secret (from attribute "client_secret") begins or ends with white space`, "invalid_client"} {
		if !acctest.ErrorText(want).MatchString(out) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, acctest.ClientSecret) {
		t.Error("the output holds the secret")
	}
}

// An Enterprise Hub credential pair serves three tenants: three token
// requests, each form naming its tenant, and each entry's app key on its
// API calls.
func TestAccTenantsOfAnEnterpriseHubApp(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) {
		c.Clients = append(c.Clients, fakeservicetitan.Client{ID: "hub-client", Secret: "hub-secret-3e5d7f9a", Tenants: []string{"1111", "2222", "3333"}, AppKey: "hub-app-key"})
	})
	run := acctest.NewCLIRun(t, fmt.Sprintf(`
provider "servicetitan" {
  environment    = "integration"
  auth_root_url  = %q
  api_root_url   = %q
  enterprise_hub = true
  client_id      = "hub-client"
  client_secret  = "hub-secret-3e5d7f9a"
  app_key        = "hub-app-key"
  tenants = {
    north = { tenant_id = "1111" }
    south = { tenant_id = "2222" }
    east  = { tenant_id = "3333" }
  }
}

data "servicetitan_api_request" "units" {
  for_each = toset(["north", "south", "east"])
  tenant   = each.key
  folder   = "settings"
  endpoint = "business-units"
}

output "units" { value = { for k, r in data.servicetitan_api_request.units : k => r.item_count } }
`, srv.URL(), srv.URL()))
	run.MustRun("apply", "-auto-approve")
	if units, _ := run.Outputs()["units"].(map[string]any); len(units) != 3 {
		t.Errorf("units %v, want a read for each of 3 tenants", units)
	}
	var tenants []string
	for _, r := range srv.TokenRequestLog() {
		tenants = append(tenants, r.Tenant)
	}
	slices.Sort(tenants)
	if !slices.Equal(tenants, []string{"1111", "2222", "3333"}) {
		t.Errorf("token requests named tenants %v, want one for each of 1111, 2222 and 3333", tenants)
	}
}

// terraform validate checks every entry's settings with the provider's
// own rules, before anything is sent.
func TestAccTenantsEntriesAreValidated(t *testing.T) {
	srv := acctest.StandIn(t)
	out, err := acctest.NewCLIRun(t, `
provider "servicetitan" {
  tenants = {
    north = { tenant_id = "12x", client_id = "c", client_secret = "s", environment = "staging" }
  }
}
data "servicetitan_endpoints" "e" {}
`).Run("validate")
	if err == nil {
		t.Fatalf("validate accepted a bad entry:\n%s", out)
	}
	for _, want := range []string{`The value "12x" of attribute tenants["north"].tenant_id is not allowed: a tenant ID is digits only`,
		`The value "staging" of attribute tenants["north"].environment is not allowed`} {
		if !acctest.ErrorText(want).MatchString(out) {
			t.Errorf("validate does not say %q:\n%s", want, out)
		}
	}
	if srv.TokenRequests() != 0 {
		t.Error("validate requested a token")
	}
}
