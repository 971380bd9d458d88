package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// standIn runs the command in-process until the test ends and returns its
// base URL, read from the first line of its stdout as a script would.
type standIn struct {
	url    string
	stdout *syncBuffer
	stderr *syncBuffer
	stop   func() error
}

func startStandIn(t *testing.T, args ...string) *standIn {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &standIn{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, s.stdout, s.stderr) }()
	s.stop = sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(15 * time.Second):
			return errors.New("run did not return within 15s of cancellation")
		}
	})
	t.Cleanup(func() { _ = s.stop() })
	deadline := time.Now().Add(15 * time.Second)
	for {
		if line, ok := strings.CutSuffix(s.stdout.String(), "\n"); ok {
			s.url = line
			return s
		}
		select {
		case err := <-done:
			t.Fatalf("run returned %v before printing its URL; stderr:\n%s", err, s.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no URL on stdout within 15s; stderr:\n%s", s.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   *int   `json:"expires_in"`
	TokenType   string `json:"token_type"`
	Scope       string `json:"scope"`
}

func requestToken(t *testing.T, base string, form url.Values) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.PostForm(base+"/connect/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func tokenForm(id, secret string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
}

func getAPI(t *testing.T, base, path, token, appKey string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("ST-App-Key", appKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func TestRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:8080", ":0", "192.0.2.1:0"} {
		var out, errOut syncBuffer
		err := run(context.Background(), []string{"-addr", addr}, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("-addr %s: err %v", addr, err)
		}
		if out.String() != "" {
			t.Errorf("-addr %s printed %q", addr, out.String())
		}
	}
}

func TestBadFlagsAreExplained(t *testing.T) {
	tests := []struct {
		args []string
		// usage errors are explained on stderr by the flag package; the
		// others come back as the error main prints.
		usage bool
		want  string
	}{
		{args: []string{"-no-such-flag"}, usage: true, want: "flag provided but not defined: -no-such-flag"},
		{args: []string{"extra"}, usage: true, want: `unexpected arguments: ["extra"]`},
		{args: []string{"-fault", "999"}, usage: true, want: `status "999" is not an HTTP status from 200 to 599`},
		{args: []string{"-fault", "hang:times=always", "-fault", "503"}, usage: true, want: "put times=always last"},
		{args: []string{"-latency", "-1s"}, want: "-latency must not be negative"},
		{args: []string{"-token-lifetime", "0s"}, want: "-token-lifetime must be positive"},
		{args: []string{"-tenant", "acme"}, want: `-tenant "acme" is not a ServiceTitan tenant id`},
		{args: []string{"-scopes", " , "}, want: "-scopes is empty"},
		{args: []string{"-client-secret", ""}, want: "must not be empty"},
		{args: []string{"-api-fault", "999"}, usage: true, want: `-api-fault "999": status "999" is not an HTTP status`},
		{args: []string{"-api-fault", "hang:times=always", "-api-fault", "503"}, usage: true, want: "-api-fault 503 comes after -api-fault hang:times=always"},
		{args: []string{"-jobs", "-1"}, want: "-jobs, -customers, -api-latency and -api-rate-limit must not be negative"},
		{args: []string{"-customers", "-5"}, want: "must not be negative"},
		{args: []string{"-api-latency", "-1ms"}, want: "must not be negative"},
		{args: []string{"-api-rate-limit", "-1"}, want: "must not be negative"},
		{args: []string{"-export-batch", "0"}, want: "-export-batch must be at least 1"},
		{args: []string{"-export-changes", "-1"}, want: "-export-changes, -report-runs and -report-rows must not be negative"},
		{args: []string{"-report-runs", "-2"}, want: "must not be negative"},
		{args: []string{"-report-window", "0s"}, want: "-report-window must be positive"},
		{args: []string{"-quiet", "-log", "x.log"}, want: "-quiet and -log exclude each other"},
		{args: []string{"-client", "north:north-secret"}, want: "want ID:SECRET:TENANT[:APPKEY][:hub=T1,T2]"},
		{args: []string{"-client", "demo-client-id:other-secret:5001"}, want: "client id demo-client-id is given twice"},
		{args: []string{"-client", "a:s1:1", "-client", "a:s2:2"}, want: "client id a is given twice"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut syncBuffer
			err := run(context.Background(), tt.args, &out, &errOut)
			switch {
			case tt.usage && !errors.Is(err, errUsage):
				t.Fatalf("err %v, want a usage error", err)
			case tt.usage && !strings.Contains(errOut.String(), tt.want):
				t.Errorf("stderr lacks %q:\n%s", tt.want, errOut.String())
			case !tt.usage && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("err %v, want it to contain %q", err, tt.want)
			}
			if out.String() != "" {
				t.Errorf("printed %q on stdout before failing", out.String())
			}
		})
	}
}

func TestHelpExplainsEveryFlag(t *testing.T) {
	var out, errOut syncBuffer
	if err := run(context.Background(), []string{"-h"}, &out, &errOut); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err %v", err)
	}
	help := errOut.String()
	for _, want := range []string{
		"-addr", "-client-id", "-client-secret", "-tenant", "-enterprise-hub", "-app-key", "-scopes",
		"-token-lifetime", "-omit-expires-in", "-latency", "-fault", "-url-file", "-version",
		"retry-after=SECONDS", "body=BODY", "times=N|always", "/connect/token", "/jpm/v2/tenant/{tenant}/jobs",
		"/crm/v2/tenant/{tenant}/customers", "/_stand-in/stats", "read -r url",
		"-jobs", "-customers", "-export-batch", "-api-fault", "-api-latency", "-api-rate-limit", "-endless-lists", "-client",
		"ID:SECRET:TENANT[:APPKEY][:hub=T1,T2,...]", "location=URL", "/settings/v2/tenant/{tenant}/business-units",
		"/jpm/v2/tenant/{tenant}/job-types", "/jpm/v2/tenant/{tenant}/export/jobs", "/crm/v2/tenant/{tenant}/export/customers",
		"/reporting/v2/tenant/{tenant}/report-category/{category}/reports/{id}/data",
		"/_stand-in/api-faults", "/_stand-in/revoke", "/_stand-in/add-jobs", "/_stand-in/api-latency",
		"/{folder}/{version}/tenant/{tenant}/{path}", "every GET operation", "/dispatch/v2/tenant/{tenant}/capacity",
		"businessUnitId", "modifiedOnOrAfter", "active (True, False, Any)", "From and To",
		"-export-changes", "-report-runs", "-report-window", "-report-rows", "-log", "-quiet",
		"/_stand-in/changes?entity=E&n=N",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("-h does not mention %q", want)
		}
	}
}

