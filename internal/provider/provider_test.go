package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

const (
	accClientID = "acc-client-id"
	accSecret   = "acc-client-secret-5d41402abc4b2a76"
	accAppKey   = "acc-app-key-7f3e"
	accTenant   = "4321"
)

// TestMain points terraform-plugin-testing at a CLI that is already on the
// machine. It must never download one: there may be no network, and a
// silently fetched binary is not the CLI the user asked to test.
func TestMain(m *testing.M) {
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		path, err := exec.LookPath("terraform")
		if err != nil {
			fmt.Fprintln(os.Stderr, "terraform-provider-servicetitan tests need a Terraform (>= 1.10) or OpenTofu (>= 1.11) CLI: "+
				"put `terraform` on PATH or set TF_ACC_TERRAFORM_PATH to the binary (make test does this, and builds OpenTofu when terraform is absent)")
			os.Exit(1)
		}
		_ = os.Setenv("TF_ACC_TERRAFORM_PATH", path)
	}
	// The CLI phones home for update checks unless told not to.
	_ = os.Setenv("CHECKPOINT_DISABLE", "1")
	// An empty CLI configuration of the tests' own: the user's (provider
	// mirrors, plugin caches, credentials) must not change what is tested,
	// and a TF_CLI_CONFIG_FILE naming a missing file makes the CLI print a
	// warning where the test framework reads the version.
	dir, err := os.MkdirTemp("", "servicetitan-acc-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rc := filepath.Join(dir, "empty.tfrc")
	if err := os.WriteFile(rc, nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	_ = os.Setenv("TF_CLI_CONFIG_FILE", rc)
	code := m.Run()
	_ = os.RemoveAll(dir)
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// clearServiceTitanEnv makes sure a developer's own SERVICETITAN_* variables
// (say, for the live test) cannot leak into a test. Empty counts as unset.
func clearServiceTitanEnv(t *testing.T) {
	t.Helper()
	for _, s := range servicetitan.Settings() {
		t.Setenv(s.EnvVar, "")
	}
}

// standIn starts a stand-in ServiceTitan for one test.
func standIn(t *testing.T, mod ...func(*fakeservicetitan.Config)) *fakeservicetitan.Server {
	t.Helper()
	clearServiceTitanEnv(t)
	cfg := fakeservicetitan.Config{
		Clients: []fakeservicetitan.Client{{ID: accClientID, Secret: accSecret, Tenant: accTenant}},
		AppKey:  accAppKey,
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

// providerBlock configures the provider against srv with full credentials;
// extra lines are added inside the block.
func providerBlock(srv *fakeservicetitan.Server, extra ...string) string {
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
`, srv.URL(), srv.URL(), accClientID, accSecret, accAppKey, accTenant, strings.Join(extra, "\n  "))
}

// unitTest runs a test case against the real CLI with this provider in-process.
func unitTest(t *testing.T, inst *instances, steps ...resource.TestStep) {
	t.Helper()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(inst),
		Steps:                    steps,
	})
}

func writeConfigFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "servicetitan.json")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProviderConfiguresFromAttributes(t *testing.T) {
	srv := standIn(t)
	unitTest(t, nil, resource.TestStep{
		Config: providerBlock(srv) + `data "servicetitan_auth_token" "t" {}`,
		Check: resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr("data.servicetitan_auth_token.t", "tenant_id", accTenant),
			resource.TestCheckResourceAttr("data.servicetitan_auth_token.t", "environment", "integration"),
			resource.TestCheckResourceAttr("data.servicetitan_auth_token.t", "headers.ST-App-Key", accAppKey),
		),
	})
	if got := srv.LastTokenRequest(); got.ClientID != accClientID || !got.SecretMatched {
		t.Errorf("stand-in saw client %q (secret matched: %v)", got.ClientID, got.SecretMatched)
	}
}

func TestProviderConfiguresFromEnvironment(t *testing.T) {
	srv := standIn(t)
	for k, v := range map[string]string{
		"SERVICETITAN_API_ENVIRONMENT": "integration", "SERVICETITAN_AUTH_ROOT_URL": srv.URL(), "SERVICETITAN_API_ROOT_URL": srv.URL(),
		"SERVICETITAN_CLIENT_ID": accClientID, "SERVICETITAN_CLIENT_SECRET": accSecret, "SERVICETITAN_APP_KEY": accAppKey,
		"SERVICETITAN_TENANT_ID": accTenant, "SERVICETITAN_APP_ID": "env-app", "SERVICETITAN_TIMEZONE": "Asia/Tokyo",
	} {
		t.Setenv(k, v)
	}
	unitTest(t, nil, resource.TestStep{
		Config: `
provider "servicetitan" {}
data "servicetitan_auth_token" "t" {}
`,
		Check: resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr("data.servicetitan_auth_token.t", "tenant_id", accTenant),
			resource.TestCheckResourceAttr("data.servicetitan_auth_token.t", "app_id", "env-app"),
			resource.TestCheckResourceAttr("data.servicetitan_auth_token.t", "api_root_url", srv.URL()),
			resource.TestMatchResourceAttr("data.servicetitan_auth_token.t", "expires_at", regexp.MustCompile(`\+09:00$`)),
		),
	})
	if srv.TokenRequests() == 0 {
		t.Error("no token was requested from the stand-in")
	}
}

// errorText matches a message Terraform may have wrapped across lines: each
// space in text matches any run of white space.
func errorText(text string) *regexp.Regexp {
	words := strings.Fields(text)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(words, `\s+`))
}

func TestPrecedenceAttributeThenConfigFileThenEnvironment(t *testing.T) {
	srv := standIn(t, func(c *fakeservicetitan.Config) {
		c.Clients = []fakeservicetitan.Client{
			{ID: "attr-client", Secret: accSecret, Tenant: accTenant},
			{ID: "file-client", Secret: accSecret, Tenant: accTenant},
			{ID: "env-client", Secret: accSecret, Tenant: accTenant},
		}
	})
	for k, v := range map[string]string{
		"SERVICETITAN_CLIENT_ID": "env-client", "SERVICETITAN_TENANT_ID": "3003", "SERVICETITAN_APP_ID": "env-app",
		"SERVICETITAN_CLIENT_SECRET": accSecret, "SERVICETITAN_APP_KEY": accAppKey,
		"SERVICETITAN_AUTH_ROOT_URL": srv.URL(), "SERVICETITAN_API_ROOT_URL": srv.URL(),
	} {
		t.Setenv(k, v)
	}
	withClientInFile := writeConfigFile(t, `{"SERVICETITAN_CLIENT_ID": "file-client", "SERVICETITAN_TENANT_ID": "2002"}`)
	withoutClientInFile := writeConfigFile(t, `{"SERVICETITAN_TENANT_ID": "2002"}`)

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

func TestServicepytanConfigFileConfiguresTheProvider(t *testing.T) {
	srv := standIn(t)
	file := writeConfigFile(t, fmt.Sprintf(`{
  "SERVICETITAN_APP_KEY": %q,
  "SERVICETITAN_TENANT_ID": %q,
  "SERVICETITAN_CLIENT_ID": %q,
  "SERVICETITAN_CLIENT_SECRET": %q,
  "SERVICETITAN_APP_ID": "file-app",
  "SERVICETITAN_TIMEZONE": "Europe/London",
  "SERVICETITAN_API_ENVIRONMENT": "integration"
}`, accAppKey, accTenant, accClientID, accSecret))
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

func TestValidationErrors(t *testing.T) {
	srv := standIn(t)
	notJSON := writeConfigFile(t, "{\n  \"SERVICETITAN_TENANT_ID\": \"1\",\n  oops\n}")
	numberValue := writeConfigFile(t, `{"SERVICETITAN_TENANT_ID": 1234}`)
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
				t.Setenv("SERVICETITAN_CLIENT_ID", accClientID)
				t.Setenv("SERVICETITAN_CLIENT_SECRET", accSecret)
				t.Setenv("SERVICETITAN_APP_KEY", accAppKey)
			}
			unitTest(t, nil, resource.TestStep{
				Config:      "provider \"servicetitan\" {\n  " + tc.config + "\n}\ndata \"servicetitan_auth_token\" \"t\" {}\n",
				ExpectError: errorText(tc.want),
			})
		})
	}
}

func TestUnknownConfigKeyIsAWarning(t *testing.T) {
	srv := standIn(t)
	file := writeConfigFile(t, `{"SERVICETITAN_CLIENT_ID": "`+accClientID+`", "SERVICETITAN_REGION": "eu"}`)
	unitTest(t, nil, resource.TestStep{
		Config: fmt.Sprintf(`
provider "servicetitan" {
  config_file   = %q
  auth_root_url = %q
  client_secret = %q
  app_key       = %q
}
data "servicetitan_auth_token" "t" {}
`, file, srv.URL(), accSecret, accAppKey),
		Check: resource.TestCheckResourceAttr("data.servicetitan_auth_token.t", "token_type", "Bearer"),
	})
}

func TestUnknownProviderValuesDoNotCrash(t *testing.T) {
	srv := standIn(t)
	t.Setenv("SERVICETITAN_CLIENT_SECRET", accSecret)
	t.Setenv("SERVICETITAN_APP_KEY", accAppKey)
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
`, accClientID, srv.URL())
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
			Config:      strings.Replace(config, `input = "`+accClientID+`"`, `input = "other-client"`, 1) + `data "servicetitan_auth_token" "t" {}` + "\n",
			ExpectError: errorText(`the provider attribute(s) client_id depend on values that are known only after apply`),
		},
	)
}

func TestInvalidClientIsReportedWithoutTheSecret(t *testing.T) {
	srv := standIn(t)
	const wrong = "wrong-secret-0123456789abcdef"
	run := newCLIRun(t, fmt.Sprintf(`
provider "servicetitan" {
  auth_root_url = %q
  client_id     = %q
  client_secret = %q
  app_key       = %q
}
data "servicetitan_auth_token" "t" {}
`, srv.URL(), accClientID, wrong, accAppKey))
	out, err := run.run("plan")
	if err == nil {
		t.Fatalf("plan succeeded with a wrong secret:\n%s", out)
	}
	for _, want := range []string{"Cannot get a ServiceTitan token", "HTTP 400", "invalid_client", "Check client_id and client_secret", srv.URL() + "/connect/token"} {
		if !errorText(want).MatchString(out) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, wrong) || strings.Contains(out, accSecret) {
		t.Errorf("output holds the secret:\n%s", out)
	}
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("invalid_client was asked %d times, want once (it is never retried)", n)
	}
}
