package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

func TestMain(m *testing.M) { acctest.Main(m) }

// schemaBlock and schemaAttribute are what the sensitivity tests read of
// `providers schema -json`.
type schemaBlock struct {
	Block struct {
		Attributes map[string]schemaAttribute `json:"attributes"`
	} `json:"block"`
}

type schemaAttribute struct {
	Sensitive bool `json:"sensitive"`
}

type providerSchema struct {
	Provider                 schemaBlock            `json:"provider"`
	DataSourceSchemas        map[string]schemaBlock `json:"data_source_schemas"`
	EphemeralResourceSchemas map[string]schemaBlock `json:"ephemeral_resource_schemas"`
}

// cliSchema is this provider's schema as the CLI at hand reports it: what
// the CLI hides from plans, outputs and state is decided from it.
func cliSchema(t *testing.T) providerSchema {
	t.Helper()
	out := acctest.NewCLIRun(t, "").MustRun("providers", "schema", "-json")
	var schemas struct {
		ProviderSchemas map[string]providerSchema `json:"provider_schemas"`
	}
	if err := json.Unmarshal([]byte(out), &schemas); err != nil {
		t.Fatalf("providers schema -json: %v\n%s", err, out)
	}
	// Under the registry host of the CLI at hand: OpenTofu has its own.
	for addr, schema := range schemas.ProviderSchemas {
		if strings.HasSuffix(addr, "/"+acctest.ProviderSource) {
			return schema
		}
	}
	t.Fatalf("no schema for %s in:\n%s", acctest.ProviderSource, out)
	return providerSchema{}
}

// TestAccSecretSettingsAreSensitive reads the provider block's schema as the
// CLI sees it. Sensitive is what tells the CLI, and every tool that reads
// the schema (the generated documentation among them), that a value is a
// credential. client_secret and app_key, the two credentials ServiceTitan
// issues, are checked by name besides every setting the table marks secret,
// so that losing the mark in the table is caught too.
func TestAccSecretSettingsAreSensitive(t *testing.T) {
	attrs := cliSchema(t).Provider.Block.Attributes
	secret := map[string]bool{"client_secret": true, "app_key": true}
	for _, s := range servicetitan.Settings() {
		if s.Secret {
			secret[s.Name] = true
		}
	}
	for name := range secret {
		a, ok := attrs[name]
		switch {
		case !ok:
			t.Errorf("the provider block has no attribute %s", name)
		case !a.Sensitive:
			t.Errorf("the provider block's %s is not sensitive", name)
		}
	}
}

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
			p := &ServiceTitanProvider{version: "test", tokens: servicetitan.NewSharedTokens(), options: servicetitan.Options{
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
		{"max retries", `max_retries = 99`, nil, `The value "99" of attribute "max_retries" is not allowed: must be a whole number from 0 to 10`},
		{"max retries from env var", ``, map[string]string{"SERVICETITAN_MAX_RETRIES": "99"}, `invalid max_retries "99" (from environment variable SERVICETITAN_MAX_RETRIES): must be a whole number from 0 to 10`},
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
  tenant_id     = %q
}
data "servicetitan_auth_token" "t" {}
`, file, srv.URL(), acctest.ClientSecret, acctest.AppKey, acctest.TenantID),
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
  environment   = "integration"
  auth_root_url = %q
  client_id     = terraform_data.client.output
}
data "servicetitan_endpoints" "provider_env" {}
data "servicetitan_endpoints" "production" {
  environment = "production"
}
output "token_url" {
  value = data.servicetitan_endpoints.provider_env.token_url
}
output "api_root_url" {
  value = data.servicetitan_endpoints.provider_env.api_root_url
}
output "production_api_root_url" {
  value = data.servicetitan_endpoints.production.api_root_url
}
`, acctest.ClientID, srv.URL())
	unitTest(t, nil,
		// Endpoint lookups, with their own environment or the provider's,
		// work while the provider's client_id is still unknown: the plan
		// already shows their values.
		resource.TestStep{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownOutputValue("token_url", knownvalue.StringExact(srv.URL()+"/connect/token")),
				plancheck.ExpectKnownOutputValue("api_root_url", knownvalue.StringExact("https://api-integration.servicetitan.io")),
				plancheck.ExpectKnownOutputValue("production_api_root_url", knownvalue.StringExact("https://api.servicetitan.io")),
			}},
		},
		// A token, though, needs the value: the error says which attribute.
		resource.TestStep{
			Config:      strings.Replace(config, `input = "`+acctest.ClientID+`"`, `input = "other-client"`, 1) + `data "servicetitan_auth_token" "t" {}` + "\n",
			ExpectError: acctest.ErrorText(`the provider attribute(s) client_id depend on values that are known only after apply`),
		},
	)
	if n := srv.TokenRequests(); n != 0 {
		t.Errorf("%d token requests were made while client_id was unknown", n)
	}
}

