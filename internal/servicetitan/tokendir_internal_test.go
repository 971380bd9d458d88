package servicetitan

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// heldLock connects with a token cache in a fresh directory and takes the
// entry's lock through a file of its own, as another process would.
func heldLock(t *testing.T, timeout string) (*tokenDir, func(context.Context) (*Token, error), *atomic.Int32) {
	t.Helper()
	conn, _, err := Resolve(Input{
		"auth_root_url": "http://127.0.0.1:9", "client_id": "cid", "client_secret": "secret-value-of-the-lock-tests", "request_timeout": timeout,
		"token_cache_dir": t.TempDir(),
	}, Options{LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	d, err := conn.newTokenDir()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.prepare(); err != nil {
		t.Fatal(err)
	}
	other, err := os.OpenFile(d.lock, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	if ok, err := tryLockFile(other); !ok || err != nil {
		t.Fatalf("taking the lock: %v, %v", ok, err)
	}
	var fetches atomic.Int32
	fetch := d.wrap(func(context.Context) (*Token, error) {
		fetches.Add(1)
		return nil, errors.New("no request expected")
	})
	return d, fetch, &fetches
}

func TestTokenDirLockWaitEndsWithTheContext(t *testing.T) {
	_, fetch, fetches := heldLock(t, "5m")
	ctx, cancel := context.WithCancelCause(t.Context())
	time.AfterFunc(100*time.Millisecond, func() { cancel(ErrInterrupted) })
	done := make(chan error, 1)
	go func() {
		_, err := fetch(ctx)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), "interrupted") {
			t.Fatalf("got %v, want the wait reported as interrupted", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the wait for the lock did not end with its context")
	}
	if fetches.Load() != 0 {
		t.Error("a token was requested without the lock")
	}
}

func TestTokenDirLockWaitEndsWithTheRequestTimeout(t *testing.T) {
	d, fetch, fetches := heldLock(t, "300ms")
	_, err := fetch(t.Context())
	var le *TokenCacheLockError
	if !errors.As(err, &le) {
		t.Fatalf("got %v, want a TokenCacheLockError", err)
	}
	for _, want := range []string{"300ms", d.lock, "token_cache_dir", `attribute "token_cache_dir"`, "request_timeout"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not mention %q", err, want)
		}
	}
	if fetches.Load() != 0 {
		t.Error("a token was requested without the lock")
	}
}
