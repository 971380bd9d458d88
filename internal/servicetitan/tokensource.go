package servicetitan

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"time"
)

// RefreshMargin is how long before expiry a cached token is replaced: a
// token handed to Terraform must outlive the plan or apply step that uses it.
const RefreshMargin = 60 * time.Second

// MaxMinTokenLife caps min_token_life well below ServiceTitan's 900 s
// lifetime, so that a fresh token always has a reuse window of its own.
const MaxMinTokenLife = 10 * time.Minute

// RefreshMarginFor is how much of a token's life must remain for it to be
// handed out: minLife (RefreshMargin unless min_token_life says otherwise),
// but never so much of a short-lived token's life that it is stale the
// moment it arrives: a tenth of it at the default, two thirds at most. The
// token cache directory applies the same rule to what it stores.
func RefreshMarginFor(lifetime, minLife time.Duration) time.Duration {
	if minLife <= RefreshMargin {
		return min(minLife, lifetime/10)
	}
	return min(minLife, lifetime*2/3)
}

// TokenSource caches one token and shares one in-flight request among all
// concurrent callers (like oauth2's ReuseTokenSource, with single-flight).
// ServiceTitan throttles new-token requests and asks clients to cache, so a
// configuration with many data sources must cost one request.
type TokenSource struct {
	fetch func(context.Context) (*Token, error)
	now   func() time.Time
	hold  time.Duration
	// minLife is the least life a handed-out token has left (min_token_life).
	minLife time.Duration

	// discard, when set, also forgets a refused token below this source
	// (the TokenStore).
	discard func(context.Context, *Token)

	mu       sync.Mutex
	token    *Token
	failure  error
	failedAt time.Time
	flight   *flight
}

type flight struct {
	// progress is what the request is doing, for a waiter that stops.
	progress *progress
	done     chan struct{}
	token    *Token
	err      error
	waiters  int
	cancel   context.CancelFunc
}

// NewTokenSource wraps fetch with a cache. Failures are remembered for hold,
// so that callers arriving after a rejected or throttled request are told the
// same thing instead of asking again.
func NewTokenSource(fetch func(context.Context) (*Token, error), now func() time.Time, hold time.Duration) *TokenSource {
	if now == nil {
		now = time.Now
	}
	return &TokenSource{fetch: fetch, now: now, hold: hold, minLife: RefreshMargin}
}

// Token returns the cached token while more than the refresh margin of its
// life remains, and otherwise requests one, sharing the request with every
// caller that arrives while it is in flight. A caller whose context ends
// stops waiting at once; the request itself is abandoned only when no caller
// is left waiting for it.
//
// A failed request is remembered for the hold time and served to callers
// that come meanwhile, but it never hides a token that is still valid: while
// the previous token has not expired, a failed refresh hands that token out
// instead, and the next refresh is tried once the hold has passed.
func (s *TokenSource) Token(ctx context.Context) (*Token, error) {
	s.mu.Lock()
	now := s.now()
	if t := s.token; t != nil && t.Expiry.Sub(now) > RefreshMarginFor(t.ExpiresIn, s.minLife) {
		s.mu.Unlock()
		return t, nil
	}
	if s.failure != nil && now.Sub(s.failedAt) < s.hold {
		t, err := s.stillValid(now), s.failure
		s.mu.Unlock()
		if t != nil {
			return t, nil
		}
		return nil, err
	}
	f := s.flight
	if f == nil {
		// The request must not die with the first caller's context: others
		// may be waiting on it. It is cancelled when the last waiter leaves.
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{done: make(chan struct{}), cancel: cancel, progress: &progress{}}
		fctx = withProgress(fctx, f.progress)
		s.flight = f
		go s.run(fctx, f)
	}
	f.waiters++
	s.mu.Unlock()

	select {
	case <-f.done:
		return f.token, f.err
	case <-ctx.Done():
		s.mu.Lock()
		f.waiters--
		if f.waiters == 0 {
			f.cancel()
			if s.flight == f {
				s.flight = nil
			}
		}
		s.mu.Unlock()
		stopped := StopError(ctx)
		if se, ok := stopped.(*StoppedError); ok && se.While == "" {
			se.While = f.progress.get()
		}
		return nil, stopped
	}
}

