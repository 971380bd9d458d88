package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

func TestMain(m *testing.M) { acctest.Main(m) }

// instances counts provider processes (factory calls) in a test and the
// token requests each made, so requests can be compared with processes: the
// contract is one request per provider configuration per process.
type instances struct {
	n        atomic.Int64
	mu       sync.Mutex
	requests map[int64]int
}

func (i *instances) observe(id int64) func(context.Context, string, map[string]any) {
	return func(_ context.Context, msg string, _ map[string]any) {
		if msg != "requesting ServiceTitan token" {
			return
		}
		i.mu.Lock()
		defer i.mu.Unlock()
		if i.requests == nil {
			i.requests = map[int64]int{}
		}
		i.requests[id]++
	}
}

// perProcess returns the number of token requests of each process that made any.
func (i *instances) perProcess() map[int64]int {
	i.mu.Lock()
	defer i.mu.Unlock()
	out := map[int64]int{}
	for k, v := range i.requests {
		out[k] = v
	}
	return out
}

// factories serves this provider in-process, with short retry waits, and
// the echo provider for observing ephemeral values.
func factories(inst *instances) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"servicetitan": func() (tfprotov6.ProviderServer, error) {
			p := &ServiceTitanProvider{version: "test", tokens: servicetitan.NewTokenCache(), options: servicetitan.Options{
				RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 50 * time.Millisecond,
			}}
			if inst != nil {
				p.options.Log = inst.observe(inst.n.Add(1))
			}
			return providerserver.NewProtocol6WithError(p)()
		},
		"echo": echoprovider.NewProviderServer(),
	}
}

// unitTest runs a test case against the real CLI with this provider
// in-process. A CLI that lacks a feature the steps use skips the test.
func unitTest(t *testing.T, inst *instances, steps ...resource.TestStep) {
	t.Helper()
	var configs []string
	for _, s := range steps {
		configs = append(configs, s.Config)
	}
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   acctest.VersionChecksFor(configs...),
		ProtoV6ProviderFactories: factories(inst),
		Steps:                    steps,
	})
}

func TestAccProviderConfiguresFromAttributes(t *testing.T) {
	srv := acctest.StandIn(t)
	unitTest(t, nil, resource.TestStep{
		Config: acctest.ProviderBlock(srv) + `data "servicetitan_auth_token" "t" {}`,
		Check: resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr("data.servicetitan_auth_token.t", "tenant_id", acctest.TenantID),
			resource.TestCheckResourceAttr("data.servicetitan_auth_token.t", "environment", "integration"),
			resource.TestCheckResourceAttr("data.servicetitan_auth_token.t", "headers.ST-App-Key", acctest.AppKey),
		),
	})
	if got := srv.LastTokenRequest(); got.ClientID != acctest.ClientID || !got.SecretMatched {
		t.Errorf("stand-in saw client %q (secret matched: %v)", got.ClientID, got.SecretMatched)
	}
}

func TestAccProviderConfiguresFromEnvironment(t *testing.T) {
	srv := acctest.StandIn(t)
	for k, v := range map[string]string{
		"SERVICETITAN_API_ENVIRONMENT": "integration", "SERVICETITAN_AUTH_ROOT_URL": srv.URL(), "SERVICETITAN_API_ROOT_URL": srv.URL(),
		"SERVICETITAN_CLIENT_ID": acctest.ClientID, "SERVICETITAN_CLIENT_SECRET": acctest.ClientSecret, "SERVICETITAN_APP_KEY": acctest.AppKey,
		"SERVICETITAN_TENANT_ID": acctest.TenantID, "SERVICETITAN_APP_ID": "env-app", "SERVICETITAN_TIMEZONE": "Asia/Tokyo",
	} {
		t.Setenv(k, v)
	}
	unitTest(t, nil, resource.TestStep{
		Config: `
provider "servicetitan" {}
data "servicetitan_auth_token" "t" {}
`,
		Check: resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr("data.servicetitan_auth_token.t", "tenant_id", acctest.TenantID),
			resource.TestCheckResourceAttr("data.servicetitan_auth_token.t", "app_id", "env-app"),
			resource.TestCheckResourceAttr("data.servicetitan_auth_token.t", "api_root_url", srv.URL()),
			resource.TestMatchResourceAttr("data.servicetitan_auth_token.t", "expires_at", regexp.MustCompile(`\+09:00$`)),
		),
	})
	if srv.TokenRequests() == 0 {
		t.Error("no token was requested from the stand-in")
	}
}

