package servicetitan

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// The cross-process token cache keeps one sealed file per set of
// credentials in the directory named by token_cache_dir, so that the plan
// and apply processes of one run, later runs and parallel jobs on the same
// machine share a token instead of each asking ServiceTitan for one.
//
// What protects it: the entry is sealed with AES-256-GCM under a key derived
// from the client secret, and its file name is an HMAC under another key
// derived from the same secret. Reading the directory therefore yields
// nothing that the secret does not already grant, and a different secret
// (even with the same client id) finds no entry at all. The directory's
// permissions are a second wall, not the first.

// tokenCacheFormat is the entry format's version. It is bound into the key
// derivation and the associated data, so a future format can never be
// mistaken for this one.
const tokenCacheFormat = 1

// maxTokenCacheEntry bounds what is read from an entry: a sealed token is
// about 2 KiB, and anything much larger is not ours.
const maxTokenCacheEntry = 64 << 10

// Lock polling: short enough that a process waiting for another's request
// (50 ms or more away) adds little to it, long enough to cost no CPU.
const (
	lockPollMin = 2 * time.Millisecond
	lockPollMax = 25 * time.Millisecond
)

// entryHeader starts every entry file, in clear: a magic number and the
// format version, nothing else.
var entryHeader = []byte{'S', 'T', 'T', 'C', tokenCacheFormat}

// hkdfSalt separates these keys from any other use of the client secret.
const hkdfSalt = "servicetitan token cache"

// tokenDir is the token_cache_dir layer under a TokenSource: the
// in-process single-flight stays in front of it, so one process never
// waits on its own lock.
type tokenDir struct {
	dir    string
	source Source
	entry  string // the sealed entry's path
	lock   string // its lock file's path
	aead   cipher.AEAD
	aad    []byte
	now    func() time.Time
	// wait bounds how long a process waits for another's token request.
	wait time.Duration
	log  func(context.Context, string, map[string]any)
}

// newTokenDir builds the token_cache_dir layer of this configuration. The keys depend on
// the client secret; with no secret the layer is never called, since a
// token is asked for only once the credentials are complete.
func (c *Config) newTokenDir() (*tokenDir, error) {
	tenant := ""
	if c.enterpriseHub {
		tenant = c.tenantID
	}
	binding := cacheBinding(c.TokenURL(), c.clientID, c.enterpriseHub, tenant)
	sealKey, err := deriveKey(c.clientSecret, "seal", binding)
	if err != nil {
		return nil, err
	}
	nameKey, err := deriveKey(c.clientSecret, "name", binding)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, nameKey)
	mac.Write(binding)
	name := hex.EncodeToString(mac.Sum(nil))

	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return nil, err
	}
	// The nonce is random and travels with the entry: 96 random bits are
	// far from colliding at one entry per token, and this is the GCM that
	// Go's FIPS 140-only mode allows.
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, err
	}
	return &tokenDir{
		dir:    c.tokenCacheDir,
		source: c.sources[SettingTokenCacheDir.Name],
		entry:  filepath.Join(c.tokenCacheDir, name+".token"),
		lock:   filepath.Join(c.tokenCacheDir, name+".lock"),
		aead:   aead,
		aad:    append(append([]byte(nil), entryHeader...), binding...),
		now:    c.opts.Now,
		wait:   c.requestTimeout,
		log:    c.opts.Log,
	}, nil
}

// tokenDirLayer is fetch behind the token cache directory, or, when the
// cache's keys cannot be made, a fetch that says so.
func (c *Config) tokenDirLayer(fetch func(context.Context) (*Token, error)) func(context.Context) (*Token, error) {
	d, err := c.newTokenDir()
	if err != nil {
		derr := &TokenCacheDirError{Source: c.sources[SettingTokenCacheDir.Name], Path: c.tokenCacheDir,
			Reason: "its keys cannot be derived from the client secret: " + err.Error()}
		return func(context.Context) (*Token, error) { return nil, derr }
	}
	return d.wrap(fetch)
}

// cacheBinding is everything the issued token depends on besides the
// secret: where it was requested, for which client, and for Enterprise Hub
// apps which tenant. Each part is length-prefixed so that no two different
// bindings share an encoding.
func cacheBinding(tokenURL, clientID string, enterpriseHub bool, tenant string) []byte {
	b := []byte(hkdfSalt)
	b = append(b, tokenCacheFormat)
	hub := byte(0)
	if enterpriseHub {
		hub = 1
	}
	b = append(b, hub)
	for _, part := range []string{tokenURL, clientID, tenant} {
		b = binary.AppendUvarint(b, uint64(len(part)))
		b = append(b, part...)
	}
	return b
}