func TestParseFault(t *testing.T) {
	tests := []struct {
		spec    string
		status  int
		retry   string
		bodySub string
		delay   time.Duration
		hang    bool
		repeat  bool
		times   int
		errSub  string
	}{
		{spec: "503", status: 503, times: 1},
		{spec: "429:retry-after=5", status: 429, retry: "5", times: 1},
		{spec: "429:retry-after=3600,times=always", status: 429, retry: "3600", repeat: true, times: 1},
		{spec: "502:body=html,times=3", status: 502, bodySub: "502 Bad Gateway", times: 3},
		{spec: "200:body=truncated_json", status: 200, bodySub: `{"access_token":"ey`, times: 1},
		{spec: "200:body=missing_access_token", status: 200, bodySub: `"token_type"`, times: 1},
		{spec: "ok:delay=1500ms", delay: 1500 * time.Millisecond, times: 1},
		{spec: "hang", hang: true, times: 1},
		{spec: "302:location=https://elsewhere.example/,retry-after=1", status: 302, retry: "1", times: 1},
		{spec: "", errSub: "is not an HTTP status"},
		{spec: "99", errSub: "is not an HTTP status"},
		{spec: "503:retry-after=-1", errSub: "not a whole number of seconds"},
		{spec: "503:retry-after", errSub: "is not NAME=VALUE"},
		{spec: "503:body=xml", errSub: "none of html, truncated_json or missing_access_token"},
		{spec: "ok:body=html", errSub: "body= needs an HTTP status"},
		{spec: "503:delay=soon", errSub: "not a non-negative duration"},
		{spec: "503:times=0", errSub: "neither a number from 1 to 1000 nor always"},
		{spec: "503:times=2,times=3", errSub: "given twice"},
		{spec: "503:color=red", errSub: `unknown option "color"`},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			f, times, err := parseFault(tt.spec)
			if tt.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errSub) || !strings.Contains(err.Error(), "-fault") {
					t.Fatalf("err %v, want it to name -fault and contain %q", err, tt.errSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.Status != tt.status || f.Headers["Retry-After"] != tt.retry || f.Delay != tt.delay ||
				f.Hang != tt.hang || f.Repeat != tt.repeat || times != tt.times || !strings.Contains(f.Body, tt.bodySub) {
				t.Errorf("got %+v times %d", f, times)
			}
		})
	}
}