func TestAccPrecedenceAttributeThenConfigFileThenEnvironment(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) {
		c.Clients = []fakeservicetitan.Client{
			{ID: "attr-client", Secret: acctest.ClientSecret, Tenant: acctest.TenantID},
			{ID: "file-client", Secret: acctest.ClientSecret, Tenant: acctest.TenantID},
			{ID: "env-client", Secret: acctest.ClientSecret, Tenant: acctest.TenantID},
		}
	})
	for k, v := range map[string]string{
		"SERVICETITAN_CLIENT_ID": "env-client", "SERVICETITAN_TENANT_ID": "3003", "SERVICETITAN_APP_ID": "env-app",
		"SERVICETITAN_CLIENT_SECRET": acctest.ClientSecret, "SERVICETITAN_APP_KEY": acctest.AppKey,
		"SERVICETITAN_AUTH_ROOT_URL": srv.URL(), "SERVICETITAN_API_ROOT_URL": srv.URL(),
	} {
		t.Setenv(k, v)
	}
	withClientInFile := acctest.WriteConfigFile(t, `{"SERVICETITAN_CLIENT_ID": "file-client", "SERVICETITAN_TENANT_ID": "2002"}`)
	withoutClientInFile := acctest.WriteConfigFile(t, `{"SERVICETITAN_TENANT_ID": "2002"}`)

	sawClient := func(want string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if got := srv.LastTokenRequest().ClientID; got != want {
				return fmt.Errorf("the stand-in received client_id %q, want %q", got, want)
			}
			return nil
		}
	}
	const ds = "data.servicetitan_auth_token.t"
	unitTest(t, nil,
		resource.TestStep{ // all three sources set client_id: the attribute wins
			Config: fmt.Sprintf(`
provider "servicetitan" {
  client_id   = "attr-client"
  tenant_id   = "1001"
  config_file = %q
}
data "servicetitan_auth_token" "t" {}
`, withClientInFile),
			Check: resource.ComposeAggregateTestCheckFunc(sawClient("attr-client"),
				resource.TestCheckResourceAttr(ds, "tenant_id", "1001"),
				resource.TestCheckResourceAttr(ds, "app_id", "env-app")),
		},
		resource.TestStep{ // file and environment: the file wins
			Config: fmt.Sprintf(`
provider "servicetitan" {
  config_file = %q
}
data "servicetitan_auth_token" "t" {}
`, withClientInFile),
			Check: resource.ComposeAggregateTestCheckFunc(sawClient("file-client"),
				resource.TestCheckResourceAttr(ds, "tenant_id", "2002")),
		},
		resource.TestStep{ // only the environment sets client_id
			Config: fmt.Sprintf(`
provider "servicetitan" {
  config_file = %q
}
data "servicetitan_auth_token" "t" {}
`, withoutClientInFile),
			Check: resource.ComposeAggregateTestCheckFunc(sawClient("env-client"),
				resource.TestCheckResourceAttr(ds, "tenant_id", "2002")),
		},
	)
}

