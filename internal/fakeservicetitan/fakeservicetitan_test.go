package fakeservicetitan

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testSecret    = "s3cr3t-value-9f2c"
	testHubSecret = "hub-s3cr3t-71ab"
	testAppKey    = "app-key-5521"
	testTenant    = "1001"
	testHubTenant = "2002"
)

func testConfig() Config {
	return Config{
		Clients: []Client{
			{ID: "cid", Secret: testSecret, Tenant: testTenant},
			{ID: "hub", Secret: testHubSecret, Tenant: testHubTenant, EnterpriseHub: true},
			{ID: "narrow", Secret: "narrow-secret", Tenant: testTenant, Scopes: []string{"tn.crm.customers:r"}},
		},
		AppKey: testAppKey,
	}
}

func startServer(t *testing.T, mod func(*Config)) *Server {
	t.Helper()
	cfg := testConfig()
	if mod != nil {
		mod(&cfg)
	}
	s, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

var httpClient = &http.Client{Timeout: 5 * time.Second}

func goodForm() url.Values {
	return url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {"cid"},
		"client_secret": {testSecret},
	}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func do(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

func postToken(t *testing.T, base string, form url.Values) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/connect/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "provider-test/1.0")
	return do(t, req)
}

func getToken(t *testing.T, s *Server) string {
	t.Helper()
	r := postToken(t, s.URL(), goodForm())
	if r.status != http.StatusOK {
		t.Fatalf("token status %d: %s", r.status, r.body)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(r.body, &tr); err != nil {
		t.Fatal(err)
	}
	return tr.AccessToken
}

func getJobs(t *testing.T, base, tenant string, headers map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/jpm/v2/tenant/"+tenant+"/jobs", nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

func jsonField(t *testing.T, body []byte, field string) any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %q", err, body)
	}
	return m[field]
}

// decodePayload reads the JWT payload the way a client would, without the key.
func decodePayload(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTokenSuccess(t *testing.T) {
	s := startServer(t, nil)
	before := time.Now().Unix()
	r := postToken(t, s.URL(), goodForm())
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   *int   `json:"expires_in"`
		TokenType   string `json:"token_type"`
		Scope       string `json:"scope"`
	}
	if err := json.Unmarshal(r.body, &tr); err != nil {
		t.Fatal(err)
	}
	if tr.AccessToken == "" || tr.TokenType != "Bearer" || tr.ExpiresIn == nil || *tr.ExpiresIn != 900 ||
		tr.Scope != "tn.jpm.jobs:r tn.crm.customers:r" {
		t.Errorf("unexpected token response %s", r.body)
	}

	p := decodePayload(t, tr.AccessToken)
	exp, _ := p["exp"].(float64)
	iat, _ := p["iat"].(float64)
	if d := int64(exp) - (before + 900); d < -1 || d > 2 {
		t.Errorf("exp %v not about now+900 (now %d)", exp, before)
	}
	if int64(exp)-int64(iat) != 900 {
		t.Errorf("exp-iat = %v", exp-iat)
	}
	if p["client_id"] != "cid" || p["tenant"] != testTenant || p["jti"] == "" {
		t.Errorf("claims %v", p)
	}
	if sc, ok := p["scope"].([]any); !ok || len(sc) != 2 || sc[0] != "tn.jpm.jobs:r" {
		t.Errorf("scope claim %#v, want JSON array", p["scope"])
	}
	c, err := s.VerifyToken(tr.AccessToken)
	if err != nil || c.ClientID != "cid" || c.Tenant != testTenant {
		t.Errorf("VerifyToken = %+v, %v", c, err)
	}

	if got := getToken(t, s); got == tr.AccessToken {
		t.Error("two tokens are identical; jti should make each unique")
	}
	if st := s.Stats(); st.TokenRequests != 2 || st.TokensIssued != 2 || st.APIRequests != 0 {
		t.Errorf("counters %+v", st)
	}
	if s.LastIssuedToken() == "" {
		t.Error("LastIssuedToken empty")
	}
	last := s.LastTokenRequest()
	want := TokenRequest{
		Method: "POST", ContentType: "application/x-www-form-urlencoded", UserAgent: "provider-test/1.0",
		GrantType: "client_credentials", ClientID: "cid", SecretMatched: true,
	}
	form := last.Form
	last.Form = nil
	if !reflect.DeepEqual(last, want) {
		t.Errorf("LastTokenRequest = %+v, want %+v", last, want)
	}
	if form.Has("client_secret") || form.Get("client_id") != "cid" {
		t.Errorf("recorded form %v", form)
	}
}

