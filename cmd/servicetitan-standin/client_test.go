package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

func TestParseClient(t *testing.T) {
	tests := []struct {
		spec   string
		want   fakeservicetitan.Client
		errSub string
	}{
		{spec: "north:n-secret:5001", want: fakeservicetitan.Client{ID: "north", Secret: "n-secret", Tenant: "5001"}},
		{spec: "north:n-secret:5001:north-key", want: fakeservicetitan.Client{ID: "north", Secret: "n-secret", Tenant: "5001", AppKey: "north-key"}},
		{spec: "hub:h-secret:7001:hub=7002,7003", want: fakeservicetitan.Client{ID: "hub", Secret: "h-secret", Tenant: "7001", Tenants: []string{"7001", "7002", "7003"}}},
		{spec: "hub:h-secret:7001:hub-key:hub=7001,7002", want: fakeservicetitan.Client{ID: "hub", Secret: "h-secret", Tenant: "7001", AppKey: "hub-key", Tenants: []string{"7001", "7002"}}},
		{spec: "north", errSub: "got 1 colon-separated parts"},
		{spec: "a:sec-b:1:c:d:e", errSub: "got 6 colon-separated parts"},
		{spec: ":n-secret:5001", errSub: "ID and SECRET must not be empty"},
		{spec: "north::5001", errSub: "ID and SECRET must not be empty"},
		{spec: "north:n-secret:acme", errSub: `TENANT "acme" is not a ServiceTitan tenant id`},
		{spec: "north:n-secret:5001::hub=2", errSub: "APPKEY is empty"},
		{spec: "hub:h-secret:7001:hub=7002:key", errSub: "hub= comes last"},
		{spec: "hub:h-secret:7001:hub=", errSub: `hub tenant "" is not`},
		{spec: "hub:h-secret:7001:hub=7002,x", errSub: `hub tenant "x" is not`},
		{spec: "north:n-secret:5001:key:other", errSub: "must be hub=T1,T2"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := parseClient(tt.spec)
			if tt.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errSub) || !strings.Contains(err.Error(), "-client") {
					t.Fatalf("err %v, want it to name -client and contain %q", err, tt.errSub)
				}
				if secret := strings.Split(tt.spec, ":"); len(secret) > 1 && secret[1] != "" && strings.Contains(err.Error(), secret[1]) {
					t.Errorf("error %q repeats the secret", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestBadClientFlagKeepsTheSecretOffTheTerminal(t *testing.T) {
	var out, errOut syncBuffer
	err := run(context.Background(), []string{"-client", "north:very-secret-value:acme"}, &out, &errOut)
	if err == nil {
		t.Fatal("accepted a tenant that is not a number")
	}
	if strings.Contains(err.Error()+errOut.String(), "very-secret-value") {
		t.Errorf("the secret is shown: %v\n%s", err, errOut.String())
	}
}

func TestCredentialSetsAndAPIFlags(t *testing.T) {
	s := startStandIn(t, "-client", "north:north-secret:5001", "-client", "hub:hub-secret:7001:hub-app-key:hub=7002",
		"-jobs", "12", "-customers", "5", "-export-batch", "5", "-api-fault", "503:retry-after=1", "-api-rate-limit", "1000")

	// The demo set stays.
	_, body := requestToken(t, s.url, tokenForm("demo-client-id", "demo-client-secret"))
	var demo tokenResponse
	if err := json.Unmarshal(body, &demo); err != nil || demo.AccessToken == "" {
		t.Fatalf("demo token: %s", body)
	}
	if status, _ := getAPI(t, s.url, "/jpm/v2/tenant/1234/jobs", demo.AccessToken, "demo-app-key"); status != http.StatusServiceUnavailable {
		t.Errorf("first API request: %d, want the -api-fault's 503", status)
	}
	status, body := getAPI(t, s.url, "/jpm/v2/tenant/1234/jobs?pageSize=50&includeTotal=true", demo.AccessToken, "demo-app-key")
	if status != http.StatusOK || !strings.Contains(string(body), `"totalCount":12`) {
		t.Errorf("jobs with -jobs 12: %d %s", status, body)
	}
	status, body = getAPI(t, s.url, "/crm/v2/tenant/1234/export/customers", demo.AccessToken, "demo-app-key")
	var batch struct {
		Data    []json.RawMessage `json:"data"`
		HasMore bool              `json:"hasMore"`
	}
	if err := json.Unmarshal(body, &batch); err != nil || status != http.StatusOK || len(batch.Data) != 5 || batch.HasMore {
		t.Errorf("customers export with -customers 5 -export-batch 5: %d %s", status, body)
	}

	_, body = requestToken(t, s.url, tokenForm("north", "north-secret"))
	var north tokenResponse
	if err := json.Unmarshal(body, &north); err != nil || north.Scope != "tn.jpm.jobs:r tn.crm.customers:r" {
		t.Fatalf("north token: %s", body)
	}
	if status, _ := getAPI(t, s.url, "/jpm/v2/tenant/5001/jobs", north.AccessToken, "demo-app-key"); status != http.StatusOK {
		t.Errorf("north on its tenant: %d", status)
	}
	if status, _ := getAPI(t, s.url, "/jpm/v2/tenant/1234/jobs", north.AccessToken, "demo-app-key"); status != http.StatusForbidden {
		t.Errorf("north on the demo tenant: %d, want 403", status)
	}

	hubForm := tokenForm("hub", "hub-secret")
	hubForm.Set("tenant", "7002")
	_, body = requestToken(t, s.url, hubForm)
	var hub tokenResponse
	if err := json.Unmarshal(body, &hub); err != nil || hub.AccessToken == "" {
		t.Fatalf("hub token for 7002: %s", body)
	}
	if status, _ := getAPI(t, s.url, "/jpm/v2/tenant/7002/jobs", hub.AccessToken, "hub-app-key"); status != http.StatusOK {
		t.Errorf("hub on 7002 with its app key: %d", status)
	}
	if status, _ := getAPI(t, s.url, "/jpm/v2/tenant/7002/jobs", hub.AccessToken, "demo-app-key"); status != http.StatusUnauthorized {
		t.Errorf("hub with the demo app key: %d, want 401", status)
	}
	hubForm.Set("tenant", "7003")
	if resp, body := requestToken(t, s.url, hubForm); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("hub token for a tenant outside its group: %d %s", resp.StatusCode, body)
	}

	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	logs := s.stderr.String()
	for _, want := range []string{"client id north, tenant 5001", "client id hub, tenant 7001,7002 (Enterprise Hub)", "0 token and 1 API fault(s) queued"} {
		if !strings.Contains(logs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, logs)
		}
	}
	for _, secret := range []string{"north-secret", "hub-secret", "hub-app-key"} {
		if strings.Contains(logs, secret) {
			t.Errorf("stderr shows %s:\n%s", secret, logs)
		}
	}
}

func TestRateLimitAndEndlessListFlags(t *testing.T) {
	s := startStandIn(t, "-api-rate-limit", "1", "-endless-lists")
	_, body := requestToken(t, s.url, tokenForm("demo-client-id", "demo-client-secret"))
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil {
		t.Fatal(err)
	}
	var statuses []int
	for range 2 {
		status, body := getAPI(t, s.url, "/jpm/v2/tenant/1234/jobs?page=99", tr.AccessToken, "demo-app-key")
		statuses = append(statuses, status)
		if status == http.StatusOK && !strings.Contains(string(body), `"hasMore":true`) {
			t.Errorf("page 99 with -endless-lists: %s", body)
		}
	}
	// Two requests a few milliseconds apart, with one allowed per second.
	if statuses[0] != http.StatusOK || statuses[1] != http.StatusTooManyRequests {
		t.Errorf("statuses %v, want 200 then 429", statuses)
	}
}

func TestRateLimitFlagZeroTurnsItOff(t *testing.T) {
	s := startStandIn(t, "-api-rate-limit", "0")
	resp, body := requestToken(t, s.url, url.Values{"grant_type": {"client_credentials"}, "client_id": {"demo-client-id"}, "client_secret": {"demo-client-secret"}})
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatal(resp.StatusCode, string(body))
	}
	for i := range 80 {
		if status, body := getAPI(t, s.url, "/jpm/v2/tenant/1234/job-types", tr.AccessToken, "demo-app-key"); status != http.StatusOK {
			t.Fatalf("request %d with the limit off: %d %s", i+1, status, body)
		}
	}
}

// TestLogFlags: -log FILE moves the request log off the terminal that
// also runs Terraform, and -quiet drops it.
func TestLogFlags(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "standin.log")
	s := startStandIn(t, "-log", logFile)
	tok := demoToken(t, s.url)
	if status, _ := getAPI(t, s.url, "/jpm/v2/tenant/1234/jobs", tok, "demo-app-key"); status != http.StatusOK {
		t.Fatalf("jobs: %d", status)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"listening on " + s.url, "POST /connect/token 200", "GET /jpm/v2/tenant/1234/jobs 200", "stopped in"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("-log file lacks %q:\n%s", want, b)
		}
	}
	if strings.Contains(string(b), tok) || strings.Contains(string(b), "demo-client-secret") {
		t.Errorf("-log file holds a credential:\n%s", b)
	}
	if got := s.stderr.String(); got != "" {
		t.Errorf("stderr with -log: %q, want nothing", got)
	}

	q := startStandIn(t, "-quiet")
	tok = demoToken(t, q.url)
	if status, _ := getAPI(t, q.url, "/jpm/v2/tenant/1234/jobs", tok, "demo-app-key"); status != http.StatusOK {
		t.Fatalf("jobs: %d", status)
	}
	if err := q.stop(); err != nil {
		t.Fatal(err)
	}
	if got := q.stderr.String(); got != "" {
		t.Errorf("stderr with -quiet: %q, want nothing", got)
	}
	if got := q.stdout.String(); got != q.url+"\n" {
		t.Errorf("stdout with -quiet: %q, want the URL line", got)
	}
}

