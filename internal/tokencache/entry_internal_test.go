package tokencache

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// Without a clock that counts from boot, an entry is checked against the
// wall clock alone: trusted while its expiry is no further away than its
// lifetime, which catches a clock turned back by more than the token's age.
func TestTokenDirWithoutABootClockChecksTheLifetime(t *testing.T) {
	wall := time.Now()
	d := resolveDir(t, servicetitan.Input{"auth_root_url": "http://127.0.0.1:9", "client_id": "cid", "client_secret": "secret-value-of-the-entry-tests",
		"token_cache_dir": t.TempDir()}, servicetitan.Options{LookupEnv: func(string) (string, bool) { return "", false }, Now: func() time.Time { return wall }})
	d.boot = func() (bootTime, bool) { return bootTime{}, false }
	root, err := d.open()
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	d.store(t.Context(), root, &servicetitan.Token{AccessToken: "tok", TokenType: "Bearer", ExpiresIn: 15 * time.Minute, Expiry: wall.Add(15 * time.Minute)})
	wall = wall.Add(2 * time.Minute)
	tok := d.load(t.Context(), root, false)
	if tok == nil {
		t.Fatal("an entry whose expiry is within its lifetime was not used")
	}
	if tok.Scopes == nil {
		t.Error("a token stored without scopes came back with nil scopes, not an empty list")
	}
	wall = wall.Add(-10 * time.Minute)
	if d.load(t.Context(), root, false) != nil {
		t.Error("an entry read with the clock turned back 8 minutes past its writing was trusted")
	}
}

// An entry that authenticates but lacks what a token needs is ignored.
func TestTokenDirIgnoresAnIncompleteEntry(t *testing.T) {
	var logged []string
	d := resolveDir(t, servicetitan.Input{"auth_root_url": "http://127.0.0.1:9", "client_id": "cid", "client_secret": "secret-value-of-the-entry-tests",
		"token_cache_dir": t.TempDir()}, servicetitan.Options{LookupEnv: func(string) (string, bool) { return "", false },
		Log: func(_ context.Context, msg string, fields map[string]any) {
			logged = append(logged, msg+": "+fmt.Sprint(fields["reason"]))
		}})
	root, err := d.open()
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	d.store(t.Context(), root, &servicetitan.Token{TokenType: "Bearer", ExpiresIn: 15 * time.Minute, Expiry: time.Now().Add(15 * time.Minute)})
	if tok := d.load(t.Context(), root, true); tok != nil {
		t.Fatalf("an entry without an access token was used: %v", tok)
	}
	if want := "token cache entry ignored: the entry's content is incomplete"; !slices.Contains(logged, want) {
		t.Errorf("log %q, want %q", logged, want)
	}
}

// A write that fails leaves no temporary file behind: the directory holds
// what it held before, and the failure is only logged.
func TestTokenDirFailedWriteLeavesNoTemporaryFile(t *testing.T) {
	var logged []string
	dir := t.TempDir()
	d := resolveDir(t, servicetitan.Input{"auth_root_url": "http://127.0.0.1:9", "client_id": "cid", "client_secret": "secret-value-of-the-entry-tests",
		"token_cache_dir": dir}, servicetitan.Options{LookupEnv: func(string) (string, bool) { return "", false },
		Log: func(_ context.Context, msg string, _ map[string]any) { logged = append(logged, msg) }})
	root, err := d.open()
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	// A directory where the entry goes makes the rename fail.
	if err := root.Mkdir(d.name, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := root.WriteFile(d.name+"/keep", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	d.store(t.Context(), root, &servicetitan.Token{AccessToken: "tok", TokenType: "Bearer", ExpiresIn: 15 * time.Minute, Expiry: time.Now().Add(15 * time.Minute)})
	if !slices.Contains(logged, "token cache entry not written") {
		t.Fatalf("the failed write was not logged: %q", logged)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("the failed write left %s behind", e.Name())
		}
	}
}
