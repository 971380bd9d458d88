// Package tokencache is the token_cache_dir layer under the auth core's
// token source: a servicetitan.TokenStore that keeps one sealed file per
// set of credentials in a directory, so that the plan and apply processes
// of one run, later runs and parallel jobs on the same machine share a
// token instead of each asking ServiceTitan for one. The core never
// imports it; whoever builds servicetitan.Options sets Options.TokenStore
// to New.
package tokencache

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// What protects the directory: the entry is sealed with AES-256-GCM under
// a key derived from the client secret, and its file name is an HMAC under
// another key derived from the same secret. Reading the directory therefore yields
// nothing that the secret does not already grant, and a different secret
// (even with the same client id) finds no entry at all. The directory's
// permissions are a second wall, not the first.

// maxTokenCacheEntry bounds what is read from an entry: a sealed token is
// about 2 KiB, and anything much larger is not ours.
const maxTokenCacheEntry = 64 << 10

// tokenDir is the token_cache_dir layer under a TokenSource: the
// in-process single-flight stays in front of it, so one process never
// waits on its own lock. It is the servicetitan.TokenStore New returns.
type tokenDir struct {
	dir    string
	source servicetitan.Source
	name   string // the entry's file name: a keyed hash, then ".token"
	lock   string // its lock file's name
	aead   cipher.AEAD
	aad    []byte
	now    func() time.Time
	// boot reads the clock that counts from boot, suspend included, which
	// a change of the wall clock does not move.
	boot func() (bootTime, bool)
	// minLife is min_token_life: an entry with less life left is replaced.
	minLife time.Duration
	// wait bounds how long a process waits for another's token request: as
	// long as that request may take.
	wait time.Duration
	log  func(context.Context, string, map[string]any)
	warn func(context.Context, string, map[string]any)

	mu sync.Mutex
	// off says why this process no longer uses the directory; "" while it does.
	off string
}

// New builds the store of a token_cache_dir, for Options.TokenStore. The
// keys depend on the client secret; with no secret the store is never
// used, since a token is asked for only once the credentials are complete.
// Nothing is read or written until a token is asked for.
func New(p servicetitan.TokenStoreParams) (servicetitan.TokenStore, error) {
	d, err := newTokenDir(p)
	if err != nil {
		return nil, &servicetitan.TokenCacheDirError{Source: p.Source, Path: p.Dir,
			Reason: "its keys cannot be derived from the client secret: " + err.Error()}
	}
	return d, nil
}

func newTokenDir(p servicetitan.TokenStoreParams) (*tokenDir, error) {
	tenant := ""
	if p.EnterpriseHub {
		tenant = p.TenantID
	}
	binding := cacheBinding(p.TokenURL, p.ClientID, p.EnterpriseHub, tenant)
	sealKey, err := deriveKey(p.ClientSecret, "seal", binding)
	if err != nil {
		return nil, err
	}
	nameKey, err := deriveKey(p.ClientSecret, "name", binding)
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
		dir:     p.Dir,
		source:  p.Source,
		name:    name + ".token",
		lock:    name + ".lock",
		aead:    aead,
		aad:     append(append([]byte(nil), entryHeader...), binding...),
		now:     p.Now,
		boot:    readBootTime,
		wait:    p.LockWait,
		minLife: p.MinTokenLife,
		log:     p.Log,
		warn:    p.Warn,
	}, nil
}

// Discard removes the entry when it holds tok, a token ServiceTitan
// refused, so that neither this process nor another is handed it again.
// An entry that already holds another token is left alone.
func (d *tokenDir) Discard(ctx context.Context, tok *servicetitan.Token) {
	if d.isOff() {
		return
	}
	root, err := d.open()
	if err != nil {
		return
	}
	defer root.Close()
	data, err := readEntry(root, d.name)
	if err != nil {
		return
	}
	if ct, err := d.unseal(data); err == nil && ct.AccessToken == tok.AccessToken {
		if root.Remove(d.name) == nil {
			d.log(ctx, "refused token removed from the token cache", map[string]any{"path": filepath.Join(d.dir, d.name)})
		}
	}
}

