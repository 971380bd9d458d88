//go:build unix

package provider

import (
	"bytes"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

// What a consumer of servicetitan_api_proxy sees through the CLI, against a
// stand-in whose tokens live proxyTokenLifetime: a script and a provider
// block whose calls outlast several tokens, what the proxy refuses, what is
// left of it after the run, and Ctrl-C while it waits out a Retry-After.

// proxyTokenLifetime is short enough for a run to outlast a few tokens in
// seconds, and long enough (whole seconds, refreshed with a tenth of their
// life left) that a token serves several calls.
const proxyTokenLifetime = 4 * time.Second

func shortTokens(c *fakeservicetitan.Config) { c.TokenLifetime = proxyTokenLifetime }

// jwtRE matches a token as the stand-in issues them.
var jwtRE = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`)

// proxyScriptCalls calls, one a second, span three token lifetimes.
const proxyScriptCalls = 13

// TestAccAPIProxyScriptOutlastsTokens runs a local-exec script that calls
// the API through the proxy for three token lifetimes: every call answers
// 200 (curl -f fails the apply otherwise), and the stand-in sees about one
// token request per lifetime, not one per call. The same script then sends
// requests the proxy must refuse, which never reach the stand-in. After
// the apply the url answers nothing, and neither the state nor a trace log
// holds the url, a token or the app key.
func TestAccAPIProxyScriptOutlastsTokens(t *testing.T) {
	var requests lockedBuffer
	srv := acctest.StandIn(t, shortTokens, func(c *fakeservicetitan.Config) { c.Logger = log.New(&requests, "", 0) })
	out := t.TempDir()
	config := acctest.ProviderBlock(srv) + fmt.Sprintf(`
ephemeral "servicetitan_api_proxy" "this" {}

resource "terraform_data" "calls" {
  provisioner "local-exec" {
    command = <<-EOT
      set -e
      echo "$URL" > "$OUT/url"
      i=0
      while [ $i -lt %d ]; do
        curl -fsS -o /dev/null -w '%%%%{http_code}\n' "$URL/jpm/v2/tenant/$TENANT/jobs" >> "$OUT/codes"
        i=$((i+1))
        sleep 1
      done
      base="$${URL%%/*}"
      refused() { name=$1; shift; printf '%%s %%s\n' "$name" "$(curl -sS -o /dev/null -w '%%%%{http_code}' --path-as-is "$@")" >> "$OUT/refused"; }
      refused no-prefix "$base/jpm/v2/tenant/$TENANT/jobs"
      refused other-tenant "$URL/jpm/v2/tenant/9999/jobs"
      refused dot-segment "$URL/jpm/v2/tenant/$TENANT/../../../connect/token"
      refused encoded-slash "$URL/jpm/v2/tenant/$TENANT%%2Fjobs"
      refused other-host -H 'Host: rebound.example' "$URL/jpm/v2/tenant/$TENANT/jobs"
    EOT
    environment = {
      URL    = ephemeral.servicetitan_api_proxy.this.url
      TENANT = ephemeral.servicetitan_api_proxy.this.tenant_id
      OUT    = %q
    }
  }
}
`, proxyScriptCalls, out)
	logFile := filepath.Join(t.TempDir(), "trace.log")
	run := acctest.NewCLIRun(t, config, "TF_LOG=trace", "TF_LOG_PATH="+logFile)
	started := time.Now()
	run.MustRun("apply", "-auto-approve")
	took := time.Since(started)

	codes := strings.Fields(readFile(t, filepath.Join(out, "codes")))
	if len(codes) != proxyScriptCalls || strings.Count(strings.Join(codes, " "), "200") != proxyScriptCalls {
		t.Errorf("the script's calls answered %v, want %d times 200", codes, proxyScriptCalls)
	}
	// The calls span three lifetimes and more: at least three tokens, and
	// about one a lifetime; one a call would be 13.
	lifetimes := int(took/proxyTokenLifetime) + 1
	if n := srv.TokenRequests(); n < 3 || n > lifetimes+1 {
		t.Errorf("the stand-in received %d token requests over %s (%d token lifetimes, %d calls), want 3 to %d", n, took.Round(time.Second), lifetimes, proxyScriptCalls, lifetimes+1)
	} else {
		t.Logf("%d calls over %s: %d token requests", proxyScriptCalls, took.Round(time.Second), n)
	}

	// Refused requests answer problem details and reach the stand-in never.
	want := map[string]string{"no-prefix": "404", "other-tenant": "403", "dot-segment": "400", "encoded-slash": "400", "other-host": "421"}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(readFile(t, filepath.Join(out, "refused"))), "\n") {
		if k, v, ok := strings.Cut(line, " "); ok {
			got[k] = v
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s answered %q, want %s", k, got[k], v)
		}
	}
	// The stand-in's log: token requests, and the script's good calls,
	// each answered 200 once (a call sent again with a fresh token after a
	// 401, at a token's last moment, shows its 401 too). A refused request
	// that got through would show as another path or another 200.
	answered := 0
	jobs := "GET /jpm/v2/tenant/" + acctest.TenantID + "/jobs "
	for _, line := range strings.Split(strings.TrimSpace(requests.String()), "\n") {
		switch {
		case strings.HasPrefix(line, "POST /connect/token "):
		case strings.HasPrefix(line, jobs+"200 "):
			answered++
		case strings.HasPrefix(line, jobs+"401 "):
		default:
			t.Errorf("the stand-in received a request the script's good calls do not make: %s", line)
		}
	}
	if answered != proxyScriptCalls {
		t.Errorf("the stand-in answered %d job lists, want the script's %d good calls alone: a refused request reached it\n%s", answered, proxyScriptCalls, requests.String())
	}

	// The proxy is closed with the run: its url answers nothing.
	url := strings.TrimSpace(readFile(t, filepath.Join(out, "url")))
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("the script saw url %q", url)
	}
	if resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(url + "/jpm/v2/tenant/" + acctest.TenantID + "/jobs"); err == nil {
		resp.Body.Close()
		t.Errorf("after the apply, the proxy's url still answers HTTP %d", resp.StatusCode)
	}

	// Nothing of it in the state or the log.
	state := readFile(t, filepath.Join(run.Dir, "terraform.tfstate"))
	secret := url[strings.LastIndex(url, "/")+1:]
	for what, s := range map[string]string{"the url's secret prefix": secret, "the app key": acctest.AppKey, "the client secret": acctest.ClientSecret, "the last token": srv.LastIssuedToken()} {
		if strings.Contains(state, s) {
			t.Errorf("the state holds %s", what)
		}
	}
	if jwtRE.MatchString(state) {
		t.Errorf("the state holds a token")
	}
	trace := readFile(t, logFile)
	if !strings.Contains(trace, "servicetitan_api_proxy") {
		t.Fatalf("the trace log does not mention the proxy: was TF_LOG=trace honoured?")
	}
	for what, s := range map[string]string{"the app key": acctest.AppKey, "the client secret": acctest.ClientSecret, "the last token": srv.LastIssuedToken()} {
		if strings.Contains(trace, s) {
			t.Errorf("the trace log holds %s", what)
		}
	}
	if m := jwtRE.FindString(trace); m != "" {
		t.Errorf("the trace log holds a token (%.20s…)", m)
	}
}

// consumerCalls is a provider block configured once, as restapi's is, and
// two resources whose requests are made a token lifetime and more apart:
// consumer_call.a, a sleep longer than a token lives, then consumer_call.b.
// The stand-in's API is read-only, so each call's create, read and delete
// are GETs of its path.
func consumerCalls() string {
	return fmt.Sprintf(`
resource "consumer_call" "a" {
  path = "jpm/v2/tenant/%[1]s/jobs"
}

resource "terraform_data" "outlive_the_token" {
  depends_on = [consumer_call.a]
  provisioner "local-exec" {
    command = "sleep %[2]d"
  }
}

resource "consumer_call" "b" {
  depends_on = [terraform_data.outlive_the_token]
  path       = "settings/v2/tenant/%[1]s/business-units"
}
`, acctest.TenantID, int(proxyTokenLifetime/time.Second)+2)
}

// TestAccAPIProxyProviderBlockOutlastsTokens configures a consumer's
// provider block with the proxy's url: its requests after a token has died
// succeed, at create, at the refresh of a later plan and at delete.
func TestAccAPIProxyProviderBlockOutlastsTokens(t *testing.T) {
	srv := acctest.StandIn(t, shortTokens)
	config := acctest.ProviderBlock(srv) + `
ephemeral "servicetitan_api_proxy" "this" {}

provider "consumer" {
  uri = ephemeral.servicetitan_api_proxy.this.url
}
` + consumerCalls()
	run := acctest.NewConsumerCLIRun(t, config)
	run.MustRun("apply", "-auto-approve")
	if n := srv.TokenRequests(); n < 2 {
		t.Errorf("the stand-in received %d token requests, want a fresh token after the sleep", n)
	}
	// Reads (the refresh) and deletes, each in a run of its own.
	if out := run.MustRun("plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Errorf("the plan after the apply is not empty:\n%s", out)
	}
	run.MustRun("destroy", "-auto-approve")
	if n := srv.Stats().APIRequests; n < 6 {
		t.Errorf("the stand-in received %d API requests, want create, read and delete of both calls", n)
	}
}

// TestAccAuthTokenHeadersDieInAProviderBlock is the failure the proxy
// prevents: the same consumer configured with the auth token's headers
// keeps the token it was configured with, and once that token has died
// consumer_call.b is refused with 401.
func TestAccAuthTokenHeadersDieInAProviderBlock(t *testing.T) {
	srv := acctest.StandIn(t, shortTokens)
	config := acctest.ProviderBlock(srv) + fmt.Sprintf(`
ephemeral "servicetitan_auth_token" "this" {}

provider "consumer" {
  uri     = %q
  headers = ephemeral.servicetitan_auth_token.this.headers
}
`, srv.URL()) + consumerCalls()
	run := acctest.NewConsumerCLIRun(t, config)
	out, err := run.Run("apply", "-auto-approve")
	if err == nil {
		t.Fatalf("the apply succeeded with a token that died before consumer_call.b:\n%s", out)
	}
	if !strings.Contains(out, "consumer_call.a: Creation complete") {
		t.Errorf("consumer_call.a was not created while the token lived:\n%s", out)
	}
	if !acctest.ErrorText("consumer_call create failed").MatchString(out) || !strings.Contains(out, "HTTP 401") || !acctest.ErrorText("access token expired").MatchString(out) {
		t.Errorf("the apply did not fail on consumer_call.b with HTTP 401 for an expired token:\n%s", out)
	}
}

// TestAccCtrlCStopsAProxiedRequestsWait presses Ctrl-C while the proxy
// sits out a Retry-After of 25 seconds for a consumer's request: the CLI
// is back within ctrlCBound, and the request is not sent again.
func TestAccCtrlCStopsAProxiedRequestsWait(t *testing.T) {
	for _, status := range []int{503, 429} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			srv := acctest.StandIn(t)
			srv.InjectAPIFaults(fakeservicetitan.Fault{Status: status, Headers: map[string]string{"Retry-After": "25"}})
			config := acctest.ProviderBlock(srv) + fmt.Sprintf(`
ephemeral "servicetitan_api_proxy" "this" {}

provider "consumer" {
  uri = ephemeral.servicetitan_api_proxy.this.url
}

resource "consumer_call" "a" {
  path = "jpm/v2/tenant/%s/jobs"
}
`, acctest.TenantID)
			run := acctest.NewConsumerCLIRun(t, config)
			out := interruptWhileWaiting(t, run, "apply")
			// Two stops race, and either ends the wait: the signal reaches
			// this provider, whose proxy answers the consumer at once with
			// problem details saying what was being waited for; or the CLI
			// stops the consumer, which gives up its request, and the proxy
			// ends the wait for a consumer that left.
			interrupted := acctest.ErrorText(fmt.Sprintf("the API request was interrupted (Ctrl-C, or the run was stopped) while waiting 25s, as ServiceTitan's Retry-After asked after HTTP %d", status))
			left := acctest.ErrorText("jpm/v2/tenant/" + acctest.TenantID + "/jobs\": context canceled")
			switch {
			case interrupted.MatchString(out):
				t.Log("the proxy answered the consumer: interrupted")
			case left.MatchString(out):
				t.Log("the consumer was stopped first and gave up its request")
			default:
				t.Errorf("the output says neither %q nor %q:\n%s", interrupted, left, out)
			}
			if n := srv.Stats().APIRequests; n != 1 {
				t.Errorf("the stand-in received %d API requests, want 1: the wait must not be followed by a retry", n)
			}
		})
	}
}

// lockedBuffer is a bytes.Buffer for a logger that handlers of the
// stand-in write to at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const apiProxyRestapiExample = "ephemeral-resources/servicetitan_api_proxy/restapi"

// restapiExampleRE finds, in the restapi example, the expressions a test
// can evaluate without restapi: the provider block's uri and the paths.
var (
	restapiURIRE  = regexp.MustCompile(`(?m)^\s*uri\s*=\s*(.+)$`)
	restapiPathRE = regexp.MustCompile(`(?m)^\s*path\s*=\s*(.+)$`)
)

// TestAccAPIProxyRestapiExampleExpressions evaluates the restapi example's
// uri and paths against the stand-in: restapi cannot be installed here, so
// the consumer provider takes them, as restapi would, and GETs each path
// below the uri through the proxy.
func TestAccAPIProxyRestapiExampleExpressions(t *testing.T) {
	example := readFile(t, filepath.Join(examplesRoot, apiProxyRestapiExample, "main.tf"))
	uri := restapiURIRE.FindStringSubmatch(example)
	paths := restapiPathRE.FindAllStringSubmatch(example, -1)
	if uri == nil || len(paths) == 0 {
		t.Fatalf("the restapi example has no uri or no path:\n%s", example)
	}
	srv := acctest.StandIn(t)
	config := acctest.ProviderBlock(srv) + fmt.Sprintf(`
variable "servicetitan_tenant_id" {
  type    = string
  default = %q
}

ephemeral "servicetitan_api_proxy" "this" {}

provider "consumer" {
  uri = %s
}
`, acctest.TenantID, uri[1])
	for i, p := range paths {
		config += fmt.Sprintf("\nresource \"consumer_call\" \"path_%d\" {\n  path = %s\n}\n", i, p[1])
	}
	run := acctest.NewConsumerCLIRun(t, config)
	run.MustRun("apply", "-auto-approve")
	if n := srv.Stats().APIRequests; n < len(paths) {
		t.Errorf("the stand-in received %d API requests, want one for each of the example's %d paths", n, len(paths))
	}
}
