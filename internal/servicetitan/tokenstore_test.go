package servicetitan_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// The token cache directory itself is tested in internal/tokencache; here
// are the core's side of it: the setting, the parameters a store is built
// from, and the flow the token source drives through the interface.

// A relative HOME cannot stand for "~": the message says so rather than
// ask for what the value already is.
func TestTokenDirTildeWithARelativeHome(t *testing.T) {
	t.Setenv("HOME", "relative/home")
	t.Setenv("USERPROFILE", "relative/home")
	err := servicetitan.ValidateSetting("token_cache_dir", "~/.cache/servicetitan")
	if err == nil {
		t.Fatal("a relative home was accepted")
	}
	wantContains(t, err.Error(), `home directory ("relative/home") is not an absolute path`)
	if strings.Contains(err.Error(), "or start with") {
		t.Errorf("the message asks for a leading ~/, which the value has: %v", err)
	}
}

func TestNoTokenCacheWritesNothing(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, "xdg"))
	srv := acctest.StandIn(t)
	if _, err := configFor(t, srv, servicetitan.Input{}, fastOptions()).AuthToken(t.Context()); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(home)
	if len(entries) != 0 {
		t.Fatalf("without token_cache_dir, something was written under HOME: %v", entries)
	}
}

// paramsOf resolves in with a TokenStore constructor that keeps what it is
// given, and returns that.
func paramsOf(t *testing.T, in servicetitan.Input, opts servicetitan.Options) servicetitan.TokenStoreParams {
	t.Helper()
	var got *servicetitan.TokenStoreParams
	opts.TokenStore = func(p servicetitan.TokenStoreParams) (servicetitan.TokenStore, error) {
		got = &p
		return &fakeStore{}, nil
	}
	if _, _, err := servicetitan.Resolve(in, opts); err != nil {
		t.Fatal(err)
	}
	if got == nil {
		t.Fatal("Resolve built no token store although token_cache_dir is set")
	}
	return *got
}

// A process waits for another's token request as long as that request may
// take with the same settings: every attempt, and the waits between them.
func TestTokenDirWaitsAsLongAsTheHolderMayNeed(t *testing.T) {
	for _, tc := range []struct {
		in   servicetitan.Input
		want time.Duration
	}{
		// 5 attempts of 30 s, 4 waits of up to 30 s (the Retry-After cap), 5 s to spare.
		{servicetitan.Input{}, 5*30*time.Second + 4*30*time.Second + 5*time.Second},
		{servicetitan.Input{"request_timeout": "2s", "max_retries": "0"}, 2*time.Second + 5*time.Second},
		{servicetitan.Input{"request_timeout": "2s", "max_retries": "3"}, 4*2*time.Second + 3*30*time.Second + 5*time.Second},
	} {
		in := servicetitan.Input{"token_cache_dir": t.TempDir()}
		for k, v := range tc.in {
			in[k] = v
		}
		p := paramsOf(t, in, servicetitan.Options{LookupEnv: func(string) (string, bool) { return "", false }})
		if got := p.LockWait; got != tc.want {
			t.Errorf("%v: waits %s, want %s", tc.in, got, tc.want)
		}
	}
}

// The store is given every value it binds its entries to, and the
// program's clock and logs, as plain values.
func TestTokenStoreParamsCarryTheConfiguration(t *testing.T) {
	dir := t.TempDir()
	var logged, warned []string
	opts := fastOptions()
	opts.LookupEnv = env(map[string]string{"SERVICETITAN_TOKEN_CACHE_DIR": dir})
	opts.Now = func() time.Time { return time.Unix(1234, 0) }
	opts.Log = func(_ context.Context, msg string, _ map[string]any) { logged = append(logged, msg) }
	opts.Warn = func(_ context.Context, msg string, _ map[string]any) { warned = append(warned, msg) }
	p := paramsOf(t, servicetitan.Input{
		"auth_root_url": "https://auth.example.test", "client_id": "cid", "client_secret": "the-secret",
		"enterprise_hub": "true", "tenant_id": "777", "min_token_life": "5m",
	}, opts)
	if p.Dir != dir || p.Source.String() != "environment variable SERVICETITAN_TOKEN_CACHE_DIR" {
		t.Errorf("directory %q from %s", p.Dir, p.Source)
	}
	if p.ClientSecret != "the-secret" || p.ClientID != "cid" || p.TokenURL != servicetitan.TokenURL("https://auth.example.test") ||
		!p.EnterpriseHub || p.TenantID != "777" || p.MinTokenLife != 5*time.Minute {
		t.Errorf("binding values: %+v", p)
	}
	if !p.Now().Equal(time.Unix(1234, 0)) {
		t.Error("the store was not given the program's clock")
	}
	p.Log(t.Context(), "to the log", nil)
	p.Warn(t.Context(), "to the warnings", nil)
	if len(logged) != 1 || len(warned) != 1 {
		t.Errorf("the store was not given the program's log and warnings: %q, %q", logged, warned)
	}
}

// A program that resolves token_cache_dir without a store is told so:
// the setting is never silently ignored, and no token is requested.
func TestTokenCacheDirWithoutAStoreIsAnError(t *testing.T) {
	srv := acctest.StandIn(t)
	dir := t.TempDir()
	opts := fastOptions()
	opts.TokenStore = nil
	_, err := configFor(t, srv, servicetitan.Input{"token_cache_dir": dir}, opts).AuthToken(t.Context())
	var de *servicetitan.TokenCacheDirError
	if !errors.As(err, &de) {
		t.Fatalf("got %v, want a TokenCacheDirError", err)
	}
	wantContains(t, err.Error(), "token_cache_dir", dir, `attribute "token_cache_dir"`, "Options.TokenStore is not set")
	if srv.TokenRequests() != 0 {
		t.Error("a token was requested without the store the setting asks for")
	}
}