// deriveKey derives a 32-byte key for purpose from the client secret. A
// plain HKDF rather than a slow password hash: ServiceTitan's client
// secrets are long random strings, and a slow hash would add its cost to
// every provider process.
func deriveKey(secret, purpose string, binding []byte) ([]byte, error) {
	return hkdf.Key(sha256.New, []byte(secret), []byte(hkdfSalt), purpose+"\x00"+string(binding), 32)
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

// TokenCacheLockError is a wait for another process's token request that
// ran out of time.
type TokenCacheLockError struct {
	Source Source
	Path   string
	Waited time.Duration
}

func (e *TokenCacheLockError) Error() string {
	return fmt.Sprintf("waited %s (the request timeout) for another process to finish its token request and release %q in token_cache_dir (from %s); "+
		"try again, or raise request_timeout if token requests are slow", e.Waited, e.Path, e.Source)
}

// wrap puts the directory in front of fetch: an entry with more than the
// refresh margin left is used; otherwise the entry's lock is taken, the
// entry read again (another process may just have written it), and only
// then is a token requested and written. A failed request writes nothing.
func (d *tokenDir) wrap(fetch func(context.Context) (*Token, error)) func(context.Context) (*Token, error) {
	return func(ctx context.Context) (*Token, error) {
		if err := d.prepare(); err != nil {
			return nil, err
		}
		if tok := d.load(ctx, false); tok != nil {
			return tok, nil
		}
		unlock, err := d.acquire(ctx)
		if err != nil {
			return nil, err
		}
		defer unlock()
		if tok := d.load(ctx, true); tok != nil {
			return tok, nil
		}
		tok, err := fetch(ctx)
		if err != nil {
			return nil, err
		}
		d.store(ctx, tok)
		return tok, nil
	}
}

// prepare creates the directory (0700) if needed and refuses one that
// another user owns or that others can write: they could plant or swap
// entries and lock files, if not read them.
func (d *tokenDir) prepare() error {
	if err := os.MkdirAll(d.dir, 0o700); err != nil {
		return &TokenCacheDirError{Source: d.source, Path: d.dir, Reason: "the directory cannot be created: " + pathErrReason(err)}
	}
	fi, err := os.Stat(d.dir)
	if err != nil {
		return &TokenCacheDirError{Source: d.source, Path: d.dir, Reason: pathErrReason(err)}
	}
	if !fi.IsDir() {
		return &TokenCacheDirError{Source: d.source, Path: d.dir, Reason: "it is not a directory"}
	}
	if reason := unsafeDir(d.dir, fi); reason != "" {
		return &TokenCacheDirError{Source: d.source, Path: d.dir, Reason: reason}
	}
	return nil
}

func pathErrReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// cachedToken is the sealed plaintext.
type cachedToken struct {
	AccessToken string   `json:"access_token"`
	TokenType   string   `json:"token_type"`
	ExpiresIn   int64    `json:"expires_in_ns"`
	Expiry      int64    `json:"expiry_unix_ns"`
	Scopes      []string `json:"scopes"`
}

func (d *tokenDir) seal(tok *Token) ([]byte, error) {
	plain, err := json.Marshal(cachedToken{
		AccessToken: tok.AccessToken, TokenType: tok.TokenType, ExpiresIn: int64(tok.ExpiresIn),
		Expiry: tok.Expiry.UnixNano(), Scopes: tok.Scopes,
	})
	if err != nil {
		return nil, err
	}
	return d.aead.Seal(append([]byte(nil), entryHeader...), nil, plain, d.aad), nil
}

// open returns the token sealed in data, or an error saying why it is not
// usable; the error never carries any of the content.
func (d *tokenDir) open(data []byte) (*Token, error) {
	if len(data) < len(entryHeader)+d.aead.Overhead() || string(data[:len(entryHeader)]) != string(entryHeader) {
		return nil, errors.New("not a token cache entry of this format")
	}
	plain, err := d.aead.Open(nil, nil, data[len(entryHeader):], d.aad)
	if err != nil {
		return nil, errors.New("the entry does not authenticate (damaged, or sealed with other credentials)")
	}
	var ct cachedToken
	if err := json.Unmarshal(plain, &ct); err != nil || ct.AccessToken == "" || ct.ExpiresIn <= 0 {
		return nil, errors.New("the entry's content is incomplete")
	}
	scopes := ct.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	return &Token{
		AccessToken: ct.AccessToken, TokenType: ct.TokenType, ExpiresIn: time.Duration(ct.ExpiresIn),
		Expiry: time.Unix(0, ct.Expiry), Scopes: scopes,
	}, nil
}

// load reads the entry and returns its token when more than the refresh
// margin of its life remains. Anything else is ignored: a missing,
// unreadable, damaged or foreign entry is replaced by the next write. With
// the lock held, an expired entry is also removed (without it, the removal
// could race with another process's fresh write).
func (d *tokenDir) load(ctx context.Context, locked bool) *Token {
	data, err := readLimited(d.entry, maxTokenCacheEntry)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		d.log(ctx, "token cache entry ignored", map[string]any{"path": d.entry, "reason": pathErrReason(err)})
		return nil
	}
	tok, err := d.open(data)
	if err != nil {
		d.log(ctx, "token cache entry ignored", map[string]any{"path": d.entry, "reason": err.Error()})
		return nil
	}
	now := d.now()
	left := tok.Expiry.Sub(now)
	switch {
	case left <= 0:
		if locked {
			_ = os.Remove(d.entry)
			d.log(ctx, "expired token cache entry removed", map[string]any{"path": d.entry})
		}
		return nil
	case left > tok.ExpiresIn+time.Minute:
		// Valid for longer than it was issued for: the clock was turned
		// back since it was written. Its real expiry is unknown.
		d.log(ctx, "token cache entry ignored", map[string]any{"path": d.entry, "reason": "its expiry is further away than its lifetime; the clock has changed"})
		return nil
	case left <= refreshMargin(tok.ExpiresIn):
		return nil
	}
	d.log(ctx, "token from the token cache", map[string]any{"path": d.entry, "expires_in_s": int(left.Seconds())})
	return tok
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, errors.New("the entry is larger than any token")
	}
	return data, nil
}