func TestTokenLifetimeAndOmitExpiresIn(t *testing.T) {
	s := startServer(t, func(c *Config) {
		c.TokenLifetime = 1500 * time.Millisecond
		c.OmitExpiresIn = true
	})
	r := postToken(t, s.URL(), goodForm())
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if v := jsonField(t, r.body, "expires_in"); v != nil {
		t.Errorf("expires_in present: %v", v)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(r.body, &tr); err != nil {
		t.Fatal(err)
	}
	p := decodePayload(t, tr.AccessToken)
	exp, okExp := p["exp"].(float64)
	iat, okIat := p["iat"].(float64)
	if !okExp || !okIat {
		t.Fatalf("exp or iat is not a number: %v", p)
	}
	if life := exp - iat; life != 2 {
		t.Errorf("lifetime %v s, want 1.5s rounded up to 2", life)
	}
}

func TestTokenErrors(t *testing.T) {
	s := startServer(t, nil)
	with := func(mod func(url.Values)) url.Values {
		f := goodForm()
		mod(f)
		return f
	}
	hubForm := func(tenant string) url.Values {
		f := url.Values{"grant_type": {"client_credentials"}, "client_id": {"hub"}, "client_secret": {testHubSecret}}
		if tenant != "" {
			f.Set("tenant", tenant)
		}
		return f
	}
	tests := []struct {
		name        string
		method      string
		contentType string // "" means the form type, "-" none at all
		body        string
		status      int
		errCode     string
		desc        string
	}{
		{name: "json body", contentType: "application/json", body: `{"grant_type":"client_credentials"}`,
			status: 400, errCode: "invalid_request", desc: "Content-Type must be application/x-www-form-urlencoded"},
		{name: "no content type", contentType: "-", body: goodForm().Encode(), status: 400, errCode: "invalid_request"},
		{name: "wrong grant type", body: with(func(f url.Values) { f.Set("grant_type", "password") }).Encode(),
			status: 400, errCode: "unsupported_grant_type"},
		{name: "missing grant type", body: with(func(f url.Values) { f.Del("grant_type") }).Encode(),
			status: 400, errCode: "unsupported_grant_type"},
		{name: "wrong secret", body: with(func(f url.Values) { f.Set("client_secret", "guessed-secret-123") }).Encode(),
			status: 400, errCode: "invalid_client"},
		{name: "missing secret", body: with(func(f url.Values) { f.Del("client_secret") }).Encode(),
			status: 400, errCode: "invalid_client"},
		{name: "unknown client", body: with(func(f url.Values) { f.Set("client_id", "nobody") }).Encode(),
			status: 400, errCode: "invalid_client"},
		{name: "bad secret beats bad grant", body: with(func(f url.Values) {
			f.Set("client_secret", "guessed-secret-123")
			f.Set("grant_type", "password")
		}).Encode(), status: 400, errCode: "invalid_client"},
		{name: "enterprise hub without tenant", body: hubForm("").Encode(),
			status: 400, errCode: "invalid_request", desc: "tenant is required for Enterprise Hub apps"},
		{name: "enterprise hub wrong tenant", body: hubForm("9999").Encode(), status: 400, errCode: "invalid_request"},
		{name: "scope not granted", body: with(func(f url.Values) { f.Set("scope", "tn.acc.invoices:w") }).Encode(),
			status: 400, errCode: "invalid_scope"},
		{name: "GET", method: http.MethodGet, status: 405, errCode: "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			req, _ := http.NewRequest(method, s.URL()+"/connect/token", strings.NewReader(tt.body))
			switch tt.contentType {
			case "":
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			case "-":
			default:
				req.Header.Set("Content-Type", tt.contentType)
			}
			r := do(t, req)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if got := jsonField(t, r.body, "error"); got != tt.errCode {
				t.Errorf("error %v, want %s", got, tt.errCode)
			}
			if tt.desc != "" {
				if got := jsonField(t, r.body, "error_description"); got != tt.desc {
					t.Errorf("error_description %v, want %q", got, tt.desc)
				}
			}
			for _, secret := range []string{"guessed-secret-123", testSecret, testHubSecret} {
				if bytes.Contains(r.body, []byte(secret)) {
					t.Errorf("response echoes a secret: %s", r.body)
				}
			}
			if tt.status == 405 && r.header.Get("Allow") != "POST" {
				t.Errorf("Allow %q", r.header.Get("Allow"))
			}
		})
	}
	if got := s.TokenRequests(); got != len(tests) {
		t.Errorf("TokenRequests %d, want %d", got, len(tests))
	}
	if got := s.Stats().TokensIssued; got != 0 {
		t.Errorf("TokensIssued %d, want 0", got)
	}
	if last := s.LastTokenRequest(); last.Method != http.MethodGet || last.SecretMatched {
		t.Errorf("last request %+v", last)
	}
}