func TestAccServicepytanConfigFileConfiguresTheProvider(t *testing.T) {
	srv := acctest.StandIn(t)
	file := acctest.WriteConfigFile(t, fmt.Sprintf(`{
  "SERVICETITAN_APP_KEY": %q,
  "SERVICETITAN_TENANT_ID": %q,
  "SERVICETITAN_CLIENT_ID": %q,
  "SERVICETITAN_CLIENT_SECRET": %q,
  "SERVICETITAN_APP_ID": "file-app",
  "SERVICETITAN_TIMEZONE": "Europe/London",
  "SERVICETITAN_API_ENVIRONMENT": "integration"
}`, acctest.AppKey, acctest.TenantID, acctest.ClientID, acctest.ClientSecret))
	t.Setenv("SERVICETITAN_CONFIG_FILE", file)
	unitTest(t, nil, resource.TestStep{
		Config: fmt.Sprintf(`
provider "servicetitan" {
  auth_root_url = %q
  api_root_url  = %q
}
data "servicetitan_auth_token" "t" {}
data "servicetitan_endpoints" "e" {}
`, srv.URL(), srv.URL()),
		Check: resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr("data.servicetitan_auth_token.t", "app_id", "file-app"),
			resource.TestCheckResourceAttr("data.servicetitan_auth_token.t", "environment", "integration"),
			resource.TestCheckResourceAttr("data.servicetitan_endpoints.e", "environment", "integration"),
		),
	})
}

func TestAccValidationErrors(t *testing.T) {
	srv := acctest.StandIn(t)
	notJSON := acctest.WriteConfigFile(t, "{\n  \"SERVICETITAN_TENANT_ID\": \"1\",\n  oops\n}")
	numberValue := acctest.WriteConfigFile(t, `{"SERVICETITAN_TENANT_ID": 1234}`)
	for _, tc := range []struct {
		name   string
		config string
		env    map[string]string
		want   string
	}{
		{"environment", `environment = "Production"`, nil, `The value "Production" of attribute "environment" is not allowed: valid environments are "production" and "integration"`},
		{"environment from env var", ``, map[string]string{"SERVICETITAN_API_ENVIRONMENT": "staging"},
			`invalid environment "staging" (from environment variable SERVICETITAN_API_ENVIRONMENT): valid environments are "production" and "integration"`},
		{"timezone", `timezone = "Mars/Olympus_Mons"`, nil, `attribute "timezone" is not allowed: not a known IANA time zone`},
		{"tenant id", `tenant_id = "12ab"`, nil, `attribute "tenant_id" is not allowed: a tenant ID is digits only`},
		{"tenant id from env var", ``, map[string]string{"SERVICETITAN_TENANT_ID": "12ab"}, `invalid tenant_id "12ab" (from environment variable SERVICETITAN_TENANT_ID)`},
		{"auth root url over http", `auth_root_url = "http://auth.example.com"`, nil, `must use https; plain http is allowed only for a loopback host`},
		{"api root url relative", `api_root_url = "api.example.com"`, nil, `attribute "api_root_url" is not allowed: must be an absolute URL`},
		{"request timeout", `request_timeout = "30"`, nil, `attribute "request_timeout" is not allowed: must be a positive duration`},
		{"max retries", `max_retries = 99`, nil, `max_retries value must be between 0 and 10`},
		{"enterprise hub from env var", ``, map[string]string{"SERVICETITAN_ENTERPRISE_HUB": "sure"}, `invalid enterprise_hub "sure" (from environment variable SERVICETITAN_ENTERPRISE_HUB): must be "true" or "false"`},
		{"config file missing", `config_file = "/nonexistent/servicetitan.json"`, nil, `config file "/nonexistent/servicetitan.json" (from attribute "config_file"): the file does not exist`},
		{"config file not JSON", fmt.Sprintf(`config_file = %q`, notJSON), nil, `is not valid JSON: line 3, column 3`},
		{"config file value not a string", fmt.Sprintf(`config_file = %q`, numberValue), nil, `key "SERVICETITAN_TENANT_ID" must be a JSON string, not a number`},
		{"missing client secret", `client_id = "someone"`, nil,
			`client_secret is not set: set the attribute "client_secret", the environment variable SERVICETITAN_CLIENT_SECRET, or the key "SERVICETITAN_CLIENT_SECRET" in a config file`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			t.Setenv("SERVICETITAN_AUTH_ROOT_URL", srv.URL())
			if !strings.Contains(tc.name, "secret") {
				t.Setenv("SERVICETITAN_CLIENT_ID", acctest.ClientID)
				t.Setenv("SERVICETITAN_CLIENT_SECRET", acctest.ClientSecret)
				t.Setenv("SERVICETITAN_APP_KEY", acctest.AppKey)
			}
			unitTest(t, nil, resource.TestStep{
				Config:      "provider \"servicetitan\" {\n  " + tc.config + "\n}\ndata \"servicetitan_auth_token\" \"t\" {}\n",
				ExpectError: acctest.ErrorText(tc.want),
			})
		})
	}
}