func TestServesTokensAndAPIAndShutsDown(t *testing.T) {
	urlFile := filepath.Join(t.TempDir(), "url")
	s := startStandIn(t, "-url-file", urlFile, "-client-id", "ci-client", "-client-secret", "ci-secret-xyz",
		"-app-key", "ci-app-key", "-tenant", "5678", "-token-lifetime", "2m", "-scopes", "tn.crm.customers:r")
	if !strings.HasPrefix(s.url, "http://127.0.0.1:") {
		t.Fatalf("first stdout line %q is not a loopback base URL", s.url)
	}
	if b, err := os.ReadFile(urlFile); err != nil || string(b) != s.url {
		t.Errorf("-url-file holds %q (%v), want %q", b, err, s.url)
	}

	if resp, body := requestToken(t, s.url, tokenForm("demo-client-id", "demo-client-secret")); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(string(body), "invalid_client") {
		t.Errorf("the demo credentials, replaced by flags, got %d %s", resp.StatusCode, body)
	}
	resp, body := requestToken(t, s.url, tokenForm("ci-client", "ci-secret-xyz"))
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); resp.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("token: %d %s", resp.StatusCode, body)
	}
	if tr.TokenType != "Bearer" || tr.ExpiresIn == nil || *tr.ExpiresIn != 120 || tr.Scope != "tn.crm.customers:r" ||
		strings.Count(tr.AccessToken, ".") != 2 || !strings.HasPrefix(tr.AccessToken, "eyJ") {
		t.Errorf("token response %s", body)
	}

	if status, body := getAPI(t, s.url, "/crm/v2/tenant/5678/customers?pageSize=2&includeTotal=true", tr.AccessToken, "ci-app-key"); status != http.StatusOK ||
		!strings.Contains(string(body), `"pageSize":2,"hasMore":true,"totalCount":3`) {
		t.Errorf("customers: %d %s", status, body)
	}
	if status, _ := getAPI(t, s.url, "/crm/v2/tenant/5678/customers", tr.AccessToken, "demo-app-key"); status != http.StatusUnauthorized {
		t.Errorf("customers with the wrong app key: %d", status)
	}
	if status, body := getAPI(t, s.url, "/jpm/v2/tenant/5678/jobs", tr.AccessToken, "ci-app-key"); status != http.StatusForbidden ||
		!strings.Contains(string(body), "tn.jpm.jobs:r") {
		t.Errorf("jobs without the jobs scope: %d %s", status, body)
	}

	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if got, want := s.stdout.String(), s.url+"\n"; got != want {
		t.Errorf("stdout %q, want only the URL line %q", got, want)
	}
	if _, err := os.Stat(urlFile); !os.IsNotExist(err) {
		t.Errorf("url file left behind: %v", err)
	}
	logs := s.stderr.String()
	for _, want := range []string{"listening on " + s.url, "POST /connect/token 200", "GET /crm/v2/tenant/5678/customers 200", "stopped in"} {
		if !strings.Contains(logs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, logs)
		}
	}
	for _, secret := range []string{"ci-secret-xyz", "ci-app-key", tr.AccessToken} {
		if strings.Contains(logs, secret) {
			t.Errorf("stderr contains a credential:\n%s", logs)
		}
	}
}

func TestFaultFlagsAnswerTokenRequestsInOrder(t *testing.T) {
	s := startStandIn(t, "-fault", "503:retry-after=7,times=2", "-fault", "502:body=html", "-fault", "429:retry-after=3600,times=always")
	form := tokenForm("demo-client-id", "demo-client-secret")
	for i, want := range []struct {
		status      int
		retryAfter  string
		contentType string
	}{
		{503, "7", ""}, {503, "7", ""}, {502, "", "text/html"}, {429, "3600", ""}, {429, "3600", ""}, {429, "3600", ""},
	} {
		resp, body := requestToken(t, s.url, form)
		if resp.StatusCode != want.status || resp.Header.Get("Retry-After") != want.retryAfter ||
			(want.contentType != "" && resp.Header.Get("Content-Type") != want.contentType) {
			t.Errorf("request %d: %d Retry-After %q Content-Type %q %q, want %d Retry-After %q",
				i+1, resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"), body, want.status, want.retryAfter)
		}
	}
}

func TestVersion(t *testing.T) {
	var out, errOut syncBuffer
	if err := run(context.Background(), []string{"-version"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if sc := bufio.NewScanner(strings.NewReader(out.String())); !sc.Scan() || !strings.HasPrefix(sc.Text(), "servicetitan-standin ") {
		t.Errorf("-version printed %q", out.String())
	}
}

// TestGuideDocumentsEveryFlag holds the testing guide's flag table to the
// flags the command defines, so neither can drift from the other.
func TestGuideDocumentsEveryFlag(t *testing.T) {
	var out, errOut syncBuffer
	if err := run(context.Background(), []string{"-h"}, &out, &errOut); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err %v", err)
	}
	var flags []string
	for line := range strings.Lines(errOut.String()) {
		if name, ok := strings.CutPrefix(line, "  -"); ok {
			flags = append(flags, "-"+strings.Fields(name)[0])
		}
	}
	if len(flags) < 10 {
		t.Fatalf("found only %q in the usage", flags)
	}
	guide, err := os.ReadFile(filepath.Join("..", "..", "docs", "guides", "testing.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range flags {
		if f == "-version" {
			continue // mentioned in prose, not a test setting
		}
		if !strings.Contains(string(guide), "`"+f+"`") && !strings.Contains(string(guide), "`"+f+" ") {
			t.Errorf("docs/guides/testing.md does not document %s", f)
		}
	}
}
