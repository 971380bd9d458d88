package servicetitan_test

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

func TestTokenRequestAsServiceTitanExpectsIt(t *testing.T) {
	srv := standIn(t)
	conn := connectTo(t, srv, servicetitan.Input{}, fastOptions())
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
	srv := standIn(t, func(c *fakeservicetitan.Config) {
		c.Clients = []fakeservicetitan.Client{{ID: "id with space", Secret: secret, Tenant: testTenant}}
	})
	conn := connectTo(t, srv, servicetitan.Input{ClientID: "id with space", ClientSecret: secret}, fastOptions())
	if _, err := conn.AuthToken(t.Context()); err != nil {
		t.Fatalf("secret with reserved characters rejected: %v", err)
	}
}

func TestEnterpriseHubSendsTenant(t *testing.T) {
	srv := standIn(t, func(c *fakeservicetitan.Config) {
		c.Clients = []fakeservicetitan.Client{{ID: testClientID, Secret: testSecret, Tenant: testTenant, EnterpriseHub: true}}
	})
	plain := connectTo(t, srv, servicetitan.Input{}, fastOptions())
	if _, err := plain.AuthToken(t.Context()); err == nil {
		t.Fatal("the stand-in should insist on tenant for an Enterprise Hub app")
	}
	hub := true
	conn := connectTo(t, srv, servicetitan.Input{EnterpriseHub: &hub}, fastOptions())
	if _, err := conn.AuthToken(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := srv.LastTokenRequest().Tenant; got != testTenant {
		t.Errorf("tenant sent %q, want %q", got, testTenant)
	}
}

func TestAuthHeadersWorkAgainstTheAPI(t *testing.T) {
	srv := standIn(t)
	conn := connectTo(t, srv, servicetitan.Input{}, fastOptions())
	headers, err := conn.AuthHeaders(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(headers["Authorization"], "Bearer ") || headers["ST-App-Key"] != testAppKey || len(headers) != 2 {
		t.Fatalf("headers %v", redactHeaders(headers))
	}
	url, err := conn.APIURL("jpm", "jobs")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("jobs route answered %d to our headers", resp.StatusCode)
	}
}

func redactHeaders(h map[string]string) map[string]int {
	out := map[string]int{}
	for k, v := range h {
		out[k] = len(v)
	}
	return out
}

func TestFaults(t *testing.T) {
	for _, tc := range []struct {
		name         string
		faults       []fakeservicetitan.Fault
		in           servicetitan.Input
		opts         func(*servicetitan.Options)
		wantRequests int
		wantErr      []string // empty: success
		wantOnce     []string // said exactly once in the message
		minElapsed   time.Duration
		// bound is how long the case may take before it is failed with
		// boundWhy instead of waiting for Go's test timeout.
		bound    time.Duration
		boundWhy string
	}{
		{
			name:         "400 invalid_client is not retried",
			faults:       []fakeservicetitan.Fault{{Status: 400, Body: `{"error":"invalid_client","error_description":"Client authentication failed"}`}},
			wantRequests: 1,
			wantErr:      []string{"HTTP 400", "invalid_client", "Client authentication failed", "Check client_id and client_secret"},
		},
		{
			name:         "wrong secret rejected by the server",
			in:           servicetitan.Input{ClientSecret: "not-the-secret-at-all"},
			wantRequests: 1,
			wantErr:      []string{"invalid_client"},
		},
		{
			name:         "503 twice then success",
			faults:       []fakeservicetitan.Fault{{Status: 503}, {Status: 503}},
			wantRequests: 3,
		},
		{
			name:         "500 502 504 then success",
			faults:       []fakeservicetitan.Fault{{Status: 500}, {Status: 502}, {Status: 504}},
			wantRequests: 4,
		},
		{
			name:         "429 with Retry-After 2 is waited",
			faults:       []fakeservicetitan.Fault{{Status: 429, Headers: map[string]string{"Retry-After": "2"}, Body: `{"error":"too_many_requests"}`}},
			wantRequests: 2,
			minElapsed:   2 * time.Second,
		},
		{
			name:         "Retry-After as an HTTP date",
			faults:       []fakeservicetitan.Fault{{Status: 503, Headers: map[string]string{"Retry-After": "DATE+2s"}}},
			wantRequests: 2,
			minElapsed:   time.Second, // HTTP dates have one-second resolution
		},
		{
			name:         "Retry-After beyond the cap fails at once",
			faults:       []fakeservicetitan.Fault{{Status: 429, Headers: map[string]string{"Retry-After": "3600"}}},
			wantRequests: 1,
			wantErr:      []string{"HTTP 429", "asked to wait 1h0m0s", "more than the 30s", "Try again later"},
			wantOnce:     []string{"asked to wait", "1h0m0s"},
			bound:        5 * time.Second,
			boundWhy:     "the Retry-After cap was not applied: the client waited instead of failing at once",
		},
		{
			name:         "retries exhausted report the last status",
			faults:       []fakeservicetitan.Fault{{Status: 503}, {Status: 503}, {Status: 503}},
			in:           servicetitan.Input{MaxRetries: ptr(int64(2))},
			wantRequests: 3,
			wantErr:      []string{"HTTP 503", "after 3 attempts"},
		},
		{
			name:         "403 is final",
			faults:       []fakeservicetitan.Fault{{Status: 403, Body: `{"error":"unauthorized_client"}`}},
			wantRequests: 1,
			wantErr:      []string{"HTTP 403", "unauthorized_client"},
		},
		{
			name:         "hung server is cut by the timeout",
			faults:       []fakeservicetitan.Fault{{Hang: true}},
			in:           servicetitan.Input{RequestTimeout: "300ms", MaxRetries: ptr(int64(0))},
			wantRequests: 1,
			wantErr:      []string{"no response within the request timeout of 300ms", "request_timeout"},
		},
		{
			name:         "hung server then success on retry",
			faults:       []fakeservicetitan.Fault{{Hang: true}},
			in:           servicetitan.Input{RequestTimeout: "300ms"},
			wantRequests: 2,
		},
		{
			name:         "HTML body",
			faults:       []fakeservicetitan.Fault{{Status: 200, ContentType: "text/html", Body: fakeservicetitan.HTMLBody}},
			in:           servicetitan.Input{MaxRetries: ptr(int64(0))},
			wantRequests: 1,
			wantErr:      []string{"HTTP 200", "HTML page", "the body began"},
		},
		{
			name:         "HTML 502 from a gateway is retried",
			faults:       []fakeservicetitan.Fault{{Status: 502, ContentType: "text/html", Body: fakeservicetitan.HTMLBody}},
			wantRequests: 2,
		},
		{
			name:         "truncated JSON",
			faults:       []fakeservicetitan.Fault{{Status: 200, Body: fakeservicetitan.TruncatedJSON()}},
			wantRequests: 1,
			wantErr:      []string{"not valid JSON", "truncated"},
		},
		{
			name:         "missing access_token",
			faults:       []fakeservicetitan.Fault{{Status: 200, Body: fakeservicetitan.MissingAccessTokenBody}},
			wantRequests: 1,
			wantErr:      []string{"no access_token"},
		},
		{
			name:         "a server echoing the secret is redacted",
			faults:       []fakeservicetitan.Fault{{Status: 400, Body: `{"error":"invalid_request","error_description":"bad client_secret ` + testSecret + `"}`}},
			wantRequests: 1,
			wantErr:      []string{"invalid_request", "[REDACTED]"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := standIn(t)
			for _, f := range tc.faults {
				if f.Headers["Retry-After"] == "DATE+2s" {
					// An HTTP date must be computed when the case runs.
					f.Headers = map[string]string{"Retry-After": time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat)}
				}
				srv.InjectTokenFaults(f)
			}
			opts := fastOptions()
			if tc.opts != nil {
				tc.opts(&opts)
			}
			conn := connectTo(t, srv, tc.in, opts)
			bound := cmp.Or(tc.bound, 15*time.Second)
			ctx, cancel := context.WithTimeout(t.Context(), bound)
			defer cancel()
			start := time.Now()
			tok, err := conn.AuthToken(ctx)
			elapsed := time.Since(start)
			if ctx.Err() != nil {
				t.Fatalf("no answer within %s: %s", bound, cmp.Or(tc.boundWhy, "the client kept waiting"))
			}
			if got := srv.TokenRequests(); got != tc.wantRequests {
				t.Errorf("token requests = %d, want %d", got, tc.wantRequests)
			}
			if elapsed < tc.minElapsed {
				t.Errorf("returned after %s, before the %s the server asked to wait", elapsed, tc.minElapsed)
			}
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if tok.AccessToken != srv.LastIssuedToken() {
					t.Error("token is not the one the server issued")
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			wantContains(t, err.Error(), tc.wantErr...)
			for _, w := range tc.wantOnce {
				if n := strings.Count(err.Error(), w); n != 1 {
					t.Errorf("%q appears %d times in %q, want once", w, n, err)
				}
			}
			wantContains(t, err.Error(), srv.URL()+"/connect/token")
			mustNotLeak(t, err.Error(), srv.LastIssuedToken())
			if strings.Contains(err.Error(), "eyJ") {
				t.Errorf("error carries something JWT-shaped: %s", err)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestErrorExcerptIsShortAndRedacted(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
	body := `{"token_type":"Bearer","id":"` + jwt + `", "note":"` + strings.Repeat("x", 500) + `"}`
	srv := standIn(t)
	srv.InjectTokenFaults(fakeservicetitan.Fault{Status: 200, Body: body})
	conn := connectTo(t, srv, servicetitan.Input{}, fastOptions())
	_, err := conn.AuthToken(t.Context())
	if err == nil {
		t.Fatal("no error")
	}
	mustNotLeak(t, err.Error(), jwt, "eyJzdWIiOiIxMjM0NTY3ODkwIn0")
	if len(err.Error()) > 400 {
		t.Errorf("error is %d bytes long: %s", len(err.Error()), err)
	}
}

func TestFiftyConcurrentCallersShareOneRequest(t *testing.T) {
	srv := standIn(t, func(c *fakeservicetitan.Config) { c.Latency = 100 * time.Millisecond })
	conn := connectTo(t, srv, servicetitan.Input{}, fastOptions())
	var wg sync.WaitGroup
	tokens := make([]string, 50)
	errs := make([]error, 50)
	for i := range 50 {
		wg.Go(func() {
			tok, err := conn.AuthToken(t.Context())
			if err == nil {
				tokens[i] = tok.AccessToken
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i := range 50 {
		if errs[i] != nil || tokens[i] != tokens[0] {
			t.Fatalf("caller %d: %v (same token: %v)", i, errs[i], tokens[i] == tokens[0])
		}
	}
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("50 concurrent callers made %d token requests, want 1", n)
	}
	// And later callers are served from the cache.
	if _, err := conn.AuthHeaders(t.Context()); err != nil || srv.TokenRequests() != 1 {
		t.Errorf("cached call: %v, requests %d", err, srv.TokenRequests())
	}
}

func TestSeparateConnectionsHaveSeparateCaches(t *testing.T) {
	srv := standIn(t)
	a := connectTo(t, srv, servicetitan.Input{}, fastOptions())
	b := connectTo(t, srv, servicetitan.Input{}, fastOptions())
	for _, c := range []*servicetitan.Connection{a, b, a, b} {
		if _, err := c.AuthToken(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.TokenRequests(); n != 2 {
		t.Errorf("two connections made %d requests, want 2", n)
	}
}

// clock is a settable time source shared by the client and the stand-in.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func TestTokenNearExpiryIsRefreshed(t *testing.T) {
	clk := &clock{now: time.Now()}
	srv := standIn(t, func(c *fakeservicetitan.Config) { c.Now = clk.Now })
	opts := fastOptions()
	opts.Now = clk.Now
	conn := connectTo(t, srv, servicetitan.Input{}, opts)

	first, err := conn.AuthToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(900*time.Second - 61*time.Second) // 61 s left: still outside the 60 s margin
	again, _ := conn.AuthToken(t.Context())
	if again != first || srv.TokenRequests() != 1 {
		t.Fatalf("token with 61 s left was not reused (requests %d)", srv.TokenRequests())
	}
	clk.Advance(2 * time.Second) // 59 s left: inside the margin
	fresh, err := conn.AuthToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if fresh.AccessToken == first.AccessToken || srv.TokenRequests() != 2 {
		t.Fatalf("token with 59 s left was not refreshed (requests %d)", srv.TokenRequests())
	}
}

func TestShortLivedTokenUsesATenthAsMargin(t *testing.T) {
	clk := &clock{now: time.Now()}
	srv := standIn(t, func(c *fakeservicetitan.Config) { c.Now = clk.Now; c.TokenLifetime = 100 * time.Second })
	opts := fastOptions()
	opts.Now = clk.Now
	conn := connectTo(t, srv, servicetitan.Input{}, opts)
	if _, err := conn.AuthToken(t.Context()); err != nil {
		t.Fatal(err)
	}
	clk.Advance(85 * time.Second) // 15 s left of 100: more than a tenth
	_, _ = conn.AuthToken(t.Context())
	if srv.TokenRequests() != 1 {
		t.Fatalf("a 100 s token was refreshed with 15 s left")
	}
	clk.Advance(6 * time.Second) // 9 s left: less than a tenth
	_, _ = conn.AuthToken(t.Context())
	if srv.TokenRequests() != 2 {
		t.Fatalf("a 100 s token was not refreshed with 9 s left")
	}
}

func TestMissingExpiresInFallsBackToJWTExp(t *testing.T) {
	clk := &clock{now: time.Now()}
	srv := standIn(t, func(c *fakeservicetitan.Config) {
		c.OmitExpiresIn = true
		c.TokenLifetime = 300 * time.Second
		c.Now = clk.Now
	})
	opts := fastOptions()
	opts.Now = clk.Now
	conn := connectTo(t, srv, servicetitan.Input{}, opts)
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

func TestCancellationStopsWaitingAtOnce(t *testing.T) {
	srv := standIn(t)
	srv.InjectTokenFaults(fakeservicetitan.Fault{Status: 429, Headers: map[string]string{"Retry-After": "20"}})
	conn := connectTo(t, srv, servicetitan.Input{}, fastOptions())
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := conn.AuthToken(ctx)
		done <- err
	}()
	for srv.TokenRequests() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("still waiting out Retry-After after cancellation")
	}
	// The abandoned request is not remembered as a failure.
	srv.Reset()
	if _, err := conn.AuthToken(t.Context()); err != nil {
		t.Fatalf("after cancellation: %v", err)
	}
}

func TestRejectedCredentialsAreNotAskedAgain(t *testing.T) {
	srv := standIn(t)
	conn := connectTo(t, srv, servicetitan.Input{ClientSecret: "wrong-secret-value"}, fastOptions())
	for range 5 {
		if _, err := conn.AuthToken(t.Context()); err == nil {
			t.Fatal("wrong secret accepted")
		}
	}
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("5 callers after a rejection made %d requests, want 1", n)
	}
}

func TestRequestAuthTokenDoesNotCache(t *testing.T) {
	srv := standIn(t)
	conn := connectTo(t, srv, servicetitan.Input{}, fastOptions())
	for range 2 {
		if _, err := servicetitan.RequestAuthToken(t.Context(), conn); err != nil {
			t.Fatal(err)
		}
	}
	if srv.TokenRequests() != 2 {
		t.Errorf("requests %d, want 2", srv.TokenRequests())
	}
}

func TestTokenCacheSharesAcrossIdenticalConnections(t *testing.T) {
	srv := standIn(t)
	cache := servicetitan.NewTokenCache()
	opts := fastOptions()
	opts.Cache = cache
	a := connectTo(t, srv, servicetitan.Input{}, opts)
	b := connectTo(t, srv, servicetitan.Input{}, opts)                                   // same settings: shares a's token
	c := connectTo(t, srv, servicetitan.Input{ClientSecret: "other-secret-value"}, opts) // other credentials: its own
	for _, conn := range []*servicetitan.Connection{a, b, a, b} {
		if _, err := conn.AuthToken(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("identical connections sharing a cache made %d requests, want 1", n)
	}
	if _, err := c.AuthToken(t.Context()); err == nil || srv.TokenRequests() != 2 {
		t.Errorf("a connection with other credentials was served a shared token (requests %d, err %v)", srv.TokenRequests(), err)
	}
}
