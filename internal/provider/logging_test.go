package provider

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// anyJWT matches the shape of every token the stand-in (and ServiceTitan) issues.
var anyJWT = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`)

func TestAccTraceLogOfAnApplyHoldsNoSecretAndNoToken(t *testing.T) {
	srv := acctest.StandIn(t)
	logPath := filepath.Join(t.TempDir(), "terraform.log")
	run := acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+`
data "servicetitan_auth_token" "t" {}

ephemeral "servicetitan_auth_token" "e" {}

resource "terraform_data" "use" {
  input = data.servicetitan_auth_token.t.expires_at

  provisioner "local-exec" {
    command = "test -n \"$AUTHORIZATION\" && test -n \"$APP_KEY\""
    environment = {
      AUTHORIZATION = ephemeral.servicetitan_auth_token.e.headers["Authorization"]
      APP_KEY       = ephemeral.servicetitan_auth_token.e.headers["ST-App-Key"]
    }
  }
}
`, "TF_LOG=trace", "TF_LOG_PATH="+logPath)
	run.MustRun("apply", "-auto-approve")

	checkTraceLog(t, srv, logPath, 2, "ReadDataSource", "OpenEphemeralResource")
}

// The data source alone, so that CLIs without ephemeral resources, whose
// core logs the token's plan and state values too, are traced as well.
func TestAccTraceLogOfADataSourceApplyHoldsNoSecretAndNoToken(t *testing.T) {
	srv := acctest.StandIn(t)
	logPath := filepath.Join(t.TempDir(), "terraform.log")
	run := acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+`
data "servicetitan_auth_token" "t" {}

resource "terraform_data" "use" {
  input = data.servicetitan_auth_token.t.expires_at

  provisioner "local-exec" {
    command = "test -n \"$AUTHORIZATION\""
    environment = {
      AUTHORIZATION = data.servicetitan_auth_token.t.headers["Authorization"]
    }
  }
}
`, "TF_LOG=trace", "TF_LOG_PATH="+logPath)
	run.MustRun("apply", "-auto-approve")
	checkTraceLog(t, srv, logPath, 1, "ReadDataSource")
}

// checkTraceLog fails the test when the trace log holds the secret, the app
// key or a token. It first makes sure the log holds the provider's own trace
// output and the calls in want, or the absence checks would prove nothing.
func checkTraceLog(t *testing.T, srv *fakeservicetitan.Server, logPath string, minTokens int, want ...string) {
	t.Helper()
	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	log := string(data)
	for _, w := range append([]string{"requesting ServiceTitan token", "configured ServiceTitan provider"}, want...) {
		if !strings.Contains(log, w) {
			t.Fatalf("trace log (%d bytes) lacks %q: logging is not captured", len(log), w)
		}
	}
	if srv.Stats().TokensIssued < minTokens {
		t.Fatalf("only %d tokens issued, want at least %d", srv.Stats().TokensIssued, minTokens)
	}
	for name, secret := range map[string]string{"client secret": acctest.ClientSecret, "app key": acctest.AppKey, "last issued token": srv.LastIssuedToken()} {
		if i := strings.Index(log, secret); i >= 0 {
			t.Errorf("trace log holds the %s at byte %d: %q", name, i, leakContext(log, i))
		}
	}
	if loc := anyJWT.FindStringIndex(log); loc != nil {
		t.Errorf("trace log holds a token at byte %d: %q", loc[0], leakContext(log, loc[0]))
	}
}

// leakContext shows the log line around a leak, with the secret itself cut short.
func leakContext(s string, i int) string {
	start := strings.LastIndexByte(s[:i], '\n') + 1
	return s[start:i] + "<LEAK>"
}

// TestAccDebugLogKeepsAddressesReadable runs a plan with TF_LOG=debug, as a
// user chasing a problem would: the log must show where the provider talks
// to, and nothing it must keep.
func TestAccDebugLogKeepsAddressesReadable(t *testing.T) {
	srv := acctest.StandIn(t)
	logPath := filepath.Join(t.TempDir(), "terraform.log")
	// No api_root_url override: the integration API's host name appears in
	// the provider's own lines, as it would for a user.
	run := acctest.NewCLIRun(t, fmt.Sprintf(`
provider "servicetitan" {
  environment   = "integration"
  auth_root_url = %q
  client_id     = %q
  client_secret = %q
  app_key       = %q
  tenant_id     = %q
}

data "servicetitan_auth_token" "t" {}

