package servicetitan

import (
	"context"
	"fmt"
	"time"
)

// The core asks for tokens; a TokenStore keeps them between processes.
// The store that token_cache_dir names lives in its own package
// (internal/tokencache), which imports this one and never the reverse: the
// core knows only this interface, and whoever builds Options wires the two
// together through Options.TokenStore.

// TokenStore is the layer under a TokenSource that outlives the process.
// The token source drives it: Load; on a miss Lock; Load again under the
// lock (another process may just have stored a token); fetch; Store. Its
// methods may be called from several goroutines at once.
type TokenStore interface {
	// Load returns the stored token when more than the refresh margin of
	// its life remains (RefreshMarginFor), and nil, nil when there is none
	// or the store no longer works in this process. An error means the
	// store refuses to be used (a TokenCacheDirError): it is the answer,
	// and no token is requested.
	Load(ctx context.Context) (*Token, error)
	// Lock takes the store's lock, waiting while another process holds it
	// (that process is requesting the token this one needs). It returns:
	//   - the locked store, which the caller unlocks;
	//   - nil, nil when the token is to be requested without the lock, and
	//     then nothing is stored: the store does not work in this process,
	//     or the holder has kept it longer than its request may take;
	//   - an error when the store refuses to be used, or when ctx ended
	//     while waiting (then the error says so, as StopError does).
	Lock(ctx context.Context) (LockedTokenStore, error)
	// Discard forgets tok, a token ServiceTitan refused, when the store
	// still holds it, so that no process is handed it again.
	Discard(ctx context.Context, tok *Token)
}

// LockedTokenStore is a TokenStore while this process holds its lock.
type LockedTokenStore interface {
	// Load is TokenStore.Load under the lock, where an expired entry may
	// also be removed; every failure to read means no token.
	Load(ctx context.Context) *Token
	// Store keeps tok, a token just issued. A failure is the store's to
	// log: a token in hand is used whether or not it was stored.
	Store(ctx context.Context, tok *Token)
	// Unlock releases the lock; the locked store is not used after it.
	Unlock()
}

// TokenStoreParams is what a TokenStore is built from: plain values of
// the resolved configuration, so that the store needs nothing else of it.
type TokenStoreParams struct {
	// Dir is token_cache_dir, an absolute path; Source is where its value
	// came from, for messages.
	Dir    string
	Source Source
	// ClientSecret is the key material. The token an entry holds depends
	// on the rest: where it was requested, for which client, and for
	// Enterprise Hub apps for which tenant.
	ClientSecret  string
	TokenURL      string
	ClientID      string
	EnterpriseHub bool
	TenantID      string
	// MinTokenLife is min_token_life: a token with less life left than
	// RefreshMarginFor allows is not handed out.
	MinTokenLife time.Duration
	// LockWait bounds how long a process waits for another's token
	// request: as long as such a request of these settings may take.
	LockWait time.Duration
	// Now is the clock (Options.Now); Log and Warn are Options.Log and
	// Options.Warn. The core never leaves them nil.
	Now  func() time.Time
	Log  func(ctx context.Context, msg string, fields map[string]any)
	Warn func(ctx context.Context, msg string, fields map[string]any)
}

// SetProgress records what the token request carried by ctx is waiting
// for, such as another process's lock, so that a caller that stops
// waiting can say so. Outside a token request it does nothing.
func SetProgress(ctx context.Context, doing string) { progressOf(ctx).set(doing) }

// WithTokenStore puts store in front of fetch: a stored token with enough
// life left is used; otherwise the store's lock is taken, the store read
// again, and only then is a token fetched and stored. A failed fetch
// stores nothing. Without the lock (see TokenStore.Lock) the token is
// fetched and not stored.
func WithTokenStore(fetch func(context.Context) (*Token, error), store TokenStore) func(context.Context) (*Token, error) {
	return func(ctx context.Context) (*Token, error) {
		tok, err := store.Load(ctx)
		if err != nil || tok != nil {
			return tok, err
		}
		locked, err := store.Lock(ctx)
		if err != nil {
			return nil, err
		}
		if locked == nil {
			return fetch(ctx)
		}
		defer locked.Unlock()
		if tok := locked.Load(ctx); tok != nil {
			return tok, nil
		}
		tok, err = fetch(ctx)
		if err != nil {
			return nil, err
		}
		locked.Store(ctx, tok)
		return tok, nil
	}
}

// TokenCacheDirError is a token cache directory that cannot be used. It
// names the setting, where its value came from and what is wrong.
type TokenCacheDirError struct {
	Source Source
	Path   string
	Reason string
}

func (e *TokenCacheDirError) Error() string {
	return fmt.Sprintf("token_cache_dir %q (from %s) cannot be used: %s", e.Path, e.Source, e.Reason)
}

// tokenStore builds this configuration's store with Options.TokenStore.
// A program that resolves token_cache_dir without one is told so on its
// first token rather than have the setting silently ignored.
func (c *Config) tokenStore() (TokenStore, error) {
	source := c.sources[SettingTokenCacheDir.Name]
	if c.opts.TokenStore == nil {
		return nil, &TokenCacheDirError{Source: source, Path: c.tokenCacheDir,
			Reason: "this program has no token cache (its servicetitan.Options.TokenStore is not set)"}
	}
	return c.opts.TokenStore(TokenStoreParams{
		Dir: c.tokenCacheDir, Source: source,
		ClientSecret: c.clientSecret, TokenURL: c.TokenURL(), ClientID: c.clientID,
		EnterpriseHub: c.enterpriseHub, TenantID: c.tenantID,
		MinTokenLife: c.minTokenLife, LockWait: c.longestTokenRequest(),
		Now: c.opts.Now, Log: c.opts.Log, Warn: c.opts.Warn,
	})
}

// longestTokenRequest is how long a token request of this configuration
// may legitimately take: every attempt up to its timeout, and between them
// the longest wait the retry policy sits through, with a little to spare.
// A process waiting for another's request waits that long before it asks
// on its own.
func (c *Config) longestTokenRequest() time.Duration {
	between := max(c.opts.RetryWaitMax, c.opts.MaxRetryAfter)
	return time.Duration(c.maxRetries+1)*c.requestTimeout + time.Duration(c.maxRetries)*between + 5*time.Second
}
