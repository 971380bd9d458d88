package provider

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
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

	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	log := string(data)
	// The log must really hold the provider's own trace output, or the
	// absence checks below prove nothing.
	for _, want := range []string{"requesting ServiceTitan token", "configured ServiceTitan provider", "ReadDataSource", "OpenEphemeralResource"} {
		if !strings.Contains(log, want) {
			t.Fatalf("trace log (%d bytes) lacks %q: logging is not captured", len(log), want)
		}
	}
	if srv.TokensIssued() < 2 {
		t.Fatalf("only %d tokens issued; the apply should have opened the ephemeral token again", srv.TokensIssued())
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
