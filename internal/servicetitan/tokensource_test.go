package servicetitan_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// Two configurations with the same credentials but different retry budgets
// do not share a token source: the failure remembered for the one without
// retries is not served to the one whose retries succeed.
func TestSharedTokensKeepConfigurationsApart(t *testing.T) {
	srv := acctest.StandIn(t)
	opts := fastOptions()
	opts.SharedTokens = servicetitan.NewSharedTokens()
	noRetries := configFor(t, srv, servicetitan.Input{"max_retries": "0"}, opts)
	withRetries := configFor(t, srv, servicetitan.Input{"max_retries": "2"}, opts)
	otherTimeout := configFor(t, srv, servicetitan.Input{"max_retries": "0", "request_timeout": "10s"}, opts)

	srv.InjectTokenFaults(fakeservicetitan.Fault{Status: 503})
	if _, err := noRetries.AuthToken(t.Context()); err == nil {
		t.Fatal("a 503 with no retries produced a token")
	}
	if _, err := noRetries.AuthToken(t.Context()); err == nil || srv.TokenRequests() != 1 {
		t.Fatalf("the failure was not remembered for its own configuration (requests %d, err %v)", srv.TokenRequests(), err)
	}

	srv.InjectTokenFaults(fakeservicetitan.Fault{Status: 503})
	if _, err := withRetries.AuthToken(t.Context()); err != nil {
		t.Fatalf("a configuration whose retries succeed was served another's failure: %v", err)
	}
	if n := srv.TokenRequests(); n != 3 {
		t.Errorf("token requests = %d, want 3 (one failed, then a 503 and a success)", n)
	}
	if _, err := otherTimeout.AuthToken(t.Context()); err != nil {
		t.Fatalf("a configuration with another request_timeout was served another's failure: %v", err)
	}
}

// A failed request is remembered for FailureHold, not for ever.
func TestRememberedFailureEndsAfterItsHold(t *testing.T) {
	clk, srv, opts := clockedStandIn(t)
	opts.FailureHold = 2 * time.Minute
	conn := configFor(t, srv, servicetitan.Input{"client_secret": "wrong-secret-value"}, opts)

	for range 3 {
		if _, err := conn.AuthToken(t.Context()); err == nil {
			t.Fatal("wrong secret accepted")
		}
	}
	clk.Advance(2*time.Minute - time.Second)
	_, _ = conn.AuthToken(t.Context())
	if n := srv.TokenRequests(); n != 1 {
		t.Fatalf("%d requests within the hold, want 1", n)
	}
	clk.Advance(2 * time.Second)
	_, _ = conn.AuthToken(t.Context())
	if n := srv.TokenRequests(); n != 2 {
		t.Fatalf("%d requests once the hold had passed, want 2: the failure was remembered past its hold", n)
	}
}

// A refresh that fails while the previous token is still valid hands out
// that token; only a caller with no valid token gets the failure.
func TestFailedRefreshNeverHidesAValidToken(t *testing.T) {
	clk, srv, opts := clockedStandIn(t)
	opts.FailureHold = time.Minute
	conn := configFor(t, srv, servicetitan.Input{"max_retries": "0"}, opts)

	first, err := conn.AuthToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(900*time.Second - 30*time.Second) // inside the refresh margin, 30 s of life left
	srv.InjectTokenFaults(fakeservicetitan.Fault{Status: 503})
	got, err := conn.AuthToken(t.Context())
	if err != nil || got.AccessToken != first.AccessToken {
		t.Fatalf("a failed refresh hid a token with 30 s left: %v", err)
	}
	if n := srv.TokenRequests(); n != 2 {
		t.Fatalf("token requests = %d, want 2 (the refresh was attempted)", n)
	}
	clk.Advance(20 * time.Second) // 10 s left, failure still held
	got, err = conn.AuthToken(t.Context())
	if err != nil || got.AccessToken != first.AccessToken || srv.TokenRequests() != 2 {
		t.Fatalf("during the hold: err %v, requests %d; want the old token and no new request", err, srv.TokenRequests())
	}
	clk.Advance(15 * time.Second) // expired, failure still held
	if _, err = conn.AuthToken(t.Context()); err == nil {
		t.Fatal("an expired token was handed out")
	}
	wantContains(t, err.Error(), "HTTP 503")
	clk.Advance(time.Minute) // hold over
	fresh, err := conn.AuthToken(t.Context())
	if err != nil || fresh.AccessToken == first.AccessToken || srv.TokenRequests() != 3 {
		t.Fatalf("after the hold: err %v, requests %d; want a new token", err, srv.TokenRequests())
	}
}

func TestFiftyConcurrentCallersShareOneRequest(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Latency = 100 * time.Millisecond })
	conn := configFor(t, srv, servicetitan.Input{}, fastOptions())
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