func TestAccUnknownConfigKeyIsAWarning(t *testing.T) {
	srv := acctest.StandIn(t)
	file := acctest.WriteConfigFile(t, `{"SERVICETITAN_CLIENT_ID": "`+acctest.ClientID+`", "SERVICETITAN_REGION": "eu"}`)
	unitTest(t, nil, resource.TestStep{
		Config: fmt.Sprintf(`
provider "servicetitan" {
  config_file   = %q
  auth_root_url = %q
  client_secret = %q
  app_key       = %q
}
data "servicetitan_auth_token" "t" {}
`, file, srv.URL(), acctest.ClientSecret, acctest.AppKey),
		Check: resource.TestCheckResourceAttr("data.servicetitan_auth_token.t", "token_type", "Bearer"),
	})
}

func TestAccUnknownProviderValuesDoNotCrash(t *testing.T) {
	srv := acctest.StandIn(t)
	t.Setenv("SERVICETITAN_CLIENT_SECRET", acctest.ClientSecret)
	t.Setenv("SERVICETITAN_APP_KEY", acctest.AppKey)
	config := fmt.Sprintf(`
resource "terraform_data" "client" {
  input = %q
}
provider "servicetitan" {
  auth_root_url = %q
  client_id     = terraform_data.client.output
}
data "servicetitan_endpoints" "e" {
  environment = "integration"
}
output "api" {
  value = provider::servicetitan::api_url("integration", "jpm", 1, "jobs")
}
`, acctest.ClientID, srv.URL())
	unitTest(t, nil,
		// Functions and an endpoints lookup with its own environment work
		// while the provider's client_id is still unknown.
		resource.TestStep{
			Config: config,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.servicetitan_endpoints.e", "api_root_url", "https://api-integration.servicetitan.io"),
				resource.TestCheckOutput("api", "https://api-integration.servicetitan.io/jpm/v2/tenant/1/jobs"),
			),
		},
		// A token, though, needs the value: the error says which attribute.
		resource.TestStep{
			Config:      strings.Replace(config, `input = "`+acctest.ClientID+`"`, `input = "other-client"`, 1) + `data "servicetitan_auth_token" "t" {}` + "\n",
			ExpectError: acctest.ErrorText(`the provider attribute(s) client_id depend on values that are known only after apply`),
		},
	)
}

func TestAccInvalidClientIsReportedWithoutTheSecret(t *testing.T) {
	srv := acctest.StandIn(t)
	const wrong = "wrong-secret-0123456789abcdef"
	run := acctest.NewCLIRun(t, fmt.Sprintf(`
provider "servicetitan" {
  auth_root_url = %q
  client_id     = %q
  client_secret = %q
  app_key       = %q
}
data "servicetitan_auth_token" "t" {}
`, srv.URL(), acctest.ClientID, wrong, acctest.AppKey))
	out, err := run.Run("plan")
	if err == nil {
		t.Fatalf("plan succeeded with a wrong secret:\n%s", out)
	}
	for _, want := range []string{"Cannot get a ServiceTitan token", "HTTP 400", "invalid_client", "Check client_id and client_secret", srv.URL() + "/connect/token"} {
		if !acctest.ErrorText(want).MatchString(out) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, wrong) || strings.Contains(out, acctest.ClientSecret) {
		t.Errorf("output holds the secret:\n%s", out)
	}
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("invalid_client was asked %d times, want once (it is never retried)", n)
	}
}
