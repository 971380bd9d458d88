package servicetitan

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// DefaultTokenLifetime is ServiceTitan's token lifetime, used when a response
// states none and the token's own exp claim cannot be read.
const DefaultTokenLifetime = 900 * time.Second

// maxTokenResponseSize bounds what is read from the token endpoint; a real
// answer is about 1.5 KiB.
const maxTokenResponseSize = 64 << 10

// Token is an access token issued by ServiceTitan's client-credentials grant.
// ServiceTitan issues no refresh tokens: a new token is simply requested.
type Token struct {
	// AccessToken is the bearer token (a JWT). Never log it.
	AccessToken string
	// TokenType is "Bearer".
	TokenType string
	// ExpiresIn is the lifetime the server granted.
	ExpiresIn time.Duration
	// Expiry is when the token stops working, by the local clock.
	Expiry time.Time
	// Scopes are the API scopes granted, such as "tn.jpm.jobs:r".
	Scopes []string
}

// String keeps the token out of any log line that formats a *Token.
func (t *Token) String() string {
	if t == nil {
		return "<nil>"
	}
	return fmt.Sprintf("Token(type=%s, expires=%s, scopes=%s, access_token=REDACTED)", t.TokenType, t.Expiry.UTC().Format(time.RFC3339), strings.Join(t.Scopes, " "))
}

// GoString does the same for %#v.
func (t *Token) GoString() string { return t.String() }

// AuthorizationHeader is the value of the Authorization header. The Bearer
// prefix is what ServiceTitan requires; servicepytan omitted it.
func (t *Token) AuthorizationHeader() string {
	typ := t.TokenType
	if typ == "" || strings.EqualFold(typ, "bearer") {
		typ = "Bearer"
	}
	return typ + " " + t.AccessToken
}

// TokenError is a token request that failed. Its message carries the HTTP
// status, the OAuth error code and description, and at most a short redacted
// excerpt of an unexpected body; never the client secret or a token.
type TokenError struct {
	// TokenURL is the endpoint that was asked.
	TokenURL string
	// StatusCode is the HTTP status of the last attempt, 0 if none arrived.
	StatusCode int
	// Code and Description are the OAuth "error" and "error_description".
	Code, Description string
	// Excerpt is a short, redacted start of an unexpected body.
	Excerpt string
	// Problem says what was wrong with a response that could not be used.
	Problem string
	// Attempts is how many requests were made.
	Attempts int
	// RetryAfter is the wait the server demanded when it was beyond the cap.
	RetryAfter time.Duration
	// Redirect is the scheme and host a 3xx answer pointed at ("" when it
	// named none). The redirect is never followed.
	Redirect string
	// Err is the underlying transport error, or a *StoppedError when the
	// caller's context ended first.
	Err error
	// Credentials says where the credentials and the environment came
	// from, for a rejection the user must fix at its source.
	Credentials string
	// History is each attempt's answer and the wait that followed it.
	History []string
	// URLSource says where the token URL came from, for a connection that
	// failed.
	URLSource string
}

func (e *TokenError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ServiceTitan token request to %s failed", RedactURL(e.TokenURL))
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.StatusCode)
		if text := http.StatusText(e.StatusCode); text != "" {
			b.WriteString(" " + text)
		}
	}
	if e.Code != "" {
		fmt.Fprintf(&b, ": %s", e.Code)
		if e.Description != "" {
			fmt.Fprintf(&b, " (%s)", e.Description)
		}
	}
	if e.StatusCode >= 300 && e.StatusCode < 400 {
		if e.Redirect != "" {
			fmt.Fprintf(&b, ": the server redirected to %s", e.Redirect)
		} else {
			b.WriteString(": the server answered with a redirect")
		}
		b.WriteString(", which is never followed so that the client secret goes to the configured token URL only")
	}
	if e.Problem != "" {
		fmt.Fprintf(&b, ": %s", e.Problem)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Excerpt != "" {
		fmt.Fprintf(&b, "; the body began %q", e.Excerpt)
	}
	if e.URLSource != "" {
		fmt.Fprintf(&b, " (the auth root URL is %s)", e.URLSource)
	}
	b.WriteString(AttemptsText(e.Attempts, e.History))
	if hint := e.hint(); hint != "" {
		b.WriteString(". ")
		b.WriteString(hint)
	}
	return b.String()
}

func (e *TokenError) Unwrap() error { return e.Err }

// AttemptsText is " (after N attempts: what each got, and the waits)", or
// nothing for one attempt.
func AttemptsText(n int, history []string) string {
	switch {
	case n <= 1:
		return ""
	case len(history) > 1:
		return fmt.Sprintf(" (after %d attempts: %s)", n, strings.Join(history, "; "))
	}
	return fmt.Sprintf(" (after %d attempts)", n)
}

