package servicetitan_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// However a token wait ends early, the message says why in words, and the
// cause stays inspectable with errors.Is.
func TestStoppedWaitsSayWhy(t *testing.T) {
	causes := []struct {
		name  string
		stop  func(t *testing.T, parent context.Context) (context.Context, func())
		is    error
		words string
	}{
		{"interrupted", func(t *testing.T, parent context.Context) (context.Context, func()) {
			ctx, cancel := context.WithCancelCause(parent)
			return ctx, func() { cancel(servicetitan.ErrInterrupted) }
		}, servicetitan.ErrInterrupted, "interrupted (Ctrl-C, or the run was stopped)"},
		{"cancelled", func(t *testing.T, parent context.Context) (context.Context, func()) {
			return context.WithCancel(parent)
		}, context.Canceled, "interrupted (Ctrl-C, or the run was stopped)"},
		{"time limit", func(t *testing.T, parent context.Context) (context.Context, func()) {
			ctx, cancel := context.WithTimeout(parent, 300*time.Millisecond)
			t.Cleanup(cancel)
			return ctx, func() {}
		}, context.DeadlineExceeded, "time limit ran out"},
	}
	waits := []struct {
		name  string
		fault fakeservicetitan.Fault
	}{
		{"retry wait", fakeservicetitan.Fault{Status: 429, Headers: map[string]string{"Retry-After": "20"}}},
		{"request in flight", fakeservicetitan.Fault{Hang: true}},
	}
	// The cached path stops in the token source's wait, the uncached one in
	// the request itself.
	paths := map[string]func(context.Context, *servicetitan.Config) (*servicetitan.Token, error){
		"AuthToken": func(ctx context.Context, c *servicetitan.Config) (*servicetitan.Token, error) {
			return c.AuthToken(ctx)
		},
		"RequestAuthToken": servicetitan.RequestAuthToken,
	}
	for pathName, get := range paths {
		for _, w := range waits {
			for _, c := range causes {
				t.Run(pathName+"/"+w.name+"/"+c.name, func(t *testing.T) {
					srv := acctest.StandIn(t)
					srv.InjectTokenFaults(w.fault)
					conn := configFor(t, srv, servicetitan.Input{}, fastOptions())
					ctx, fire := c.stop(t, t.Context())
					go func() {
						for srv.TokenRequests() == 0 {
							time.Sleep(5 * time.Millisecond)
						}
						time.Sleep(20 * time.Millisecond)
						fire()
					}()
					err := within(t, func() error { _, err := get(ctx, conn); return err })
					checkStopped(t, err, c.is, c.words)
				})
			}
		}
	}
}

// A caller that leaves a shared request it was waiting on gets its own
// reason, while the request goes on for the callers still waiting.
func TestSingleFlightWaiterSaysWhyItStopped(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Latency = 500 * time.Millisecond })
	conn := configFor(t, srv, servicetitan.Input{}, fastOptions())
	stayed := make(chan error, 1)
	go func() {
		_, err := conn.AuthToken(t.Context())
		stayed <- err
	}()
	for srv.TokenRequests() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	ctx, cancel := context.WithCancelCause(t.Context())
	time.AfterFunc(50*time.Millisecond, func() { cancel(servicetitan.ErrInterrupted) })
	err := within(t, func() error { _, err := conn.AuthToken(ctx); return err })
	checkStopped(t, err, servicetitan.ErrInterrupted, "interrupted (Ctrl-C, or the run was stopped)")
	if err := <-stayed; err != nil {
		t.Fatalf("the caller that stayed lost the shared request: %v", err)
	}
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("token requests = %d, want 1", n)
	}
}

// within runs get and fails the test, rather than hanging it, if the
// answer takes more than a few seconds.
func within(t *testing.T, get func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- get() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("still waiting 10 s after the context ended")
		return nil
	}
}

func checkStopped(t *testing.T, err error, is error, words string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	if !errors.Is(err, is) {
		t.Errorf("errors.Is(%v, %v) is false", err, is)
	}
	wantContains(t, err.Error(), words)
	if strings.Contains(err.Error(), "context canceled") || strings.Contains(err.Error(), "context deadline exceeded") {
		t.Errorf("message is Go's bare context error: %s", err)
	}
}

// An interrupted wait says what it was waiting for, and how far the
// request had got.
func TestInterruptedWaitSaysWhatItWaitedFor(t *testing.T) {
	srv := acctest.StandIn(t)
	srv.InjectTokenFaults(fakeservicetitan.Fault{Status: 503, Headers: map[string]string{"Retry-After": "25"}})
	c := configFor(t, srv, nil, fastOptions())
	ctx, cancel := context.WithCancelCause(t.Context())
	time.AfterFunc(500*time.Millisecond, func() { cancel(servicetitan.ErrInterrupted) })
	_, err := c.AuthToken(ctx)
	if err == nil {
		t.Fatal("the wait was not interrupted")
	}
	wantContains(t, err.Error(), "the token request was interrupted (Ctrl-C, or the run was stopped) while waiting 25s, as ServiceTitan's Retry-After asked after HTTP 503 (attempt 1 of 5), before a token arrived")
}
