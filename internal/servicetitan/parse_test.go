package servicetitan_test

import (
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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

// FuzzParseConfigFile: any file content yields values or an error, never a
// panic, and an error never quotes a value from the file.
func FuzzParseConfigFile(f *testing.F) {
	f.Add(`{"SERVICETITAN_CLIENT_ID":"c","SERVICETITAN_TENANT_ID":"1234","SERVICETITAN_API_ENVIRONMENT":"integration"}`)
	f.Add("\xef\xbb\xbf{\"SERVICETITAN_APP_KEY\":\"k\"}")
	f.Add(`{"SERVICETITAN_TENANT_ID":1234}`)
	f.Add(`{"SERVICETITAN_FOO":"bar"}`)
	f.Add("{\n\"SERVICETITAN_CLIENT_SECRET\": \"hunter2-secret\"\n,,}")
	f.Add(`{"SERVICETITAN_CLIENT_SECRET": "hunter2-secret" "SERVICETITAN_TENANT_ID": "1"}`)
	f.Add(`{"SERVICETITAN_CLIENT_SECRET": "hunter2-secret"`)
	f.Add(`{"SERVICETITAN_CLIENT_SECRET": "hunter2-secret", "SERVICETITAN_TENANT_ID": 12x}`)
	f.Add(`{"SERVICETITAN_APP_KEY": ["hunter2-secret"]}`)
	f.Add(`null`)
	f.Add(`[]`)
	f.Add(``)
	f.Fuzz(func(t *testing.T, data string) {
		values, warnings, err := servicetitan.ParseConfigFile([]byte(data))
		if err != nil {
			if values != nil || warnings != nil {
				t.Fatal("values returned with an error")
			}
			msg := err.Error()
			// A value long enough to be a credential must not be echoed,
			// whether the file is valid JSON or breaks right after it.
			for _, v := range fileValues(data) {
				if len(v) >= 8 && strings.Contains(msg, v) {
					t.Fatalf("error quotes a value from the file %q: %q", v, msg)
				}
			}
			return
		}
		for k := range values {
			if !strings.HasPrefix(k, "SERVICETITAN_") {
				t.Fatalf("unexpected key %q accepted", k)
			}
		}
	})
}

// quotedString matches a JSON string, complete or cut off by the end of
// the data.
var quotedString = regexp.MustCompile(`"(?:[^"\\]|\\.)*"?`)

// fileValues lists what a config file holds as values, read leniently so
// that a file with a syntax error still yields them: every quoted string that
// is not followed by a colon (a key), and every bare run of other text.
// Strings that also occur as keys, or are a known key's name, are left out:
// an error may name a key.
func fileValues(data string) []string {
	keys := map[string]bool{}
	for _, s := range servicetitan.Settings() {
		if s.FileKey != "" {
			keys[s.FileKey] = true
		}
	}
	var values []string
	for _, loc := range quotedString.FindAllStringIndex(data, -1) {
		raw := data[loc[0]:loc[1]]
		v := strings.TrimSuffix(strings.TrimPrefix(raw, `"`), `"`)
		var decoded string
		if json.Unmarshal([]byte(raw), &decoded) == nil {
			v = decoded
		}
		if strings.HasPrefix(strings.TrimLeft(data[loc[1]:], " \t\r\n"), ":") {
			keys[v] = true
			continue
		}
		values = append(values, v)
	}
	values = append(values, strings.FieldsFunc(quotedString.ReplaceAllString(data, " "), func(r rune) bool {
		return strings.ContainsRune(" \t\r\n{}[],:", r)
	})...)
	out := values[:0]
	for _, v := range values {
		known := false
		for k := range keys {
			if strings.Contains(k, v) {
				known = true
				break
			}
		}
		if !known {
			out = append(out, v)
		}
	}
	return out
}