func (e *TokenError) hint() string {
	switch {
	case e.Code == "invalid_client" && e.Credentials != "":
		return "Check client_id and client_secret: they must be the credentials of this app's installation on the tenant, for the environment being used (" + e.Credentials + ")"
	case e.Code == "invalid_client":
		return "Check client_id and client_secret: they must be the credentials of this app's installation on the tenant, for the environment being used"
	case e.Code == "unauthorized_client" || e.Code == "invalid_scope":
		return "The app's installation on the tenant does not allow this; check the app's scopes and that it is installed on the tenant"
	case e.RetryAfter > 0:
		return "Try again later"
	case e.StatusCode >= 300 && e.StatusCode < 400:
		return "Check auth_root_url: it must be the auth root itself (such as https://auth.servicetitan.io), not an address that redirects"
	}
	return ""
}

// tokenResponse is the JSON ServiceTitan sends back.
type tokenResponse struct {
	AccessToken      string          `json:"access_token"`
	TokenType        string          `json:"token_type"`
	ExpiresIn        json.RawMessage `json:"expires_in"`
	Scope            string          `json:"scope"`
	Error            string          `json:"error"`
	ErrorDescription string          `json:"error_description"`
}

// ParseTokenResponse turns a token endpoint's answer into a Token, or into a
// *TokenError that says what was wrong. now is the local time the response
// arrived; expires_in is counted from it. When expires_in is missing the
// JWT's exp claim is the expiry, and failing that ServiceTitan's 900 s.
func ParseTokenResponse(status int, contentType string, body []byte, now time.Time) (*Token, error) {
	var r tokenResponse
	jsonErr := json.Unmarshal(body, &r)

	if status != http.StatusOK {
		e := &TokenError{StatusCode: status}
		if jsonErr == nil && r.Error != "" {
			e.Code, e.Description = CleanText(r.Error, 64), CleanText(r.ErrorDescription, 200)
		} else {
			e.Excerpt = Excerpt(body)
		}
		return nil, e
	}
	if jsonErr != nil {
		e := &TokenError{StatusCode: status, Excerpt: Excerpt(body)}
		mt, _, _ := mime.ParseMediaType(contentType)
		switch {
		case mt == "text/html" || looksHTML(body):
			e.Problem = "the response is an HTML page, not a JSON token (a proxy or gateway answered instead of ServiceTitan?)"
		case len(strings.TrimSpace(string(body))) == 0:
			e.Problem = "the response body is empty"
		default:
			e.Problem = "the response is not valid JSON (" + jsonProblem(jsonErr) + ")"
		}
		return nil, e
	}
	if r.Error != "" {
		return nil, &TokenError{StatusCode: status, Code: CleanText(r.Error, 64), Description: CleanText(r.ErrorDescription, 200)}
	}
	if r.AccessToken == "" {
		return nil, &TokenError{StatusCode: status, Problem: "the response has no access_token", Excerpt: Excerpt(body)}
	}
	if r.TokenType != "" && !strings.EqualFold(r.TokenType, "bearer") {
		return nil, &TokenError{StatusCode: status, Problem: fmt.Sprintf("unsupported token_type %q; ServiceTitan issues Bearer tokens", CleanText(r.TokenType, 32))}
	}

	claims := decodeJWTClaims(r.AccessToken)
	lifetime, ok := parseExpiresIn(r.ExpiresIn)
	expiry := now.Add(lifetime)
	if !ok {
		// The exp claim is the moment the token stops working; counting
		// exp − iat from now would stretch it by however old the token
		// already is when it arrives.
		lifetime, expiry = DefaultTokenLifetime, now.Add(DefaultTokenLifetime)
		if exp := time.Unix(claims.Exp, 0); claims.Exp > 0 && exp.After(now) {
			lifetime, expiry = exp.Sub(now), exp
		}
	}

	scopes := strings.Fields(r.Scope)
	if len(scopes) == 0 {
		scopes = claims.scopes()
	}
	if scopes == nil {
		scopes = []string{}
	}
	return &Token{
		AccessToken: r.AccessToken,
		TokenType:   "Bearer",
		ExpiresIn:   lifetime,
		Expiry:      expiry,
		Scopes:      scopes,
	}, nil
}

func parseExpiresIn(raw json.RawMessage) (time.Duration, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, false
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		// Some gateways quote numbers.
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0, false
		}
		n = json.Number(s)
	}
	f, err := n.Float64()
	if err != nil || f <= 0 || f > 365*24*3600 {
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}

type jwtClaims struct {
	Exp   int64           `json:"exp"`
	Scope json.RawMessage `json:"scope"`
}

func (c jwtClaims) scopes() []string {
	var list []string
	if json.Unmarshal(c.Scope, &list) == nil {
		return list
	}
	var s string
	if json.Unmarshal(c.Scope, &s) == nil {
		return strings.Fields(s)
	}
	return nil
}

// decodeJWTClaims reads a JWT's payload without verifying it: the client
// only needs the expiry and scopes, and the server verifies on every call.
func decodeJWTClaims(tok string) jwtClaims {
	var c jwtClaims
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return c
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return c
	}
	_ = json.Unmarshal(payload, &c)
	return c
}

func jsonProblem(err error) string {
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn) && syn.Error() == "unexpected end of JSON input":
		return "it ends early: truncated"
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return "expected a JSON object, got " + typ.Value
	}
	if err.Error() == "unexpected end of JSON input" {
		return "it ends early: truncated"
	}
	return "unreadable"
}