func TestSeparateConfigsHaveSeparateTokenSources(t *testing.T) {
	srv := acctest.StandIn(t)
	a := configFor(t, srv, servicetitan.Input{}, fastOptions())
	b := configFor(t, srv, servicetitan.Input{}, fastOptions())
	for _, c := range []*servicetitan.Config{a, b, a, b} {
		if _, err := c.AuthToken(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.TokenRequests(); n != 2 {
		t.Errorf("two connections made %d requests, want 2", n)
	}
}

func TestTokenNearExpiryIsRefreshed(t *testing.T) {
	clk, srv, opts := clockedStandIn(t)
	conn := configFor(t, srv, servicetitan.Input{}, opts)

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

// The margin is exactly RefreshMargin, to the sub-second: half a second on
// either side of 60 s decides between reuse and a new request, and exactly
// 60 s left is already inside the margin. A margin a second off either way
// would hand Terraform a token that could lapse during the step, or ask
// ServiceTitan for tokens it need not.
func TestRefreshMarginHoldsToTheSubSecond(t *testing.T) {
	clk, srv, opts := clockedStandIn(t)
	conn := configFor(t, srv, servicetitan.Input{}, opts)

	token := func() *servicetitan.Token {
		t.Helper()
		tok, err := conn.AuthToken(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	first := token()
	if first.ExpiresIn != 900*time.Second {
		t.Fatalf("the stand-in granted %s, the steps below count on 900 s", first.ExpiresIn)
	}
	clk.Advance(900*time.Second - 60500*time.Millisecond)
	if got := token(); got.AccessToken != first.AccessToken || srv.TokenRequests() != 1 {
		t.Fatalf("a token with 60.5 s left was not reused (token requests %d, want 1)", srv.TokenRequests())
	}
	clk.Advance(time.Second)
	second := token()
	if second.AccessToken == first.AccessToken || srv.TokenRequests() != 2 {
		t.Fatalf("a token with 59.5 s left was reused (token requests %d, want 2)", srv.TokenRequests())
	}
	clk.Advance(900*time.Second - 60*time.Second)
	if got := token(); got.AccessToken == second.AccessToken || srv.TokenRequests() != 3 {
		t.Fatalf("a token with exactly 60 s left was reused (token requests %d, want 3)", srv.TokenRequests())
	}
}

func TestShortLivedTokenUsesATenthAsMargin(t *testing.T) {
	clk := acctest.NewClock(time.Now())
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Now = clk.Now; c.TokenLifetime = 100 * time.Second })
	opts := fastOptions()
	opts.Now = clk.Now
	conn := configFor(t, srv, servicetitan.Input{}, opts)
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

func TestCancellationStopsWaitingAtOnce(t *testing.T) {
	srv := acctest.StandIn(t)
	srv.InjectTokenFaults(fakeservicetitan.Fault{Status: 429, Headers: map[string]string{"Retry-After": "20"}})
	conn := configFor(t, srv, servicetitan.Input{}, fastOptions())
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

// A request whose only caller has gone is abandoned, retries included:
// left running, it would sit out the server's Retry-After and ask for a
// token nobody is waiting for, spending ServiceTitan's throttle budget
// after the user pressed Ctrl-C.
func TestAbandonedRequestIsNotRetried(t *testing.T) {
	srv := acctest.StandIn(t)
	srv.InjectTokenFaults(fakeservicetitan.Fault{Status: 429, Headers: map[string]string{"Retry-After": "1"}})
	conn := configFor(t, srv, servicetitan.Input{}, fastOptions())
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := conn.AuthToken(ctx)
		done <- err
	}()
	arrived := time.Now().Add(5 * time.Second)
	for srv.TokenRequests() == 0 {
		if time.Now().After(arrived) {
			t.Fatal("the token request did not reach the stand-in within 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the caller was still waiting 5 s after its context was cancelled")
	}
	// The retry would have gone out one second after the 429; give it twice
	// that to show up.
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if n := srv.TokenRequests(); n != 1 {
			t.Fatalf("token requests = %d after the only caller left, want 1: the abandoned request was retried", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRejectedCredentialsAreNotAskedAgain(t *testing.T) {
	srv := acctest.StandIn(t)
	conn := configFor(t, srv, servicetitan.Input{"client_secret": "wrong-secret-value"}, fastOptions())
	for range 5 {
		if _, err := conn.AuthToken(t.Context()); err == nil {
			t.Fatal("wrong secret accepted")
		}
	}
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("5 callers after a rejection made %d requests, want 1", n)
	}
}

func TestSharedTokensServeIdenticalConfigs(t *testing.T) {
	srv := acctest.StandIn(t)
	cache := servicetitan.NewSharedTokens()
	opts := fastOptions()
	opts.SharedTokens = cache
	a := configFor(t, srv, servicetitan.Input{}, opts)
	b := configFor(t, srv, servicetitan.Input{}, opts)                                      // same settings: shares a's token
	c := configFor(t, srv, servicetitan.Input{"client_secret": "other-secret-value"}, opts) // other credentials: its own
	for _, conn := range []*servicetitan.Config{a, b, a, b} {
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

// min_token_life raises how much life a handed-out token has left: with 10
// minutes, a token with 9 left is replaced, one with 11 reused.
func TestMinTokenLifeRefreshesEarlier(t *testing.T) {
	clk, srv, opts := clockedStandIn(t)
	c := configFor(t, srv, servicetitan.Input{"min_token_life": "10m"}, opts)
	first, err := c.AuthToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(4 * time.Minute) // 11 minutes left
	if tok, err := c.AuthToken(t.Context()); err != nil || tok.AccessToken != first.AccessToken {
		t.Fatalf("a token with 11 minutes left was not reused (%v)", err)
	}
	clk.Advance(2 * time.Minute) // 9 minutes left
	if tok, err := c.AuthToken(t.Context()); err != nil || tok.AccessToken == first.AccessToken {
		t.Fatalf("a token with 9 minutes left was handed out under min_token_life = 10m (%v)", err)
	}
	if got := srv.TokenRequests(); got != 2 {
		t.Errorf("%d token requests, want 2", got)
	}
}