// Functions take their environment as an argument and never wait for the
// provider's configuration.
func TestAccFunctionsDoNotWaitForUnknownCredentials(t *testing.T) {
	acctest.ClearServiceTitanEnv(t)
	unitTest(t, nil, resource.TestStep{
		Config: `
resource "terraform_data" "client" {
  input = "someone"
}
provider "servicetitan" {
  client_id = terraform_data.client.output
}
output "api" {
  value = provider::servicetitan::api_url("integration", "jpm", 1, "jobs")
}
`,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectKnownOutputValue("api", knownvalue.StringExact("https://api-integration.servicetitan.io/jpm/v2/tenant/1/jobs")),
		}},
	})
}

// An unknown environment, config file or root URL decides the endpoints,
// so a lookup that relies on the provider's says which attribute it waits for.
func TestAccEndpointsWaitForAnUnknownEnvironment(t *testing.T) {
	acctest.ClearServiceTitanEnv(t)
	unitTest(t, nil, resource.TestStep{
		Config: `
resource "terraform_data" "env" {
  input = "integration"
}
provider "servicetitan" {
  environment = terraform_data.env.output
}
data "servicetitan_endpoints" "e" {}
`,
		ExpectError: acctest.ErrorText(`needs the provider's environment and root URLs, but the provider attribute(s) environment depend on values that are known only after apply`),
	})
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
  tenant_id     = %q
}
data "servicetitan_auth_token" "t" {}
`, srv.URL(), acctest.ClientID, wrong, acctest.AppKey, acctest.TenantID))
	out, err := run.Run("plan")
	if err == nil {
		t.Fatalf("plan succeeded with a wrong secret:\n%s", out)
	}
	// Where the failing values came from, so the user fixes the right one.
	if !acctest.ErrorText(`client_id from attribute "client_id", client_secret from attribute "client_secret", environment "production" from default`).MatchString(out) {
		t.Errorf("output does not say where the credentials came from:\n%s", out)
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

// TestAccUserAgentNamesTheProviderAndCLIVersions checks what ServiceTitan
// sees of the built provider: its release version and the CLI's, which
// tell its support which client made a request.
func TestAccUserAgentNamesTheProviderAndCLIVersions(t *testing.T) {
	srv := acctest.StandIn(t)
	run := acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+`data "servicetitan_auth_token" "t" {}`+"\n")
	run.MustRun("plan")
	prefix := fmt.Sprintf("terraform-provider-servicetitan/%s (+https://registry.terraform.io/providers/servicetitan-tf/servicetitan) Terraform/", acctest.ProviderVersion)
	got := srv.LastTokenRequest().UserAgent
	cliVersion, ok := strings.CutPrefix(got, prefix)
	if !ok {
		t.Fatalf("the stand-in saw User-Agent %q, want it to start %q", got, prefix)
	}
	cli := acctest.CLIVersion(t)
	if _, err := version.NewVersion(cliVersion); err != nil {
		t.Errorf("the User-Agent %q ends in %q, not a CLI version", got, cliVersion)
	}
	// OpenTofu tells providers the Terraform version it is compatible
	// with, not its own, so only Terraform's can be compared.
	if cli.Product == "Terraform" && cliVersion != cli.Version.String() {
		t.Errorf("the User-Agent %q names Terraform %s, but the CLI is %s", got, cliVersion, cli)
	}
}

// sourceLine matches a line of configuration the CLI quotes under an error.
var sourceLine = regexp.MustCompile(`^\s*\d+:\s`)

// A root URL with credentials in it is refused, and the refusal, as the
// user sees it from the CLI, shows neither the password nor a query value.
func TestAccRefusedRootURLIsShownRedacted(t *testing.T) {
	const password, signature = "PASSWORD-9f8e7d", "SIG-77aa66"
	bad := "https://user:" + password + "@auth.example.com/?sig=" + signature
	for _, tc := range []struct {
		name, config string
		env          []string
	}{
		{"attribute", fmt.Sprintf("provider \"servicetitan\" {\n  auth_root_url = %q\n}\n", bad), nil},
		{"environment variable", "provider \"servicetitan\" {}\n", []string{"SERVICETITAN_AUTH_ROOT_URL=" + bad}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := acctest.NewCLIRun(t, tc.config+"data \"servicetitan_endpoints\" \"e\" {}\n", tc.env...)
			out, err := run.Run("plan")
			if err == nil {
				t.Fatalf("plan accepted auth_root_url %q:\n%s", bad, out)
			}
			if !acctest.ErrorText(`must not carry credentials in the URL`).MatchString(out) ||
				!strings.Contains(out, "auth.example.com") {
				t.Errorf("the refusal does not say what is wrong with which host:\n%s", out)
			}
			// The CLI quotes the configuration's own line under an error
			// (the attribute case); everything else is the provider's words.
			var words []string
			for _, line := range strings.Split(out, "\n") {
				if !sourceLine.MatchString(line) {
					words = append(words, line)
				}
			}
			for _, secret := range []string{password, signature} {
				if strings.Contains(strings.Join(words, "\n"), secret) {
					t.Errorf("the refusal prints %q:\n%s", secret, out)
				}
			}
		})
	}
}