// TestCatalogueFlags: a report of -report-rows rows pages under
// -report-runs per -report-window, and -export-changes makes a resumed
// export return changed records.
func TestCatalogueFlags(t *testing.T) {
	s := startStandIn(t, "-report-rows", "50000", "-report-runs", "1", "-report-window", "2s", "-export-changes", "60000")
	tok := demoToken(t, s.url)
	report := s.url + "/reporting/v2/tenant/1234/report-category/ops/reports/9/data?pageSize=25000"
	post := func() *http.Response {
		req, _ := http.NewRequest(http.MethodPost, report, strings.NewReader(`{"parameters":[]}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("ST-App-Key", "demo-app-key")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Data    []json.RawMessage `json:"data"`
			HasMore bool              `json:"hasMore"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&out)
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusOK && (len(out.Data) != 25000 || !out.HasMore) {
			t.Errorf("first page: %d rows, hasMore %v; want 25000 and more", len(out.Data), out.HasMore)
		}
		return resp
	}
	if resp := post(); resp.StatusCode != http.StatusOK {
		t.Fatalf("first run: %d", resp.StatusCode)
	}
	if resp := post(); resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("second run within the window: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	from := ""
	for range 100 {
		status, body := getAPI(t, s.url, "/crm/v2/tenant/1234/export/customers?from="+url.QueryEscape(from), tok, "demo-app-key")
		var b struct {
			Data         []map[string]any `json:"data"`
			HasMore      bool             `json:"hasMore"`
			ContinueFrom string           `json:"continueFrom"`
		}
		if err := json.Unmarshal(body, &b); status != http.StatusOK || err != nil {
			t.Fatalf("export: %d %s", status, body)
		}
		if from != "" && len(b.Data) > 0 {
			// 1000 changes a second: every record read after the first
			// batch has been changed since the stand-in started.
			if m, _ := b.Data[0]["modifiedOn"].(string); m < "2025" {
				t.Errorf("resumed export returned a record modified %s, before the stand-in started", m)
			}
			return
		}
		from = b.ContinueFrom
		time.Sleep(20 * time.Millisecond)
	}
	t.Error("the resumed export never returned a changed record")
}

func demoToken(t *testing.T, base string) string {
	t.Helper()
	resp, body := requestToken(t, base, tokenForm("demo-client-id", "demo-client-secret"))
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); resp.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("token: %d %s", resp.StatusCode, body)
	}
	return tr.AccessToken
}
