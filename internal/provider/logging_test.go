package provider

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
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
	if srv.TokensIssued() < minTokens {
		t.Fatalf("only %d tokens issued, want at least %d", srv.TokensIssued(), minTokens)
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
