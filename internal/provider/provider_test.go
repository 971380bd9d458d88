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
	os.Exit(m.Run())
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