// acquire takes the entry's lock, waiting while another process holds it
// (that process is requesting the token this one needs). The wait ends with
// ctx (Ctrl-C, the provider stopping), saying why, or after the request
// timeout with a TokenCacheLockError. The operating system releases the lock
// of a process that dies, so it never goes stale.
func (d *tokenDir) acquire(ctx context.Context) (func(), error) {
	f, err := os.OpenFile(d.lock, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, &TokenCacheDirError{Source: d.source, Path: d.dir, Reason: "its lock file cannot be opened: " + pathErrReason(err)}
	}
	ctx, cancel := context.WithTimeoutCause(ctx, d.wait, &TokenCacheLockError{Source: d.source, Path: d.lock, Waited: d.wait})
	defer cancel()
	delay := lockPollMin
	for {
		ok, err := tryLockFile(f)
		if err != nil {
			f.Close()
			return nil, &TokenCacheDirError{Source: d.source, Path: d.dir, Reason: "its lock file cannot be locked: " + err.Error()}
		}
		if ok {
			return func() {
				_ = unlockFile(f)
				f.Close()
			}, nil
		}
		if delay == lockPollMin {
			d.log(ctx, "waiting for another process's token request (token cache lock held)", map[string]any{"path": d.lock, "wait_limit": d.wait.String()})
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			var timedOut *TokenCacheLockError
			if errors.As(context.Cause(ctx), &timedOut) {
				return nil, timedOut
			}
			return nil, stopError(ctx)
		case <-t.C:
		}
		delay = min(2*delay, lockPollMax)
	}
}

// store writes the token atomically: a temporary file in the same
// directory, flushed to disk, then renamed over the entry, so a reader sees
// the old entry or the new one and never half of one. A token in hand is
// never lost to a failed write: the failure is logged and the token used.
func (d *tokenDir) store(ctx context.Context, tok *Token) {
	if err := d.write(tok); err != nil {
		d.log(ctx, "token cache entry not written", map[string]any{"path": d.entry, "reason": pathErrReason(err)})
		return
	}
	d.log(ctx, "token cache entry written", map[string]any{"path": d.entry})
}

func (d *tokenDir) write(tok *Token) (err error) {
	sealed, err := d.seal(tok)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(d.dir, filepath.Base(d.entry)+".*.tmp") // created 0600
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(sealed); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), d.entry); err != nil {
		return err
	}
	return syncDir(d.dir)
}