func TestWrongSecretIsRecordedWithoutSecret(t *testing.T) {
	s := startServer(t, nil)
	f := goodForm()
	f.Set("client_secret", "guessed-secret-123")
	postToken(t, s.URL(), f)
	last := s.LastTokenRequest()
	if last.SecretMatched || last.ClientID != "cid" || last.Form.Has("client_secret") {
		t.Errorf("last request %+v", last)
	}
}

func TestEnterpriseHubAndScopedTokens(t *testing.T) {
	s := startServer(t, nil)
	r := postToken(t, s.URL(), url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"hub"},
		"client_secret": {testHubSecret}, "tenant": {testHubTenant},
	})
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	tok, ok := jsonField(t, r.body, "access_token").(string)
	if !ok {
		t.Fatalf("access_token is not a string: %s", r.body)
	}
	if p := decodePayload(t, tok); p["tenant"] != testHubTenant || p["client_id"] != "hub" {
		t.Errorf("claims %v", p)
	}
	if got := s.LastTokenRequest().Tenant; got != testHubTenant {
		t.Errorf("recorded tenant %q", got)
	}
	hdr := map[string]string{"Authorization": "Bearer " + tok, "ST-App-Key": testAppKey}
	if r := getJobs(t, s.URL(), testHubTenant, hdr); r.status != http.StatusOK {
		t.Errorf("jobs on hub tenant: %d %s", r.status, r.body)
	}

	f := goodForm()
	f.Set("scope", "tn.crm.customers:r")
	r = postToken(t, s.URL(), f)
	if got := jsonField(t, r.body, "scope"); got != "tn.crm.customers:r" {
		t.Errorf("requested scope subset, got %v", got)
	}
}