// The token source (servicetitan.WithTokenStore) drives the directory:
// Load; on a miss Lock, which also removes stale temporary files; Load
// again under the lock (another process may just have written the entry);
// and only then is a token requested, and Store writes it. A failed
// request writes nothing.
//
// The directory is opt-in speed and never makes a run worse than no
// directory: the refusals the docs promise (another owner, writable by
// others, not a directory) are errors, but a directory that merely cannot
// be used (read-only, full, a lock that cannot be opened) turns the layer
// off for this process, with one warning, and the token is requested as if
// no directory were set.

// Load returns the entry's token when more than the refresh margin of its
// life remains. A refused directory is an error; one that cannot be used
// turns the layer off, and then, as when it is off, there is no token.
func (d *tokenDir) Load(ctx context.Context) (*servicetitan.Token, error) {
	root, err := d.usable(ctx)
	if root == nil {
		return nil, err
	}
	defer root.Close()
	return d.load(ctx, root, false), nil
}

// usable opens the directory while this process uses it. A refused
// directory is the error; one that cannot be used turns the layer off,
// and then, as when it is off, there is neither a handle nor an error.
func (d *tokenDir) usable(ctx context.Context) (*os.Root, error) {
	if d.isOff() {
		return nil, nil
	}
	root, err := d.open()
	if err != nil {
		var refused *servicetitan.TokenCacheDirError
		if errors.As(err, &refused) {
			return nil, err
		}
		d.turnOff(ctx, err)
		return nil, nil
	}
	return root, nil
}

// Lock takes the entry's lock. Without it (the layer is off, or turned off
// now, or the holder kept it as long as its request may take) it returns
// nil, nil: the token is requested without the lock and nothing is
// written. A refused directory, or a wait that ended with ctx, is an error.
func (d *tokenDir) Lock(ctx context.Context) (servicetitan.LockedTokenStore, error) {
	root, err := d.usable(ctx)
	if root == nil {
		return nil, err
	}
	unlock, err := d.acquire(ctx, root)
	var timedOut *lockTimeout
	switch {
	case errors.As(err, &timedOut):
		root.Close()
		// The holder is taking longer than any request of these
		// settings should; asking on our own costs one request, where
		// failing would cost the run. Without the lock, nothing is
		// written.
		d.warn(ctx, "token cache lock still held; requesting a token without it", map[string]any{
			"setting": servicetitan.SettingTokenCacheDir.Name, "source": d.source.String(), "lock": filepath.Join(d.dir, d.lock), "waited": timedOut.waited.String()})
		return nil, nil
	case err != nil && ctx.Err() != nil:
		root.Close()
		return nil, err
	case err != nil:
		root.Close()
		d.turnOff(ctx, err)
		return nil, nil
	}
	d.removeStaleTemps(ctx, root)
	return &lockedDir{d: d, root: root, unlock: unlock}, nil
}

// lockedDir is the directory while this process holds the entry's lock,
// through the handle the lock was taken in.
type lockedDir struct {
	d      *tokenDir
	root   *os.Root
	unlock func()
}

// Load reads the entry again; with the lock held an expired entry is also
// removed.
func (l *lockedDir) Load(ctx context.Context) *servicetitan.Token {
	return l.d.load(ctx, l.root, true)
}

// Store writes tok as the entry.
func (l *lockedDir) Store(ctx context.Context, tok *servicetitan.Token) {
	l.d.store(ctx, l.root, tok)
}

// Unlock releases the lock, then the directory's handle.
func (l *lockedDir) Unlock() {
	l.unlock()
	l.root.Close()
}

func (d *tokenDir) isOff() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.off != ""
}

