//go:build unix

package tokencache_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// cachedNames are the entry's and the lock's names in dir, found by letting
// one configuration fill it.
func cachedNames(t *testing.T, srv *fakeservicetitan.Server, dir string) (entry, lock string) {
	t.Helper()
	if _, err := cachedConn(t, srv, dir).AuthToken(t.Context()); err != nil {
		t.Fatal(err)
	}
	entry = entryPath(t, dir)
	return entry, strings.TrimSuffix(entry, ".token") + ".lock"
}

// tokenWithin asks for a token from a fresh configuration of dir and fails
// the test, rather than hang it, when no answer comes in time.
func tokenWithin(t *testing.T, srv *fakeservicetitan.Server, dir string, opts ...func(servicetitan.Input, *servicetitan.Options)) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	c := cachedConn(t, srv, dir, opts...)
	go func() {
		_, err := c.AuthToken(ctx)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(15 * time.Second):
		t.Fatal("no token within 15s: the token cache directory hung the request")
		return nil
	}
}

// warnings collects what the core warns of.
type warnings struct {
	mu    sync.Mutex
	lines []string
}

func (w *warnings) option(_ servicetitan.Input, o *servicetitan.Options) {
	o.Warn = func(_ context.Context, msg string, fields map[string]any) {
		w.mu.Lock()
		defer w.mu.Unlock()
		line := msg
		for _, k := range []string{"setting", "source", "reason"} {
			if v, ok := fields[k]; ok {
				line += " " + k + "=" + fmt.Sprint(v)
			}
		}
		w.lines = append(w.lines, line)
	}
}

func (w *warnings) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.lines...)
}

// Something other than a regular file where the entry belongs is ignored,
// as a damaged entry is: a FIFO would block a plain open forever, and a
// link could lead anywhere.
func TestTokenDirIgnoresWhatIsNotARegularFile(t *testing.T) {
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, entry string)
	}{
		{"fifo", func(t *testing.T, entry string) {
			if err := syscall.Mkfifo(entry, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"directory", func(t *testing.T, entry string) {
			if err := os.Mkdir(entry, 0o700); err != nil {
				t.Fatal(err)
			}
		}},
		{"link to a valid entry", func(t *testing.T, entry string) {
			if err := os.Symlink(filepath.Base(entry)+".saved", entry); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := acctest.StandIn(t)
			dir := t.TempDir()
			entry, _ := cachedNames(t, srv, dir)
			if err := os.Rename(entry, entry+".saved"); err != nil {
				t.Fatal(err)
			}
			tc.plant(t, entry)
			if err := tokenWithin(t, srv, dir); err != nil {
				t.Fatalf("got %v, want a token", err)
			}
			if got := srv.TokenRequests(); got != 2 {
				t.Errorf("%d token requests, want 2: the %s was not ignored", got, tc.name)
			}
		})
	}
}

// A link in the lock's place is never followed: creating the lock through
// a dangling link would make an empty file wherever it points, inside the
// directory or out of it.
func TestTokenDirNeverCreatesThroughALink(t *testing.T) {
	for _, inside := range []bool{false, true} {
		t.Run(map[bool]string{false: "out of the directory", true: "inside it"}[inside], func(t *testing.T) { neverCreatesThroughALink(t, inside) })
	}
}

func neverCreatesThroughALink(t *testing.T, inside bool) {
	srv := acctest.StandIn(t)
	dir := t.TempDir()
	entry, lock := cachedNames(t, srv, dir)
	if err := os.Remove(entry); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	target, link := filepath.Join(t.TempDir(), "nologin"), ""
	link = target
	if inside {
		target, link = filepath.Join(dir, "planted"), "planted"
	}
	if err := os.Symlink(link, lock); err != nil {
		t.Fatal(err)
	}
	if err := tokenWithin(t, srv, dir); err != nil {
		t.Fatalf("got %v, want a token", err)
	}
	if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the link's target was created: %v", err)
	}
}

