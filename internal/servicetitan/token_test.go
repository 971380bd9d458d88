package servicetitan_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

func jwtWith(claims map[string]any) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	p, _ := json.Marshal(claims)
	return h + "." + base64.RawURLEncoding.EncodeToString(p) + ".c2lnbmF0dXJl"
}

func TestParseTokenResponse(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	jwt := jwtWith(map[string]any{"iat": now.Unix(), "exp": now.Unix() + 600, "scope": []string{"tn.jpm.jobs:r", "tn.crm.customers:r"}})
	for _, tc := range []struct {
		name, body  string
		status      int
		wantLife    time.Duration
		wantScopes  string
		wantErrPart string
	}{
		{name: "ServiceTitan's answer", status: 200, body: `{"access_token":"` + jwt + `","expires_in":900,"token_type":"Bearer","scope":"tn.jpm.jobs:r tn.crm.customers:r"}`,
			wantLife: 900 * time.Second, wantScopes: "tn.jpm.jobs:r tn.crm.customers:r"},
		{name: "no expires_in uses the JWT", status: 200, body: `{"access_token":"` + jwt + `","token_type":"Bearer"}`,
			wantLife: 600 * time.Second, wantScopes: "tn.jpm.jobs:r tn.crm.customers:r"},
		{name: "no expires_in: exp is the expiry, however old the token is", status: 200,
			body:     `{"access_token":"` + jwtWith(map[string]any{"iat": now.Unix() - 1000, "exp": now.Unix() + 600}) + `"}`,
			wantLife: 600 * time.Second},
		{name: "no expires_in and exp without iat", status: 200,
			body:     `{"access_token":"` + jwtWith(map[string]any{"exp": now.Unix() + 420}) + `"}`,
			wantLife: 420 * time.Second},
		{name: "no expires_in and an exp already past uses 900s", status: 200,
			body:     `{"access_token":"` + jwtWith(map[string]any{"exp": now.Unix() - 5}) + `"}`,
			wantLife: 900 * time.Second},
		{name: "no expires_in and opaque token uses 900s", status: 200, body: `{"access_token":"opaque","token_type":"bearer"}`,
			wantLife: 900 * time.Second},
		{name: "quoted expires_in", status: 200, body: `{"access_token":"opaque","expires_in":"120"}`, wantLife: 120 * time.Second},
		{name: "oauth error", status: 400, body: `{"error":"invalid_client"}`, wantErrPart: "HTTP 400 Bad Request: invalid_client"},
		{name: "error in a 200", status: 200, body: `{"error":"invalid_grant"}`, wantErrPart: "invalid_grant"},
		{name: "wrong token type", status: 200, body: `{"access_token":"x","token_type":"mac"}`, wantErrPart: `unsupported token_type "mac"`},
		{name: "empty body", status: 200, body: ``, wantErrPart: "empty"},
		{name: "JSON array", status: 200, body: `[1]`, wantErrPart: "expected a JSON object"},
		{name: "unexpected 500 text", status: 500, body: "upstream connect error", wantErrPart: `the body began "upstream connect error"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := servicetitan.ParseTokenResponse(tc.status, "application/json", []byte(tc.body), now)
			if tc.wantErrPart != "" {
				if err == nil {
					t.Fatalf("no error for %s", tc.body)
				}
				wantContains(t, err.Error(), tc.wantErrPart)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tok.ExpiresIn != tc.wantLife || !tok.Expiry.Equal(now.Add(tc.wantLife)) || strings.Join(tok.Scopes, " ") != tc.wantScopes {
				t.Errorf("got lifetime %s, expiry %s, scopes %q", tok.ExpiresIn, tok.Expiry, tok.Scopes)
			}
			if tok.AuthorizationHeader() != "Bearer "+tok.AccessToken {
				t.Errorf("Authorization header %q lacks the Bearer prefix", tok.AuthorizationHeader())
			}
		})
	}
}

// FuzzParseTokenResponse: whatever a server sends, parsing must not panic,
// must return exactly one of token or error, and an error must never quote a
// JWT-shaped value or run long.
func FuzzParseTokenResponse(f *testing.F) {
	f.Add(200, `{"access_token":"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE4MDAwMDA2MDB9.c2ln","expires_in":900,"token_type":"Bearer","scope":"tn.jpm.jobs:r"}`)
	f.Add(200, `{"access_token":"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE4MDAwMDA2MDB9.c2ln"}`)
	f.Add(400, `{"error":"invalid_client","error_description":"bad"}`)
	f.Add(200, `<html><body>502 Bad Gateway</body></html>`)
	f.Add(200, `{"access_token":"eyJhbGciOiJIUzI1NiJ9.eyJle`)
	f.Add(200, `{"token_type":"Bearer","expires_in":900}`)
	f.Add(429, ``)
	f.Add(200, `{"access_token":"x","expires_in":-5}`)
	f.Add(200, `{"access_token":"x","expires_in":1e308}`)
	f.Add(503, "\x00\xff\xfe")
	f.Fuzz(func(t *testing.T, status int, body string) {
		tok, err := servicetitan.ParseTokenResponse(status, "", []byte(body), time.Unix(1_800_000_000, 0))
		if (tok == nil) == (err == nil) {
			t.Fatalf("token %v and error %v", tok, err)
		}
		if err != nil {
			msg := err.Error()
			if !utf8.ValidString(msg) || len(msg) > 600 {
				t.Fatalf("error not short valid text (%d bytes): %q", len(msg), msg)
			}
			for _, part := range strings.FieldsFunc(body, func(r rune) bool {
				return !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.", r)
			}) {
				if strings.Count(part, ".") == 2 && len(part) >= 20 && !strings.HasPrefix(part, ".") && !strings.HasSuffix(part, ".") && !strings.Contains(part, "..") && strings.Contains(msg, part) {
					t.Fatalf("error quotes a JWT-shaped value: %q", msg)
				}
			}
			return
		}
		if tok.AccessToken == "" || tok.ExpiresIn <= 0 || tok.TokenType != "Bearer" {
			t.Fatalf("unusable token accepted: %v", tok)
		}
	})
}

// quotedString matches a JSON string, complete or cut off by the end of
// the data.
var quotedString = regexp.MustCompile(`"(?:[^"\\]|\\.)*"?`)

// However a token is formatted, in a log line or a debugging print, the
// access token stays out: %#v in particular does not go through String.
func TestTokenFormattingNeverShowsTheAccessToken(t *testing.T) {
	now := time.Now()
	jwt := jwtWith(map[string]any{"exp": now.Unix() + 900, "scope": "tn.jpm.jobs:r"})
	tok, err := servicetitan.ParseTokenResponse(200, "application/json", []byte(`{"access_token":"`+jwt+`","expires_in":900,"token_type":"Bearer"}`), now)
	if err != nil {
		t.Fatal(err)
	}
	payload := strings.Split(jwt, ".")[1]
	holder := struct{ Token *servicetitan.Token }{tok}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		for what, v := range map[string]any{"a *Token": tok, "a struct holding one": holder, "a slice of them": []*servicetitan.Token{tok}} {
			if got := fmt.Sprintf(format, v); strings.Contains(got, payload) {
				t.Errorf("%s of %s prints the access token: %s", format, what, got)
			}
		}
	}
}

// A gateway that answers with a huge page echoing the request and a token
// must not turn the error into that page: the user sees a short line that
// says what came back, without the secret or the token.
func TestUnexpectedBodyIsShortAndRedactedInTheError(t *testing.T) {
	now := time.Now()
	jwt := jwtWith(map[string]any{"exp": now.Unix() + 900})
	const echoedSecret = "gateway-echoed-client-secret-7f3a9c"
	body := `{"upstream":"token service unavailable","request":{"client_secret":"` + echoedSecret + `","access_token":"` + jwt + `"},"trace":"` +
		strings.Repeat("0123456789abcdef ", 100<<10/17) + `"}`
	if len(body) < 100<<10 {
		t.Fatalf("the body is %d bytes, want at least 100 KiB", len(body))
	}
	_, err := servicetitan.ParseTokenResponse(http.StatusBadGateway, "application/json", []byte(body), now)
	if err == nil {
		t.Fatal("a 502 produced a token")
	}
	msg := err.Error()
	if len(msg) >= 400 {
		t.Errorf("the error is %d bytes, want fewer than 400: %.300s...", len(msg), msg)
	}
	if strings.Contains(msg, echoedSecret) {
		t.Errorf("the error holds the client_secret the body echoed: %.300s", msg)
	}
	if strings.Contains(msg, strings.Split(jwt, ".")[1]) {
		t.Errorf("the error holds the token the body carried: %.300s", msg)
	}
	wantContains(t, msg, "HTTP 502", "token service unavailable")
}

func TestTokenRequestAsServiceTitanExpectsIt(t *testing.T) {
	srv := acctest.StandIn(t)
	conn := configFor(t, srv, servicetitan.Input{}, fastOptions())
	tok, err := servicetitan.RequestAuthToken(t.Context(), conn)
	if err != nil {
		t.Fatal(err)
	}
	got := srv.LastTokenRequest()
	if got.Method != http.MethodPost || got.ContentType != "application/x-www-form-urlencoded" || got.GrantType != "client_credentials" ||
		got.ClientID != testClientID || !got.SecretMatched || got.Tenant != "" || got.UserAgent != "core-test/1.0" {
		t.Errorf("token request as received: %+v", got)
	}
	if tok.TokenType != "Bearer" || tok.ExpiresIn != 900*time.Second || len(tok.Scopes) == 0 || tok.AccessToken != srv.LastIssuedToken() {
		t.Errorf("token %v (expires in %s, scopes %v)", tok, tok.ExpiresIn, tok.Scopes)
	}
	if d := time.Until(tok.Expiry); d < 890*time.Second || d > 900*time.Second {
		t.Errorf("expiry %s from now, want about 900s", d)
	}
	if strings.Contains(tok.String(), tok.AccessToken) {
		t.Error("Token.String prints the access token")
	}
}

func TestSecretIsPercentEncoded(t *testing.T) {
	secret := "a+b&c=d %e/é"
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) {
		c.Clients = []fakeservicetitan.Client{{ID: "id with space", Secret: secret, Tenant: testTenant}}
	})
	conn := configFor(t, srv, servicetitan.Input{"client_id": "id with space", "client_secret": secret}, fastOptions())
	if _, err := conn.AuthToken(t.Context()); err != nil {
		t.Fatalf("secret with reserved characters rejected: %v", err)
	}
}