// turnOff stops this process from using the directory, saying why once.
func (d *tokenDir) turnOff(ctx context.Context, why error) {
	d.mu.Lock()
	first := d.off == ""
	if first {
		d.off = why.Error()
	}
	d.mu.Unlock()
	if first {
		d.warn(ctx, "token cache directory not used by this process; tokens are requested as without token_cache_dir", map[string]any{
			"setting": servicetitan.SettingTokenCacheDir.Name, "source": d.source.String(), "path": d.dir, "reason": why.Error()})
	}
}

// open makes the directory if it is missing, opens it once, and checks the
// handle it opened: every later operation is relative to that handle and
// follows no symbolic link, so no path is resolved twice and no link leads
// out of the directory that was checked.
func (d *tokenDir) open() (*os.Root, error) {
	if err := d.makeDir(); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(d.dir)
	if err != nil {
		if errors.Is(err, syscall.ENOTDIR) {
			return nil, &servicetitan.TokenCacheDirError{Source: d.source, Path: d.dir, Reason: "it is not a directory"}
		}
		return nil, fmt.Errorf("the directory cannot be opened: %s", pathErrReason(err))
	}
	fi, err := root.Stat(".")
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("the directory cannot be read: %s", pathErrReason(err))
	}
	if reason := unsafeDir(d.dir, fi); reason != "" {
		root.Close()
		return nil, &servicetitan.TokenCacheDirError{Source: d.source, Path: d.dir, Reason: reason}
	}
	return root, nil
}

// makeDir creates the directory (0700) and any missing parent, but never
// inside a directory that belongs to another user (root's excepted, such as
// /tmp): what is created there would be ours, in their tree, and could
// lock them out of it.
func (d *tokenDir) makeDir() error {
	existing := d.dir
	for {
		fi, err := os.Stat(existing)
		if err == nil {
			if existing == d.dir {
				if !fi.IsDir() {
					return &servicetitan.TokenCacheDirError{Source: d.source, Path: d.dir, Reason: "it is not a directory"}
				}
				return nil
			}
			if reason := foreignParent(existing, fi); reason != "" {
				return &servicetitan.TokenCacheDirError{Source: d.source, Path: d.dir, Reason: reason}
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("the directory cannot be looked up: %s", pathErrReason(err))
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			break
		}
		existing = parent
	}
	if err := os.MkdirAll(d.dir, 0o700); err != nil {
		return fmt.Errorf("the directory cannot be created: %s", pathErrReason(err))
	}
	return nil
}

func pathErrReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	return err.Error()
}

// load reads the entry and returns its token when more than the refresh
// margin of its life remains. Anything else is ignored: a missing,
// unreadable, damaged or foreign entry, or anything that is not a regular
// file (a FIFO would block a plain open forever), is replaced by the next
// write. With the lock held, an expired entry is also removed (without it,
// the removal could race with another process's fresh write).
func (d *tokenDir) load(ctx context.Context, root *os.Root, locked bool) *servicetitan.Token {
	data, err := readEntry(root, d.name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		d.log(ctx, "token cache entry ignored", map[string]any{"path": filepath.Join(d.dir, d.name), "reason": pathErrReason(err)})
		return nil
	}
	ct, err := d.unseal(data)
	if err != nil {
		d.log(ctx, "token cache entry ignored", map[string]any{"path": filepath.Join(d.dir, d.name), "reason": err.Error()})
		return nil
	}
	tok, reason := d.trust(ct)
	switch {
	case reason == "expired":
		if locked {
			_ = root.Remove(d.name)
			d.log(ctx, "expired token cache entry removed", map[string]any{"path": filepath.Join(d.dir, d.name)})
		}
		return nil
	case reason != "":
		d.log(ctx, "token cache entry ignored", map[string]any{"path": filepath.Join(d.dir, d.name), "reason": reason})
		return nil
	}
	left := tok.Expiry.Sub(d.now())
	if left <= servicetitan.RefreshMarginFor(tok.ExpiresIn, d.minLife) {
		return nil
	}
	d.log(ctx, "token from the token cache", map[string]any{"path": filepath.Join(d.dir, d.name), "expires_in_s": int(left.Seconds())})
	return tok
}