resource "terraform_data" "use" {
  input = data.servicetitan_auth_token.t.expires_at
}
`, srv.URL(), acctest.ClientID, acctest.ClientSecret, acctest.AppKey, acctest.TenantID), "TF_LOG=debug", "TF_LOG_PATH="+logPath)
	run.MustRun("plan")

	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	log := string(data)
	var configured string
	for line := range strings.Lines(log) {
		if strings.Contains(line, "configured ServiceTitan provider") {
			configured = line
		}
	}
	if configured == "" {
		t.Fatalf("debug log (%d bytes) lacks the provider's own lines: logging is not captured", len(log))
	}
	tokenURL := srv.URL() + "/connect/token"
	for _, want := range []string{
		"tf_provider_addr=" + Address,
		"token_url=" + tokenURL,
		"auth_root_url=" + srv.URL(),
		"api_root_url=https://api-integration.servicetitan.io",
	} {
		if !strings.Contains(configured, want) {
			t.Errorf("the provider's debug line lacks %q, masked or missing:\n%s", want, configured)
		}
	}
	if srv.Stats().TokensIssued == 0 {
		t.Fatal("the plan issued no token, so the log cannot show that tokens are kept out")
	}
	for name, secret := range map[string]string{"client secret": acctest.ClientSecret, "app key": acctest.AppKey, "issued token": srv.LastIssuedToken()} {
		if i := strings.Index(log, secret); i >= 0 {
			t.Errorf("debug log holds the %s at byte %d: %q", name, i, leakContext(log, i))
		}
	}
	if loc := anyJWT.FindStringIndex(log); loc != nil {
		t.Errorf("debug log holds a token at byte %d: %q", loc[0], leakContext(log, loc[0]))
	}
}

// TestLogMasksSecretsAndTokensByValue writes log lines that carry every
// kind of credential, in the message and in fields, through the logging
// context of a provider configuration that has handed out a token, and
// reads what a user's log would hold.
func TestLogMasksSecretsAndTokensByValue(t *testing.T) {
	srv := acctest.StandIn(t)
	// A token of no particular shape: masked because it was issued, not
	// because it looks like a JWT.
	const issued = "opaque-access-token-0f1e2d3c4b5a69788796a5b4"
	srv.InjectTokenFaults(fakeservicetitan.Fault{Status: 200, Body: `{"access_token":"` + issued + `","expires_in":900,"token_type":"Bearer"}`})
	conn, _, err := servicetitan.Resolve(servicetitan.Input{
		"auth_root_url": srv.URL(), "client_id": acctest.ClientID, "client_secret": acctest.ClientSecret, "app_key": acctest.AppKey, "tenant_id": acctest.TenantID,
	}, servicetitan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := &providerData{conn: conn, issued: &issuedTokens{}}

	var out bytes.Buffer
	root := tflogtest.RootLogger(context.Background(), &out)
	if _, diags := readAuthToken(root, d, types.StringNull(), "the test"); diags.HasError() {
		t.Fatalf("reading a token: %v", diags)
	}
	if srv.LastTokenRequest().ClientID != acctest.ClientID {
		t.Fatal("the token did not come from the stand-in")
	}

	// A JWT this provider never issued, such as one a server echoes back,
	// and a bearer credential of no known value.
	const foreignJWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzb21lb25lIn0.c2lnbmF0dXJlLWJ5dGVz"
	const foreignBearer = "Bearer Zm9yZWlnbi1iZWFyZXItY3JlZGVudGlhbA=="
	credentials := map[string]string{
		"client secret":       acctest.ClientSecret,
		"app key":             acctest.AppKey,
		"issued token":        issued,
		"JWT-shaped value":    foreignJWT,
		"bearer credential":   strings.TrimPrefix(foreignBearer, "Bearer "),
		"Authorization value": "Basic dXNlcjpwYXNzd29yZA==",
	}
	// A later RPC: masks are applied to each request's context anew.
	ctx := d.logContext(tflogtest.RootLogger(context.Background(), &out))
	const readable = "registry.terraform.io/servicetitan-tf/servicetitan asked https://auth-integration.servicetitan.io/connect/token"
	for name, value := range credentials {
		if name == "Authorization value" {
			tflog.Debug(ctx, "sending "+readable, map[string]any{"Authorization": value})
			continue
		}
		msgValue := value
		if name == "bearer credential" {
			msgValue = foreignBearer
		}
		tflog.Debug(ctx, name+" in a message: "+msgValue+" "+readable, map[string]any{"detail": "field holds " + msgValue, "url": readable})
	}

	written := out.String()
	lines := strings.Count(written, "\n")
	if lines < len(credentials)+1 {
		t.Fatalf("%d log lines written, want at least %d: the logger is not capturing\n%s", lines, len(credentials)+1, written)
	}
	for name, value := range credentials {
		if i := strings.Index(written, value); i >= 0 {
			t.Errorf("the log holds the %s: %q", name, leakContext(written, i))
		}
	}
	if got := strings.Count(written, readable); got != 2*(len(credentials)-1)+1 {
		t.Errorf("the provider address and URL appear %d times unmasked, want %d:\n%s", got, 2*(len(credentials)-1)+1, written)
	}
}