func TestJobs(t *testing.T) {
	s := startServer(t, nil)
	good := getToken(t, s)
	other := startServer(t, nil)
	foreign := getToken(t, other)
	expired := s.MintToken(Claims{
		Exp: time.Now().Add(-time.Minute).Unix(), Iat: time.Now().Add(-16 * time.Minute).Unix(),
		ClientID: "cid", Tenant: testTenant, Scope: DefaultScopes, JTI: "old",
	})
	narrow := s.MintToken(Claims{
		Exp: time.Now().Add(time.Hour).Unix(), Iat: time.Now().Unix(),
		ClientID: "narrow", Tenant: testTenant, Scope: []string{"tn.crm.customers:r"}, JTI: "narrow",
	})
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(
		[]byte(`{"exp":9999999999,"iat":1,"client_id":"cid","tenant":"1001","scope":["tn.jpm.jobs:r"],"jti":"x"}`)) + "." + parts[2]
	algNone := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."

	tests := []struct {
		name   string
		tenant string
		auth   string
		appKey string
		status int
		errSub string
	}{
		{name: "good", auth: "Bearer " + good, status: 200},
		{name: "missing Authorization", status: 401, errSub: "missing Authorization"},
		{name: "no Bearer prefix", auth: good, status: 401, errSub: "Bearer"},
		{name: "lowercase scheme", auth: "bearer " + good, status: 401, errSub: "Bearer"},
		{name: "empty token", auth: "Bearer ", status: 401, errSub: "Bearer"},
		{name: "garbage token", auth: "Bearer not-a-jwt", status: 401, errSub: "invalid access token"},
		{name: "expired", auth: "Bearer " + expired, status: 401, errSub: "expired"},
		{name: "issued by another server", auth: "Bearer " + foreign, status: 401, errSub: "invalid access token"},
		{name: "tampered payload", auth: "Bearer " + tampered, status: 401, errSub: "invalid access token"},
		{name: "alg none", auth: "Bearer " + algNone, status: 401, errSub: "invalid access token"},
		{name: "missing app key", auth: "Bearer " + good, appKey: "-", status: 401, errSub: "ST-App-Key"},
		{name: "wrong app key", auth: "Bearer " + good, appKey: "wrong-key", status: 401, errSub: "ST-App-Key"},
		{name: "wrong tenant", tenant: "9999", auth: "Bearer " + good, status: 403, errSub: "tenant 9999"},
		{name: "insufficient scope", auth: "Bearer " + narrow, status: 403, errSub: "scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tenant := tt.tenant
			if tenant == "" {
				tenant = testTenant
			}
			h := map[string]string{"ST-App-Key": testAppKey}
			switch tt.appKey {
			case "":
			case "-":
				delete(h, "ST-App-Key")
			default:
				h["ST-App-Key"] = tt.appKey
			}
			if tt.auth != "" {
				h["Authorization"] = tt.auth
			}
			r := getJobs(t, s.URL(), tenant, h)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.status != 200 {
				msg, _ := jsonField(t, r.body, "error").(string)
				if !strings.Contains(msg, tt.errSub) {
					t.Errorf("error %q, want it to mention %q", msg, tt.errSub)
				}
				if bytes.Contains(r.body, []byte(testAppKey)) || (len(good) > 0 && bytes.Contains(r.body, []byte(good))) {
					t.Errorf("error body echoes a credential: %s", r.body)
				}
				return
			}
			var page jobsPage
			if err := json.Unmarshal(r.body, &page); err != nil {
				t.Fatal(err)
			}
			if page.Page != 1 || page.PageSize != 50 || page.HasMore || page.TotalCount != 2 || len(page.Data) != 2 ||
				page.Data[0].JobStatus != "Scheduled" || page.Data[0].JobNumber == "" {
				t.Errorf("page %s", r.body)
			}
		})
	}
	if got, want := s.Stats().APIRequests, len(tests); got != want {
		t.Errorf("APIRequests %d, want %d", got, want)
	}
}

