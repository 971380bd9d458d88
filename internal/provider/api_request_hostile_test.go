package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

// What a hostile API server can make the provider show, through the CLI:
// a server that echoes the token and the app key it was sent, in a
// redirect's Location and in a good answer. The stand-in issues the token;
// the hostile server is the API root.

// echoingAPI serves the API root with handler, given the token and app
// key each request carried.
func echoingAPI(t *testing.T, handler func(w http.ResponseWriter, token, appKey string)) *httptest.Server {
	t.Helper()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler(w, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), r.Header.Get("ST-App-Key"))
	}))
	t.Cleanup(api.Close)
	return api
}

// providerWithAPIRoot is the stand-in's provider block with another API root.
func providerWithAPIRoot(srv *fakeservicetitan.Server, apiRoot string) string {
	return strings.Replace(acctest.ProviderBlock(srv), fmt.Sprintf("api_root_url  = %q", srv.URL()), fmt.Sprintf("api_root_url  = %q", apiRoot), 1)
}

func mustNotHold(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s holds a credential (%d times)", where, strings.Count(text, s))
		}
	}
}

// An answer that echoes the credentials is stored with them replaced, and
// the plan says so.
func TestAccAPIRequestStoresNoEchoedCredential(t *testing.T) {
	srv := acctest.StandIn(t)
	api := echoingAPI(t, func(w http.ResponseWriter, token, appKey string) {
		body, _ := json.Marshal(map[string]any{
			"data":         []any{map[string]string{"auth": "Bearer " + token, "key": appKey}},
			"hasMore":      false,
			"continueFrom": token,
		})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	run := acctest.NewCLIRun(t, providerWithAPIRoot(srv, api.URL)+`
data "servicetitan_api_request" "echo" {
  folder    = "jpm"
  endpoint  = "export/jobs"
  all_pages = true
}
data "servicetitan_api_request" "once" {
  folder   = "jpm"
  endpoint = "export/jobs"
}
output "items" { value = data.servicetitan_api_request.echo.items_json }
`)
	out := run.MustRun("apply", "-auto-approve")
	if !strings.Contains(out, "ServiceTitan's answer held a credential") {
		t.Errorf("the apply does not warn of the echoed credentials:\n%s", out)
	}
	state, err := os.ReadFile(filepath.Join(run.Dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	mustNotHold(t, "the state", string(state), srv.LastIssuedToken(), acctest.AppKey)
	if !strings.Contains(string(state), "[REDACTED]") {
		t.Error("the state holds no [REDACTED]: the echoed answer was not stored at all")
	}
}

// A redirect whose Location names the token and the app key shows neither,
// in the error or in a trace log.
func TestAccAPIRequestRedirectShowsNoCredential(t *testing.T) {
	srv := acctest.StandIn(t)
	api := echoingAPI(t, func(w http.ResponseWriter, token, appKey string) {
		w.Header().Set("Location", "http://"+token+"."+appKey+".example:1/")
		w.WriteHeader(http.StatusFound)
	})
	logFile := filepath.Join(t.TempDir(), "trace.log")
	run := acctest.NewCLIRun(t, providerWithAPIRoot(srv, api.URL)+`
data "servicetitan_api_request" "jobs" {
  folder   = "jpm"
  endpoint = "jobs"
}
`, "TF_LOG=trace", "TF_LOG_PATH="+logFile)
	out, err := run.Run("plan")
	if err == nil {
		t.Fatalf("the redirected read succeeded:\n%s", out)
	}
	if !acctest.ErrorText("the server redirected to http://[REDACTED]").MatchString(out) {
		t.Errorf("the error does not say where the redirect pointed, redacted:\n%s", out)
	}
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	mustNotHold(t, "the output", out, srv.LastIssuedToken(), acctest.AppKey)
	mustNotHold(t, "the trace log", string(log), srv.LastIssuedToken(), acctest.AppKey)
}