// NotJSONProblem says what a body that should be JSON is instead: an HTML
// page (a gateway answered), nothing, or JSON that does not parse.
func NotJSONProblem(contentType string, body []byte) string {
	switch {
	case strings.HasPrefix(contentType, "text/html") || looksHTML(body):
		return "the response is an HTML page, not JSON (a proxy or gateway answered instead of ServiceTitan?)"
	case len(bytes.TrimSpace(body)) == 0:
		return "the response body is empty"
	}
	var v any
	return "the response is not valid JSON (" + jsonProblem(json.Unmarshal(body, &v)) + ")"
}

func looksHTML(body []byte) bool {
	s := strings.ToLower(strings.TrimSpace(string(body[:min(len(body), 512)])))
	return strings.HasPrefix(s, "<!doctype html") || strings.HasPrefix(s, "<html") || strings.Contains(s, "<body")
}

// authRootSource says where the auth root URL came from: its override's
// source, or the environment's.
func (c *Config) authRootSource() string {
	if src := c.sources[SettingAuthRootURL.Name]; src.Kind != SourceUnset {
		return "auth_root_url from " + src.String()
	}
	return fmt.Sprintf("the %s environment's, environment from %s", c.environment, c.sources[SettingEnvironment.Name])
}

// RequestAuthToken asks ServiceTitan for a new token with the client
// credentials grant (request_auth_token). It does not cache: use
// Config.AuthToken, which does. Each attempt follows the retry policy
// (retry.go): bounded by request_timeout, retried up to max_retries, never
// redirected.
func RequestAuthToken(ctx context.Context, c *Config) (*Token, error) {
	if err := c.tokenCredentials(); err != nil {
		return nil, err
	}
	return c.fetchToken(ctx)
}

// fetchToken is the uncached request with the secret scrubbed from errors.
func (c *Config) fetchToken(ctx context.Context) (*Token, error) {
	tok, err := c.requestToken(ctx)
	if err != nil {
		var te *TokenError
		if errors.As(err, &te) && te.Code == "invalid_client" {
			te.Credentials = fmt.Sprintf("client_id from %s, client_secret from %s, environment %q from %s",
				c.sources[SettingClientID.Name], c.sources[SettingClientSecret.Name], c.environment, c.sources[SettingEnvironment.Name])
		}
		return nil, redactError(err, c.clientSecret)
	}
	return tok, nil
}

func (c *Config) requestToken(ctx context.Context) (*Token, error) {
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {c.clientID},
		"client_secret": {c.clientSecret},
	}
	if c.enterpriseHub {
		form.Set("tenant", c.tenantID)
	}
	tokenURL := c.TokenURL()
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, &TokenError{TokenURL: tokenURL, Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.opts.UserAgent)

	p := c.RetryPolicy(ctx, "token")
	client := p.Client(func(attempt int) {
		c.opts.Log(ctx, "requesting ServiceTitan token", map[string]any{
			"token_url": RedactURL(tokenURL), "client_id": c.clientID, "attempt": attempt, "enterprise_hub": c.enterpriseHub,
		})
	})

	resp, err := client.Do(req)
	attempts := p.Attempts()
	if err != nil {
		if resp != nil {
			_ = resp.Body.Close()
		}
		if ctx.Err() != nil {
			return nil, &TokenError{TokenURL: tokenURL, Attempts: attempts, Err: StopError(ctx)}
		}
		var ra *RetryAfterError
		if errors.As(err, &ra) {
			return nil, &TokenError{TokenURL: tokenURL, StatusCode: ra.StatusCode, Attempts: attempts, History: p.History(), RetryAfter: ra.Wait, Problem: ra.Error()}
		}
		return nil, &TokenError{TokenURL: tokenURL, Attempts: attempts, History: p.History(), Err: DescribeTransportError(err, c.requestTimeout), URLSource: c.authRootSource()}
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return nil, &TokenError{TokenURL: tokenURL, StatusCode: resp.StatusCode, Attempts: attempts, Redirect: RedirectTarget(resp)}
	}

	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponseSize))
	if err != nil {
		if ctx.Err() != nil {
			return nil, &TokenError{TokenURL: tokenURL, StatusCode: resp.StatusCode, Attempts: attempts, Err: StopError(ctx)}
		}
		return nil, &TokenError{TokenURL: tokenURL, StatusCode: resp.StatusCode, Attempts: attempts, Problem: "reading the response failed", Err: DescribeTransportError(err, c.requestTimeout)}
	}
	tok, err := ParseTokenResponse(resp.StatusCode, resp.Header.Get("Content-Type"), body, c.opts.Now())
	if err != nil {
		var te *TokenError
		if errors.As(err, &te) {
			te.TokenURL, te.Attempts, te.History = tokenURL, attempts, p.History()
		}
		return nil, err
	}
	c.opts.Log(ctx, "received ServiceTitan token", map[string]any{
		"token_url": RedactURL(tokenURL), "expires_in_seconds": int64(tok.ExpiresIn / time.Second), "scopes": strings.Join(tok.Scopes, " "), "attempts": attempts,
	})
	return tok, nil
}
