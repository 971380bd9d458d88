package fakeservicetitan

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

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

func TestEnterpriseHubTenantGroup(t *testing.T) {
	s := startServer(t, func(c *Config) {
		c.Clients = append(c.Clients, Client{ID: "group", Secret: "group-secret", Tenants: []string{"3001", "3002"}})
	})
	form := func(tenant string) url.Values {
		f := url.Values{"grant_type": {"client_credentials"}, "client_id": {"group"}, "client_secret": {"group-secret"}}
		if tenant != "" {
			f.Set("tenant", tenant)
		}
		return f
	}
	tokens := map[string]string{}
	for _, tenant := range []string{"3001", "3002"} {
		tok := tokenFor(t, s, form(tenant))
		if p := decodePayload(t, tok); p["tenant"] != tenant {
			t.Errorf("token asked for %s has tenant claim %v", tenant, p["tenant"])
		}
		tokens[tenant] = tok
	}
	for _, tt := range []struct{ token, path string }{{"3001", "3001"}, {"3002", "3002"}} {
		if r := getJobs(t, s.URL(), tt.path, map[string]string{"Authorization": "Bearer " + tokens[tt.token], "ST-App-Key": testAppKey}); r.status != 200 {
			t.Errorf("token for %s on its tenant: %d %s", tt.token, r.status, r.body)
		}
	}
	if r := getJobs(t, s.URL(), "3001", map[string]string{"Authorization": "Bearer " + tokens["3002"], "ST-App-Key": testAppKey}); r.status != 403 {
		t.Errorf("token for 3002 on 3001: %d, want 403: one token serves one tenant of the group", r.status)
	}
	for _, tenant := range []string{"3003", ""} {
		r := postToken(t, s.URL(), form(tenant))
		if r.status != 400 || jsonField(t, r.body, "error") != "invalid_request" {
			t.Errorf("tenant %q outside the group: %d %s", tenant, r.status, r.body)
		}
	}

	var got [][2]string
	for _, tr := range s.TokenRequestLog() {
		got = append(got, [2]string{tr.ClientID, tr.Tenant})
		if tr.Form.Has("client_secret") {
			t.Error("the log holds a secret")
		}
	}
	want := [][2]string{{"group", "3001"}, {"group", "3002"}, {"group", "3003"}, {"group", ""}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("TokenRequestLog (client, tenant) %v, want %v", got, want)
	}
}

func TestTokenRequestLogIsACopyAndBounded(t *testing.T) {
	s := startServer(t, nil)
	getToken(t, s)
	log := s.TokenRequestLog()
	log[0].Form.Set("client_id", "changed")
	if s.TokenRequestLog()[0].Form.Get("client_id") != "cid" {
		t.Error("changing the returned log changed the server's")
	}
	for i := range maxTokenLog + 5 {
		s.record(httptestRequest(strconv.Itoa(i)), false)
	}
	log = s.TokenRequestLog()
	if len(log) != maxTokenLog || log[0].ClientID != "5" || log[len(log)-1].ClientID != strconv.Itoa(maxTokenLog+4) {
		t.Errorf("log of %d from %q to %q, want the last %d", len(log), log[0].ClientID, log[len(log)-1].ClientID, maxTokenLog)
	}
	s.Reset()
	if len(s.TokenRequestLog()) != 0 {
		t.Error("Reset kept the log")
	}
}

func httptestRequest(clientID string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/connect/token", nil)
	r.PostForm = url.Values{"client_id": {clientID}}
	return r
}
