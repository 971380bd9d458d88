package servicetitan

import (
	"context"
	"errors"
	"os"
	"path/filepath"
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
	root, err := d.open()
	if err != nil {
		t.Fatal(err)
	}
	root.Close()
	other, err := os.OpenFile(filepath.Join(d.dir, d.lock), os.O_RDWR|os.O_CREATE, 0o600)
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
		return &Token{AccessToken: "asked-on-its-own", ExpiresIn: time.Minute, Expiry: time.Now().Add(time.Minute)}, nil
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

// A process waits for another's token request as long as that request may
// take with the same settings: every attempt, and the waits between them.
func TestTokenDirWaitsAsLongAsTheHolderMayNeed(t *testing.T) {
	for _, tc := range []struct {
		in   Input
		want time.Duration
	}{
		// 5 attempts of 30 s, 4 waits of up to 30 s (the Retry-After cap), 5 s to spare.
		{Input{}, 5*30*time.Second + 4*30*time.Second + 5*time.Second},
		{Input{"request_timeout": "2s", "max_retries": "0"}, 2*time.Second + 5*time.Second},
		{Input{"request_timeout": "2s", "max_retries": "3"}, 4*2*time.Second + 3*30*time.Second + 5*time.Second},
	} {
		c, _, err := Resolve(tc.in, Options{LookupEnv: func(string) (string, bool) { return "", false }})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.longestTokenRequest(); got != tc.want {
			t.Errorf("%v: waits %s, want %s", tc.in, got, tc.want)
		}
	}
}

// When the lock is still held after that, the process asks on its own
// rather than fail the run, and writes nothing without the lock.
func TestTokenDirLockHeldTooLongMeansAskingAlone(t *testing.T) {
	d, fetch, fetches := heldLock(t, "300ms")
	d.wait = 300 * time.Millisecond
	start := time.Now()
	tok, err := fetch(t.Context())
	if err != nil || tok.AccessToken != "asked-on-its-own" {
		t.Fatalf("got %v, %v; want the token asked for without the lock", tok, err)
	}
	if waited := time.Since(start); waited < 300*time.Millisecond {
		t.Errorf("asked after %s, before the wait was over", waited)
	}
	if fetches.Load() != 1 {
		t.Errorf("%d requests, want 1", fetches.Load())
	}
	if _, err := os.Stat(filepath.Join(d.dir, d.name)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an entry was written without the lock: %v", err)
	}
}

// A clock turned back must not make a cached token look younger than it
// is: a 12-minute-old token, with the clock turned back 9 minutes, shows 12
// minutes left by the wall clock and has 3. The boot clock tells.
func TestTokenDirDistrustsAClockTurnedBack(t *testing.T) {
	wall := time.Now()
	boot := bootTime{id: "boot-1", since: time.Hour}
	conn, _, err := Resolve(Input{"auth_root_url": "http://127.0.0.1:9", "client_id": "cid", "client_secret": "secret-value-of-the-clock-tests",
		"token_cache_dir": t.TempDir()}, Options{LookupEnv: func(string) (string, bool) { return "", false }, Now: func() time.Time { return wall }})
	if err != nil {
		t.Fatal(err)
	}
	d, err := conn.newTokenDir()
	if err != nil {
		t.Fatal(err)
	}
	d.boot = func() (bootTime, bool) { return boot, true }
	root, err := d.open()
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	d.store(t.Context(), root, &Token{AccessToken: "tok", TokenType: "Bearer", ExpiresIn: 15 * time.Minute, Expiry: wall.Add(15 * time.Minute), Scopes: []string{}})

	read := func(wallSince, bootSince time.Duration, bootID string) *Token {
		wall, boot = wall.Add(wallSince), bootTime{id: bootID, since: time.Hour + bootSince}
		defer func() { wall = wall.Add(-wallSince) }()
		return d.load(t.Context(), root, false)
	}
	if read(2*time.Minute, 2*time.Minute, "boot-1") == nil {
		t.Fatal("an entry whose clocks agree was not used")
	}
	if read(3*time.Minute, 12*time.Minute, "boot-1") != nil {
		t.Error("a 12-minute-old entry read with the clock turned back 9 minutes was trusted")
	}
	if read(5*time.Minute, 2*time.Minute, "boot-1") == nil {
		t.Error("an entry read with the wall clock ahead of the boot clock was not used (it can only be replaced early)")
	}
	if read(2*time.Minute, -50*time.Minute, "boot-2") != nil {
		t.Error("an entry written before the last boot was trusted: its age cannot be measured")
	}
}
