package tokencache

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// resolveDir resolves in with opts as a program does, with this package's
// constructor as Options.TokenStore, and returns the directory that
// Resolve built.
func resolveDir(t *testing.T, in servicetitan.Input, opts servicetitan.Options) *tokenDir {
	t.Helper()
	var d *tokenDir
	opts.TokenStore = func(p servicetitan.TokenStoreParams) (servicetitan.TokenStore, error) {
		s, err := New(p)
		if err == nil {
			var ok bool
			if d, ok = s.(*tokenDir); !ok {
				t.Fatalf("New returned a %T, not the directory", s)
			}
		}
		return s, err
	}
	if _, _, err := servicetitan.Resolve(in, opts); err != nil {
		t.Fatal(err)
	}
	if d == nil {
		t.Fatal("Resolve built no token cache directory")
	}
	return d
}

// heldLock connects with a token cache in a fresh directory and takes the
// entry's lock through a file of its own, as another process would.
func heldLock(t *testing.T, timeout string) (*tokenDir, func(context.Context) (*servicetitan.Token, error), *atomic.Int32) {
	t.Helper()
	d := resolveDir(t, servicetitan.Input{
		"auth_root_url": "http://127.0.0.1:9", "client_id": "cid", "client_secret": "secret-value-of-the-lock-tests", "request_timeout": timeout,
		"token_cache_dir": t.TempDir(),
	}, servicetitan.Options{LookupEnv: func(string) (string, bool) { return "", false }})
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
	fetch := servicetitan.WithTokenStore(func(context.Context) (*servicetitan.Token, error) {
		fetches.Add(1)
		return &servicetitan.Token{AccessToken: "asked-on-its-own", ExpiresIn: time.Minute, Expiry: time.Now().Add(time.Minute)}, nil
	}, d)
	return d, fetch, &fetches
}