// readEntry reads an entry without following a link or blocking on a
// special file, and only when it is a regular file of at most
// maxTokenCacheEntry bytes.
func readEntry(root *os.Root, name string) ([]byte, error) {
	f, err := openInDir(root, name, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("it is not a regular file (%s)", fi.Mode().Type())
	}
	data, err := io.ReadAll(io.LimitReader(f, maxTokenCacheEntry+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxTokenCacheEntry {
		return nil, errors.New("the entry is larger than any token")
	}
	return data, nil
}

// errLink is a symbolic link where a file of the directory belongs.
var errLink = errors.New("it is a symbolic link, which is never followed")

// openInDir opens name in the directory without following a link: os.Root
// keeps links from leading out of the directory but follows those that
// stay inside, so a link is refused by looking before and after the open.
// openNoFollow also keeps the open from blocking on a FIFO.
func openInDir(root *os.Root, name string, flag int, perm os.FileMode) (*os.File, error) {
	if fi, err := root.Lstat(name); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errLink}
	}
	f, err := root.OpenFile(name, flag|openNoFollow, perm)
	if err != nil {
		return nil, err
	}
	if fi, err := root.Lstat(name); err != nil || fi.Mode()&os.ModeSymlink != 0 {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: errLink}
	}
	return f, nil
}

// removeStaleTemps removes what writes of this entry left behind when
// their process died between creating a temporary file and renaming it.
// Only the lock's holder writes, so with the lock held every such file is
// stale.
func (d *tokenDir) removeStaleTemps(ctx context.Context, root *os.Root) {
	dir, err := root.Open(".")
	if err != nil {
		return
	}
	names, _ := dir.Readdirnames(-1)
	dir.Close()
	for _, n := range names {
		if strings.HasPrefix(n, d.name+".") && strings.HasSuffix(n, ".tmp") {
			if root.Remove(n) == nil {
				d.log(ctx, "stale token cache temporary file removed", map[string]any{"path": filepath.Join(d.dir, n)})
			}
		}
	}
}

// store writes the token atomically: a temporary file in the same
// directory, flushed to disk, then renamed over the entry, so a reader sees
// the old entry or the new one and never half of one. A token in hand is
// never lost to a failed write: the failure is logged and the token used.
func (d *tokenDir) store(ctx context.Context, root *os.Root, tok *servicetitan.Token) {
	path := filepath.Join(d.dir, d.name)
	renamed, err := d.write(root, tok)
	switch {
	case err != nil && renamed:
		d.log(ctx, "token cache entry written, but the directory could not be flushed to disk", map[string]any{"path": path, "reason": pathErrReason(err)})
	case err != nil:
		d.log(ctx, "token cache entry not written", map[string]any{"path": path, "reason": pathErrReason(err)})
	default:
		d.log(ctx, "token cache entry written", map[string]any{"path": path})
	}
}

// write reports whether the rename happened, so a failure after it is
// not mistaken for an entry that was never written.
func (d *tokenDir) write(root *os.Root, tok *servicetitan.Token) (renamed bool, err error) {
	sealed, err := d.seal(tok)
	if err != nil {
		return false, err
	}
	var suffix [8]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return false, err
	}
	tmp := d.name + "." + hex.EncodeToString(suffix[:]) + ".tmp"
	f, err := openInDir(root, tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return false, err
	}
	defer func() {
		if err != nil && !renamed {
			f.Close()
			_ = root.Remove(tmp)
		}
	}()
	if _, err = f.Write(sealed); err != nil {
		return false, err
	}
	if err = f.Sync(); err != nil {
		return false, err
	}
	if err = f.Close(); err != nil {
		return false, err
	}
	if err = root.Rename(tmp, d.name); err != nil {
		return false, err
	}
	return true, syncDir(root)
}