func TestEnterpriseHubSendsTenant(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) {
		c.Clients = []fakeservicetitan.Client{{ID: testClientID, Secret: testSecret, Tenant: testTenant, EnterpriseHub: true}}
	})
	plain := configFor(t, srv, servicetitan.Input{}, fastOptions())
	if _, err := plain.AuthToken(t.Context()); err == nil {
		t.Fatal("the stand-in should insist on tenant for an Enterprise Hub app")
	}
	conn := configFor(t, srv, servicetitan.Input{"enterprise_hub": "true"}, fastOptions())
	if _, err := conn.AuthToken(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := srv.LastTokenRequest().Tenant; got != testTenant {
		t.Errorf("tenant sent %q, want %q", got, testTenant)
	}
}

func TestMissingExpiresInFallsBackToJWTExp(t *testing.T) {
	clk := acctest.NewClock(time.Now())
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) {
		c.OmitExpiresIn = true
		c.TokenLifetime = 300 * time.Second
		c.Now = clk.Now
	})
	opts := fastOptions()
	opts.Now = clk.Now
	conn := configFor(t, srv, servicetitan.Input{}, opts)
	tok, err := conn.AuthToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	claims, err := srv.VerifyToken(tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	// The exp claim is whole seconds, so the token has a fraction of a
	// second less than 300 s left by the time it arrives.
	exp := time.Unix(claims.Exp, 0)
	if !tok.Expiry.Equal(exp) || tok.ExpiresIn != exp.Sub(clk.Now()) {
		t.Errorf("expiry %s and lifetime %s, want the JWT's exp %s and %s", tok.Expiry, tok.ExpiresIn, exp, exp.Sub(clk.Now()))
	}
}

func TestRequestAuthTokenDoesNotCache(t *testing.T) {
	srv := acctest.StandIn(t)
	conn := configFor(t, srv, servicetitan.Input{}, fastOptions())
	for range 2 {
		if _, err := servicetitan.RequestAuthToken(t.Context(), conn); err != nil {
			t.Fatal(err)
		}
	}
	if srv.TokenRequests() != 2 {
		t.Errorf("requests %d, want 2", srv.TokenRequests())
	}
}