func TestTokenDirLockWaitEndsWithTheContext(t *testing.T) {
	_, fetch, fetches := heldLock(t, "5m")
	ctx, cancel := context.WithCancelCause(t.Context())
	time.AfterFunc(100*time.Millisecond, func() { cancel(servicetitan.ErrInterrupted) })
	done := make(chan error, 1)
	go func() {
		_, err := fetch(ctx)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, servicetitan.ErrInterrupted) || !strings.Contains(err.Error(), "interrupted") {
			t.Fatalf("got %v, want the wait reported as interrupted", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the wait for the lock did not end with its context")
	}
	if fetches.Load() != 0 {
		t.Error("a token was requested without the lock")
	}
}

// When the lock is still held after as long as the holder's request may
// take (servicetitan.TokenStoreParams.LockWait), the process asks on its
// own rather than fail the run, and writes nothing without the lock.
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
	d := resolveDir(t, servicetitan.Input{"auth_root_url": "http://127.0.0.1:9", "client_id": "cid", "client_secret": "secret-value-of-the-clock-tests",
		"token_cache_dir": t.TempDir()}, servicetitan.Options{LookupEnv: func(string) (string, bool) { return "", false }, Now: func() time.Time { return wall }})
	d.boot = func() (bootTime, bool) { return boot, true }
	root, err := d.open()
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	d.store(t.Context(), root, &servicetitan.Token{AccessToken: "tok", TokenType: "Bearer", ExpiresIn: 15 * time.Minute, Expiry: wall.Add(15 * time.Minute), Scopes: []string{}})

	read := func(wallSince, bootSince time.Duration, bootID string) *servicetitan.Token {
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

// The wait's limit, should it ever reach a message, names how long it was.
func TestTokenDirLockTimeoutSaysHowLong(t *testing.T) {
	err := error(&lockTimeout{waited: 3 * time.Minute})
	if got, want := err.Error(), "the token cache lock was still held after 3m0s"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// warnedDir is a directory of its own, whose warnings the test reads.
func warnedDir(t *testing.T, dir string) (*tokenDir, *[]string) {
	t.Helper()
	var warned []string
	d := resolveDir(t, servicetitan.Input{
		"auth_root_url": "http://127.0.0.1:9", "client_id": "cid", "client_secret": "secret-value-of-the-store-tests", "token_cache_dir": dir,
	}, servicetitan.Options{LookupEnv: func(string) (string, bool) { return "", false }, Warn: func(_ context.Context, msg string, fields map[string]any) {
		warned = append(warned, msg+": "+fmt.Sprint(fields["reason"]))
	}})
	return d, &warned
}

// The directory is opened again for the lock: what is checked when the
// entry is read is checked again when the lock is taken, with the same
// outcomes. A refused directory is an error; one that cannot be used
// turns the layer off, once, and the token is requested without the lock.
func TestTokenDirLockChecksTheDirectoryAgain(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits do not apply on Windows")
	}
	dir := t.TempDir()
	d, _ := warnedDir(t, dir)
	if tok, err := d.Load(t.Context()); tok != nil || err != nil {
		t.Fatalf("an empty directory answered %v, %v", tok, err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	locked, err := d.Lock(t.Context())
	var refused *servicetitan.TokenCacheDirError
	if !errors.As(err, &refused) || locked != nil {
		t.Fatalf("got %v, %v; want the directory refused", locked, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}

	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	d, warned := warnedDir(t, filepath.Join(file, "tokens"))
	for range 2 {
		if locked, err := d.Lock(t.Context()); locked != nil || err != nil {
			t.Fatalf("got %v, %v; want no lock, and no error", locked, err)
		}
	}
	if len(*warned) != 1 || !strings.Contains((*warned)[0], "cannot be") {
		t.Errorf("warnings %q, want one saying why", *warned)
	}
}

// Once off, the layer reads, locks and discards nothing.
func TestTokenDirOffDoesNothing(t *testing.T) {
	dir := t.TempDir()
	d, warned := warnedDir(t, dir)
	locked, err := d.Lock(t.Context())
	if err != nil || locked == nil {
		t.Fatalf("got %v, %v; want the lock", locked, err)
	}
	tok := &servicetitan.Token{AccessToken: "tok", TokenType: "Bearer", ExpiresIn: 15 * time.Minute, Expiry: time.Now().Add(15 * time.Minute), Scopes: []string{}}
	locked.Store(t.Context(), tok)
	locked.Unlock()

	d.turnOff(t.Context(), errors.New("turned off by the test"))
	if got, err := d.Load(t.Context()); got != nil || err != nil {
		t.Errorf("off, Load answered %v, %v", got, err)
	}
	if locked, err := d.Lock(t.Context()); locked != nil || err != nil {
		t.Errorf("off, Lock answered %v, %v", locked, err)
	}
	d.Discard(t.Context(), tok)
	if _, err := os.Stat(filepath.Join(dir, d.name)); err != nil {
		t.Errorf("off, the entry was discarded: %v", err)
	}
	if len(*warned) != 1 {
		t.Errorf("warnings %q, want the one of turning off", *warned)
	}
}

// Discard removes the entry only while it holds the refused token: an
// entry another process has already replaced is left alone.
func TestTokenDirDiscardsOnlyTheRefusedToken(t *testing.T) {
	dir := t.TempDir()
	d, _ := warnedDir(t, dir)
	entry := func(access string) *servicetitan.Token {
		return &servicetitan.Token{AccessToken: access, TokenType: "Bearer", ExpiresIn: 15 * time.Minute, Expiry: time.Now().Add(15 * time.Minute), Scopes: []string{}}
	}
	locked, err := d.Lock(t.Context())
	if err != nil || locked == nil {
		t.Fatalf("got %v, %v; want the lock", locked, err)
	}
	locked.Store(t.Context(), entry("current"))
	locked.Unlock()

	d.Discard(t.Context(), entry("refused-earlier"))
	if tok, err := d.Load(t.Context()); err != nil || tok == nil || tok.AccessToken != "current" {
		t.Fatalf("an entry holding another token was discarded: %v, %v", tok, err)
	}
	d.Discard(t.Context(), entry("current"))
	if _, err := os.Stat(filepath.Join(dir, d.name)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused token's entry is still there: %v", err)
	}
	// With no entry, or no directory, there is nothing to discard.
	d.Discard(t.Context(), entry("current"))
	gone, _ := warnedDir(t, filepath.Join(t.TempDir(), "missing", "tokens"))
	gone.Discard(t.Context(), entry("current"))
}