// Invalidate forgets tok, which ServiceTitan refused before its expiry
// (revoked, or issued for another app): the next Token requests a new one.
// A token that has already been replaced is left alone, so that many
// callers refused with the same token cost one new request.
func (s *TokenSource) Invalidate(ctx context.Context, tok *Token) {
	s.mu.Lock()
	if s.token != nil && s.token.AccessToken == tok.AccessToken {
		s.token = nil
	}
	discard := s.discard
	s.mu.Unlock()
	if discard != nil {
		discard(ctx, tok)
	}
}

// stillValid is the cached token if it has not expired at now, else nil.
func (s *TokenSource) stillValid(now time.Time) *Token {
	if s.token != nil && now.Before(s.token.Expiry) {
		return s.token
	}
	return nil
}

func (s *TokenSource) run(ctx context.Context, f *flight) {
	tok, err := s.fetch(ctx)
	s.mu.Lock()
	switch {
	case err == nil:
		s.token, s.failure = tok, nil
	case !errors.Is(err, context.Canceled) && ctx.Err() == nil:
		s.failure, s.failedAt = err, s.now()
	}
	if err != nil {
		if old := s.stillValid(s.now()); old != nil {
			tok, err = old, nil
		}
	}
	if s.flight == f {
		s.flight = nil
	}
	f.token, f.err = tok, err
	s.mu.Unlock()
	f.cancel()
	close(f.done)
}

// SharedTokens holds token sources keyed by everything that decides which
// token ServiceTitan issues and how it is requested, so configurations
// resolved from the same settings share one token. It lives in memory, in
// one process; a TokenStore (tokenstore.go) is the layer that outlives
// it. The key is a hash: the secret is never kept as a map key.
type SharedTokens struct {
	mu      sync.Mutex
	sources map[[sha256.Size]byte]*TokenSource
}

// NewSharedTokens returns an empty set of shared token sources.
func NewSharedTokens() *SharedTokens {
	return &SharedTokens{sources: map[[sha256.Size]byte]*TokenSource{}}
}

func (st *SharedTokens) source(key [sha256.Size]byte, create func() *TokenSource) *TokenSource {
	st.mu.Lock()
	defer st.mu.Unlock()
	if s, ok := st.sources[key]; ok {
		return s
	}
	s := create()
	st.sources[key] = s
	return s
}

// sharedKey covers every setting marked TokenRequest, where the request
// goes and the options that change how it is made. Configurations that
// differ in any of them keep their own source, so one never inherits
// another's remembered failure or retry budget.
func (c *Config) sharedKey() [sha256.Size]byte {
	h := sha256.New()
	parts := []string{c.TokenURL()}
	for _, s := range table {
		if s.TokenRequest {
			parts = append(parts, s.Name, c.values[s.Name])
		}
	}
	for _, part := range append(parts, c.opts.tokenRequestParts()...) {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	var key [sha256.Size]byte
	copy(key[:], h.Sum(nil))
	return key
}

// tokenSource is this configuration's token source: the token request,
// behind the store of the token cache directory when one is set, behind
// in-process reuse and single-flight, shared through Options.SharedTokens
// when given.
func (c *Config) tokenSource() *TokenSource {
	fetch := c.fetchToken
	var discard func(context.Context, *Token)
	if c.tokenCacheDir != "" {
		if store, err := c.tokenStore(); err != nil {
			fetch = failedFetch(err)
		} else {
			fetch, discard = WithTokenStore(fetch, store), store.Discard
		}
	}
	newSource := func() *TokenSource {
		s := NewTokenSource(fetch, c.opts.Now, c.opts.FailureHold)
		s.discard, s.minLife = discard, c.minTokenLife
		return s
	}
	if c.opts.SharedTokens != nil {
		return c.opts.SharedTokens.source(c.sharedKey(), newSource)
	}
	return newSource()
}

// failedFetch is a fetch that can only fail with err: a token cache
// directory that cannot be set up fails every token request with its
// reason, rather than being silently skipped.
func failedFetch(err error) func(context.Context) (*Token, error) {
	return func(context.Context) (*Token, error) { return nil, err }
}