// A directory that merely cannot be used never fails a run: the process
// carries on as if token_cache_dir were unset, and says why once.
func TestTokenDirUnusableDirectoryOnlyTurnsItOff(t *testing.T) {
	for _, tc := range []struct {
		name   string
		plant  func(t *testing.T, dir, lock string) string
		reason string
	}{
		{"a directory in the lock's place", func(t *testing.T, dir, lock string) string {
			if err := os.Remove(lock); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(lock, 0o700); err != nil {
				t.Fatal(err)
			}
			return dir
		}, "lock file"},
		{"a FIFO in the lock's place", func(t *testing.T, dir, lock string) string {
			if err := os.Remove(lock); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Mkfifo(lock, 0o600); err != nil {
				t.Fatal(err)
			}
			return dir
		}, "not a regular file"},
		{"a file where a parent should be", func(t *testing.T, dir, _ string) string {
			file := filepath.Join(t.TempDir(), "file")
			if err := os.WriteFile(file, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(file, "tokens")
		}, "cannot be"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := acctest.StandIn(t)
			dir := t.TempDir()
			entry, lock := cachedNames(t, srv, dir)
			if err := os.Remove(entry); err != nil {
				t.Fatal(err)
			}
			dir = tc.plant(t, dir, lock)
			var w warnings
			c := cachedConn(t, srv, dir, w.option)
			for range 2 {
				if _, err := c.AuthToken(t.Context()); err != nil {
					t.Fatalf("got %v, want a token as without the directory", err)
				}
			}
			got := w.all()
			if len(got) != 1 {
				t.Fatalf("%d warnings, want 1: %q", len(got), got)
			}
			acctest.WantContains(t, got[0], "setting=token_cache_dir", `source=attribute "token_cache_dir"`, tc.reason)
		})
	}
}

// Killed between writing a temporary file and renaming it, a process
// leaves the file behind; the next holder of the lock removes it.
func TestTokenDirRemovesStaleTemporaryFiles(t *testing.T) {
	srv := acctest.StandIn(t)
	dir := t.TempDir()
	entry, _ := cachedNames(t, srv, dir)
	stale := []string{entry + ".0123456789abcdef.tmp", entry + ".fedcba9876543210.tmp"}
	for _, f := range stale {
		if err := os.WriteFile(f, []byte("half an entry"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(entry); err != nil {
		t.Fatal(err)
	}
	if err := tokenWithin(t, srv, dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range stale {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("stale %s is still there: %v", filepath.Base(f), err)
		}
	}
}

// Every write is a new file renamed over the entry, never the old file
// written again: a reader sees the old entry or the new one, never half.
func TestTokenDirWritesANewFileEveryTime(t *testing.T) {
	clk := acctest.NewClock(time.Now())
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Now = clk.Now })
	dir := t.TempDir()
	withClock := func(_ servicetitan.Input, o *servicetitan.Options) { o.Now = clk.Now }
	inode := func() uint64 {
		fi, err := os.Stat(entryPath(t, dir))
		if err != nil {
			t.Fatal(err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			t.Fatalf("no inode for %s", fi.Name())
		}
		return st.Ino
	}
	if _, err := cachedConn(t, srv, dir, withClock).AuthToken(t.Context()); err != nil {
		t.Fatal(err)
	}
	first := inode()
	clk.Advance(899 * time.Second)
	if _, err := cachedConn(t, srv, dir, withClock).AuthToken(t.Context()); err != nil {
		t.Fatal(err)
	}
	if srv.TokenRequests() != 2 {
		t.Fatalf("%d token requests, want 2", srv.TokenRequests())
	}
	if inode() == first {
		t.Error("the entry was written in place, not replaced by a new file")
	}
}

// Run by root, the provider must not create the directory inside a tree
// that belongs to another user: what it created there would be root's.
func TestTokenDirIsNotCreatedInsideAnotherUsersDirectory(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can create directories inside another user's; as anyone else the system refuses it")
	}
	srv := acctest.StandIn(t)
	home := filepath.Join(t.TempDir(), "home")
	if err := os.Mkdir(home, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(home, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(home, ".cache", "servicetitan")
	_, err := cachedConn(t, srv, dir).AuthToken(t.Context())
	var de *servicetitan.TokenCacheDirError
	if !errors.As(err, &de) {
		t.Fatalf("got %v, want the directory refused", err)
	}
	acctest.WantContains(t, err.Error(), `attribute "token_cache_dir"`, home, "owned by uid 65534")
	if _, err := os.Stat(filepath.Join(home, ".cache")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a directory was created in the other user's tree: %v", err)
	}
}
