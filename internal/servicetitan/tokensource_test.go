package servicetitan_test

import (
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// Two configurations with the same credentials but different retry budgets
// do not share a token source: the failure remembered for the one without
// retries is not served to the one whose retries succeed.
func TestSharedCacheKeepsConfigurationsApart(t *testing.T) {
	srv := standIn(t)
	opts := fastOptions()
	opts.Cache = servicetitan.NewTokenCache()
	noRetries := connectTo(t, srv, servicetitan.Input{MaxRetries: ptr(int64(0))}, opts)
	withRetries := connectTo(t, srv, servicetitan.Input{MaxRetries: ptr(int64(2))}, opts)
	otherTimeout := connectTo(t, srv, servicetitan.Input{MaxRetries: ptr(int64(0)), RequestTimeout: "10s"}, opts)

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
	clk := &clock{now: time.Now()}
	srv := standIn(t, func(c *fakeservicetitan.Config) { c.Now = clk.Now })
	opts := fastOptions()
	opts.Now = clk.Now
	opts.FailureHold = 2 * time.Minute
	conn := connectTo(t, srv, servicetitan.Input{ClientSecret: "wrong-secret-value"}, opts)

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
	clk := &clock{now: time.Now()}
	srv := standIn(t, func(c *fakeservicetitan.Config) { c.Now = clk.Now })
	opts := fastOptions()
	opts.Now = clk.Now
	opts.FailureHold = time.Minute
	conn := connectTo(t, srv, servicetitan.Input{MaxRetries: ptr(int64(0))}, opts)

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