// A store that cannot be built is the answer to every token request.
func TestTokenStoreThatCannotBeBuiltIsTheAnswer(t *testing.T) {
	srv := acctest.StandIn(t)
	refused := errors.New("no store here")
	opts := fastOptions()
	opts.TokenStore = func(servicetitan.TokenStoreParams) (servicetitan.TokenStore, error) { return nil, refused }
	conn := configFor(t, srv, servicetitan.Input{"token_cache_dir": t.TempDir()}, opts)
	for range 2 {
		if _, err := conn.AuthToken(t.Context()); !errors.Is(err, refused) {
			t.Fatalf("got %v, want the store's error", err)
		}
	}
	if srv.TokenRequests() != 0 {
		t.Error("a token was requested although the store could not be built")
	}
}

// fakeStore answers as it is told and records what it is asked.
type fakeStore struct {
	mu        sync.Mutex
	calls     []string
	load      *servicetitan.Token
	loadErr   error
	noLock    bool
	lockErr   error
	locked    *servicetitan.Token
	stored    *servicetitan.Token
	discarded *servicetitan.Token
}

func (f *fakeStore) record(call string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
}

func (f *fakeStore) Load(context.Context) (*servicetitan.Token, error) {
	f.record("load")
	return f.load, f.loadErr
}

func (f *fakeStore) Lock(context.Context) (servicetitan.LockedTokenStore, error) {
	f.record("lock")
	if f.lockErr != nil || f.noLock {
		return nil, f.lockErr
	}
	return fakeLocked{f}, nil
}

func (f *fakeStore) Discard(_ context.Context, tok *servicetitan.Token) {
	f.record("discard")
	f.discarded = tok
}

type fakeLocked struct{ f *fakeStore }

func (l fakeLocked) Load(context.Context) *servicetitan.Token {
	l.f.record("load locked")
	return l.f.locked
}

func (l fakeLocked) Store(_ context.Context, tok *servicetitan.Token) {
	l.f.record("store")
	l.f.stored = tok
}

func (l fakeLocked) Unlock() { l.f.record("unlock") }

// WithTokenStore drives load, lock, load, fetch, store, and each of the
// store's answers ends the flow where it says.
func TestWithTokenStoreDrivesTheStore(t *testing.T) {
	stored := &servicetitan.Token{AccessToken: "stored"}
	fetched := &servicetitan.Token{AccessToken: "fetched"}
	refused, fetchFailed := errors.New("refused"), errors.New("fetch failed")
	for _, tc := range []struct {
		name     string
		store    *fakeStore
		fetchErr error
		want     *servicetitan.Token
		wantErr  error
		calls    string
		stored   *servicetitan.Token
	}{
		{"a stored token", &fakeStore{load: stored}, nil, stored, nil, "load", nil},
		{"a refused store", &fakeStore{loadErr: refused}, nil, nil, refused, "load", nil},
		{"a lock that ends in an error", &fakeStore{lockErr: refused}, nil, nil, refused, "load lock", nil},
		{"no lock: fetch and store nothing", &fakeStore{noLock: true}, nil, fetched, nil, "load lock fetch", nil},
		{"stored by another process meanwhile", &fakeStore{locked: stored}, nil, stored, nil, "load lock load-locked unlock", nil},
		{"a failed fetch stores nothing", &fakeStore{}, fetchFailed, nil, fetchFailed, "load lock load-locked fetch unlock", nil},
		{"a fetched token is stored", &fakeStore{}, nil, fetched, nil, "load lock load-locked fetch store unlock", fetched},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.store
			fetch := servicetitan.WithTokenStore(func(context.Context) (*servicetitan.Token, error) {
				s.record("fetch")
				if tc.fetchErr != nil {
					return nil, tc.fetchErr
				}
				return fetched, nil
			}, s)
			tok, err := fetch(t.Context())
			if tok != tc.want || !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Errorf("got %v, %v; want %v, %v", tok, err, tc.want, tc.wantErr)
			}
			if got := strings.ReplaceAll(strings.Join(s.calls, " "), "load locked", "load-locked"); got != tc.calls {
				t.Errorf("calls %q, want %q", got, tc.calls)
			}
			if s.stored != tc.stored {
				t.Errorf("stored %v, want %v", s.stored, tc.stored)
			}
		})
	}
}

// A token ServiceTitan refuses is discarded from the store as well as
// from memory, so that no process is handed it again.
func TestRefusedTokenIsDiscardedFromTheStore(t *testing.T) {
	srv := acctest.StandIn(t)
	store := &fakeStore{}
	opts := fastOptions()
	opts.TokenStore = func(servicetitan.TokenStoreParams) (servicetitan.TokenStore, error) { return store, nil }
	c := configFor(t, srv, servicetitan.Input{"token_cache_dir": t.TempDir()}, opts)
	first, err := c.AuthToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// What the API transport does with a token ServiceTitan refused.
	c.TokenSource().Invalidate(t.Context(), first)
	if store.discarded == nil || store.discarded.AccessToken != first.AccessToken {
		t.Errorf("discarded %v, want the refused token", store.discarded)
	}
}