func TestAPINotFoundAndMethod(t *testing.T) {
	s := startServer(t, nil)
	for _, p := range []string{"/crm/v2/tenant/1001/locations", "/jpm/v2/tenant/1001/jobs/1", "/"} {
		req, _ := http.NewRequest(http.MethodGet, s.URL()+p, nil)
		r := do(t, req)
		if r.status != http.StatusNotFound || jsonField(t, r.body, "error") == nil {
			t.Errorf("%s: %d %s", p, r.status, r.body)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/jpm/v2/tenant/1001/jobs", nil)
	if r := do(t, req); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST jobs: %d", r.status)
	}
	if got := s.Stats().APIRequests; got != 4 {
		t.Errorf("APIRequests %d, want 4", got)
	}
}

func TestAppKeyOptional(t *testing.T) {
	s := startServer(t, func(c *Config) { c.AppKey = "" })
	tok := getToken(t, s)
	if r := getJobs(t, s.URL(), testTenant, map[string]string{"Authorization": "Bearer " + tok, "ST-App-Key": "anything"}); r.status != 200 {
		t.Errorf("any app key: %d %s", r.status, r.body)
	}
	if r := getJobs(t, s.URL(), testTenant, map[string]string{"Authorization": "Bearer " + tok}); r.status != 401 {
		t.Errorf("no app key: %d %s", r.status, r.body)
	}
}

func TestCustomClockExpiresTokens(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	s := startServer(t, func(c *Config) {
		c.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	})
	tok := getToken(t, s)
	h := map[string]string{"Authorization": "Bearer " + tok, "ST-App-Key": testAppKey}
	if r := getJobs(t, s.URL(), testTenant, h); r.status != 200 {
		t.Fatalf("fresh token: %d", r.status)
	}
	mu.Lock()
	now = now.Add(900 * time.Second)
	mu.Unlock()
	if r := getJobs(t, s.URL(), testTenant, h); r.status != 401 {
		t.Errorf("token at exp: %d, want 401", r.status)
	}
	if _, err := s.VerifyToken(tok); !errors.Is(err, ErrTokenExpired) {
		t.Errorf("VerifyToken err %v", err)
	}
}

func TestFaultsConsumedInOrder(t *testing.T) {
	s := startServer(t, nil)
	s.InjectTokenFaults(
		Fault{Status: 503, Headers: map[string]string{"Retry-After": "2"}, Body: `{"error":"temporarily_unavailable"}`},
		Fault{Status: 502, Body: HTMLBody, ContentType: "text/html"},
		Fault{Status: 200, Body: TruncatedJSON()},
		Fault{Status: 200, Body: MissingAccessTokenBody},
		Fault{Status: 429},
		Fault{Headers: map[string]string{"X-Stand-In": "passed-through"}},
	)
	if s.Stats().PendingFaults != 6 {
		t.Fatalf("PendingFaults %d", s.Stats().PendingFaults)
	}
	check := func(status int, ct string, hdr, val string, bodyCheck func([]byte) bool) {
		t.Helper()
		r := postToken(t, s.URL(), goodForm())
		if r.status != status {
			t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
		}
		if ct != "" && r.header.Get("Content-Type") != ct {
			t.Errorf("Content-Type %q, want %q", r.header.Get("Content-Type"), ct)
		}
		if hdr != "" && r.header.Get(hdr) != val {
			t.Errorf("%s = %q, want %q", hdr, r.header.Get(hdr), val)
		}
		if bodyCheck != nil && !bodyCheck(r.body) {
			t.Errorf("unexpected body %q", r.body)
		}
	}
	check(503, "application/json", "Retry-After", "2", func(b []byte) bool { return string(b) == `{"error":"temporarily_unavailable"}` })
	check(502, "text/html", "", "", func(b []byte) bool { return strings.Contains(string(b), "502 Bad Gateway") })
	check(200, "application/json", "", "", func(b []byte) bool { return !json.Valid(b) && strings.HasPrefix(string(b), `{"access_token":"ey`) })
	check(200, "application/json", "", "", func(b []byte) bool { return string(b) == MissingAccessTokenBody })
	check(429, "", "", "", func(b []byte) bool { return len(b) == 0 })
	check(200, "", "X-Stand-In", "passed-through", func(b []byte) bool { return jsonField(t, b, "access_token") != nil })
	check(200, "", "", "", func(b []byte) bool { return jsonField(t, b, "access_token") != nil })

	if st := s.Stats(); st.TokenRequests != 7 || st.TokensIssued != 2 || st.PendingFaults != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestLatencyAndDelay(t *testing.T) {
	s := startServer(t, func(c *Config) { c.Latency = 80 * time.Millisecond })
	start := time.Now()
	getToken(t, s)
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("configured latency: answered after %s", d)
	}

	s.SetLatency(0)
	s.InjectTokenFaults(Fault{Delay: 100 * time.Millisecond})
	start = time.Now()
	getToken(t, s)
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("delay fault: answered after %s", d)
	}

	// A client deadline must cut the wait short, and the server must then
	// answer the next request normally.
	s.SetLatency(5 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+"/connect/token", strings.NewReader(goodForm().Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	start = time.Now()
	if resp, err := httpClient.Do(req); err == nil {
		drain(resp)
		t.Fatal("expected the client deadline to fire")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancelled request took %s", d)
	}
	s.SetLatency(0)
	getToken(t, s)
}

func TestHangEndsWhenClientGivesUp(t *testing.T) {
	s := startServer(t, nil)
	s.InjectTokenFaults(Fault{Hang: true})
	c := &http.Client{Timeout: 150 * time.Millisecond}
	start := time.Now()
	resp, err := c.PostForm(s.URL()+"/connect/token", goodForm())
	if err == nil {
		drain(resp)
		t.Fatal("hang fault answered")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("hang outlived the client timeout: %s", d)
	}
	if !s.LastTokenRequest().SecretMatched {
		t.Error("hung request was not recorded on arrival")
	}
	getToken(t, s)
}

func TestCloseUnblocksHang(t *testing.T) {
	for _, f := range []Fault{{Hang: true}, {Delay: time.Hour}} {
		s := startServer(t, nil)
		s.InjectTokenFaults(f)
		errc := make(chan error, 1)
		go func() {
			resp, err := httpClient.PostForm(s.URL()+"/connect/token", goodForm())
			if err != nil {
				errc <- nil // the connection was aborted, as it should be
				return
			}
			drain(resp)
			errc <- errors.New("got a response: " + resp.Status)
		}()
		waitFor(t, func() bool { return s.TokenRequests() == 1 })
		start := time.Now()
		s.Close()
		if d := time.Since(start); d > time.Second {
			t.Errorf("Close took %s", d)
		}
		select {
		case err := <-errc:
			if err != nil {
				t.Errorf("fault %+v: %v (Close must abort, not answer)", f, err)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("client still blocked after Close")
		}
	}
}

// drain lets the transport reuse the connection; errors are irrelevant here.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestConcurrentRequests(t *testing.T) {
	s := startServer(t, nil)
	const n, faults = 50, 10
	tok := getToken(t, s)
	s.Reset()
	for range faults {
		s.InjectTokenFaults(Fault{Status: 503, Headers: map[string]string{"Retry-After": "1"}})
	}
	var wg sync.WaitGroup
	statuses := make(chan int, 2*n)
	for range n {
		wg.Go(func() {
			resp, err := httpClient.PostForm(s.URL()+"/connect/token", goodForm())
			if err != nil {
				t.Error(err)
				return
			}
			drain(resp)
			statuses <- resp.StatusCode
			_ = s.LastTokenRequest()
		})
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, s.URL()+"/jpm/v2/tenant/"+testTenant+"/jobs", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("ST-App-Key", testAppKey)
			resp, err := httpClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			drain(resp)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("jobs status %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for st := range statuses {
		count[st]++
	}
	if count[503] != faults || count[200] != n-faults {
		t.Errorf("statuses %v", count)
	}
	if st := s.Stats(); st.TokenRequests != n || st.TokensIssued != n-faults || st.APIRequests != n || st.PendingFaults != 0 {
		t.Errorf("stats %+v", st)
	}
	// Busy clients leave spare connections behind; Close must not wait them out.
	start := time.Now()
	s.Close()
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("Close took %s", d)
	}
}

func TestControlAPI(t *testing.T) {
	s := startServer(t, nil)
	ctl := func(method, path, body string) response {
		t.Helper()
		req, _ := http.NewRequest(method, s.URL()+"/_stand-in/"+path, strings.NewReader(body))
		return do(t, req)
	}
	stats := func(r response) Stats {
		t.Helper()
		if r.status != 200 {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		var st Stats
		if err := json.Unmarshal(r.body, &st); err != nil {
			t.Fatal(err)
		}
		return st
	}

	getToken(t, s)
	getJobs(t, s.URL(), testTenant, nil)
	if st := stats(ctl("GET", "stats", "")); st.TokenRequests != 1 || st.TokensIssued != 1 || st.APIRequests != 1 {
		t.Errorf("stats %+v", st)
	}

	faults := `[{"status":503,"headers":{"Retry-After":"3"},"body":"{\"error\":\"busy\"}"},
	            {"status":502,"preset":"html"},
	            {"delay_ms":30}]`
	if st := stats(ctl("POST", "faults", faults)); st.PendingFaults != 3 {
		t.Errorf("after faults %+v", st)
	}
	r := postToken(t, s.URL(), goodForm())
	if r.status != 503 || r.header.Get("Retry-After") != "3" || string(r.body) != `{"error":"busy"}` {
		t.Errorf("fault 1: %d %v %s", r.status, r.header, r.body)
	}
	r = postToken(t, s.URL(), goodForm())
	if r.status != 502 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || string(r.body) != HTMLBody {
		t.Errorf("fault 2: %d %v %s", r.status, r.header, r.body)
	}
	start := time.Now()
	if r = postToken(t, s.URL(), goodForm()); r.status != 200 || time.Since(start) < 30*time.Millisecond {
		t.Errorf("fault 3: %d after %s", r.status, time.Since(start))
	}

	if st := stats(ctl("POST", "latency?ms=40", "")); st.LatencyMS != 40 || s.Latency() != 40*time.Millisecond {
		t.Errorf("latency %+v", st)
	}
	s.InjectTokenFaults(Fault{Status: 500})
	if st := stats(ctl("POST", "reset", "")); st.TokenRequests != 0 || st.APIRequests != 0 || st.TokensIssued != 0 ||
		st.PendingFaults != 0 || st.LatencyMS != 40 {
		t.Errorf("after reset %+v", st)
	}
	if s.LastTokenRequest().ClientID != "" || s.LastIssuedToken() != "" {
		t.Error("reset kept the last request")
	}

	bad := []struct{ method, path, body string }{
		{"POST", "faults", `{"status":503}`},
		{"POST", "faults", `[{"status":42}]`},
		{"POST", "faults", `[{"delay":100}]`},
		{"POST", "faults", `[{"preset":"nope"}]`},
		{"POST", "faults", `[{"preset":"html","body":"x"}]`},
		{"POST", "faults", `[{"status":503},{"delay_ms":-1}]`},
		{"POST", "latency?ms=-5", ""},
		{"POST", "latency", ""},
	}
	for _, b := range bad {
		if r := ctl(b.method, b.path, b.body); r.status != 400 || jsonField(t, r.body, "error") == nil {
			t.Errorf("%s %s %s: %d %s", b.method, b.path, b.body, r.status, r.body)
		}
	}
	if s.Stats().PendingFaults != 0 {
		t.Error("a rejected fault list was partly queued")
	}
	for _, m := range []struct{ method, path string }{{"GET", "faults"}, {"GET", "reset"}, {"POST", "stats"}, {"GET", "latency?ms=1"}} {
		if r := ctl(m.method, m.path, ""); r.status != 405 {
			t.Errorf("%s %s: %d", m.method, m.path, r.status)
		}
	}
	if r := ctl("GET", "nope", ""); r.status != 404 {
		t.Errorf("unknown control endpoint: %d", r.status)
	}
	if st := s.Stats(); st.TokenRequests != 0 || st.APIRequests != 0 {
		t.Errorf("control requests were counted: %+v", st)
	}
}

func TestHandlerUnderHTTPTestTLS(t *testing.T) {
	s := New(testConfig())
	ts := httptest.NewTLSServer(s.Handler())
	t.Cleanup(ts.Close)
	t.Cleanup(s.Close) // runs first, so a hung handler cannot stall ts.Close
	c := ts.Client()
	resp, err := c.PostForm(ts.URL+"/connect/token", goodForm())
	if err != nil {
		t.Fatal(err)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
		t.Fatal(err)
	}
	drain(resp)
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/jpm/v2/tenant/"+testTenant+"/jobs", nil)
	req.Header.Set("Authorization", "Bearer "+tr.AccessToken)
	req.Header.Set("ST-App-Key", testAppKey)
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	drain(resp)
	if resp.StatusCode != http.StatusOK || s.URL() != "" {
		t.Errorf("jobs %d, URL %q", resp.StatusCode, s.URL())
	}
}

func TestStartAndLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:0", "127.0.0.1"} {
		if err := New(testConfig()).Start(addr); err == nil {
			t.Errorf("Start(%q) succeeded", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0", "localhost:0"} {
		if err := CheckLoopbackAddr(addr); err != nil {
			t.Errorf("CheckLoopbackAddr(%q): %v", addr, err)
		}
	}
	s := New(testConfig())
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") {
		t.Errorf("URL %q", s.URL())
	}
	if err := s.Start("127.0.0.1:0"); err == nil {
		t.Error("second Start succeeded")
	}
	s.Close()
	s.Close()
	if err := s.Start("127.0.0.1:0"); err == nil {
		t.Error("Start after Close succeeded")
	}
	if resp, err := httpClient.Get(s.URL() + "/_stand-in/stats"); err == nil {
		drain(resp)
		t.Error("server still answers after Close")
	}
}

func TestRequestLogOmitsSecrets(t *testing.T) {
	var buf syncBuffer
	s := startServer(t, func(c *Config) { c.Logger = log.New(&buf, "", 0) })
	tok := getToken(t, s)
	getJobs(t, s.URL(), testTenant, map[string]string{"Authorization": "Bearer " + tok, "ST-App-Key": testAppKey})
	// The line is written after the response, so it may trail the client.
	waitFor(t, func() bool { return strings.Contains(buf.String(), "GET /jpm/v2/tenant/1001/jobs 200") })
	out := buf.String()
	if !strings.Contains(out, "POST /connect/token 200") {
		t.Errorf("log lacks the token request:\n%s", out)
	}
	for _, secret := range []string{testSecret, testAppKey, tok} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains a credential:\n%s", out)
		}
	}
}

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
