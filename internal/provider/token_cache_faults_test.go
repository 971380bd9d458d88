package provider

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

// What the token cache directory promises: it never costs a run a
// failure or a hang, however the directory misbehaves.

const cachedTokenConfig = `
data "servicetitan_auth_token" "d" {}
output "tenant" { value = data.servicetitan_auth_token.d.tenant_id }
`

// Plans that wait for another's token request wait as long as that request
// may take with the same settings, and all succeed, as they would without
// the cache.
func TestAccTokenCacheWaitersOutlastTheHolder(t *testing.T) {
	srv := acctest.StandIn(t)
	srv.InjectTokenFaults(fakeservicetitan.Fault{Status: 429, Headers: map[string]string{"Retry-After": "8"}})
	dir := t.TempDir()
	const n = 4
	runs := make([]*acctest.CLIRun, n)
	for i := range runs {
		runs[i] = acctest.NewCLIRun(t, acctest.ProviderBlock(srv, cacheDirLine(dir), `request_timeout = "2s"`)+cachedTokenConfig)
	}
	for i, err := range plansTogether(t, runs) {
		if err != nil {
			t.Errorf("plan %d of %d failed while another plan's request sat out a Retry-After of 8 s: %v", i+1, n, err)
		}
	}
	if got := srv.TokenRequests(); got != 2 {
		t.Errorf("%d token requests, want 2 (the throttled one and its retry)", got)
	}
}

// cacheEntry fills dir with one plan and returns the entry's and the lock's
// paths.
func cacheEntry(t *testing.T, srv *fakeservicetitan.Server, dir string) (entry, lock string) {
	t.Helper()
	acctest.NewCLIRun(t, acctest.ProviderBlock(srv, cacheDirLine(dir))+cachedTokenConfig).MustRun("plan")
	for name := range acctest.CacheFiles(t, dir) {
		if strings.HasSuffix(name, ".token") {
			entry = filepath.Join(dir, name)
		}
	}
	if entry == "" {
		t.Fatal("the plan wrote no token cache entry")
	}
	return entry, strings.TrimSuffix(entry, ".token") + ".lock"
}

// planWithin runs a plan with the cache and fails, rather than hangs, when
// it takes longer than a minute.
func planWithin(t *testing.T, srv *fakeservicetitan.Server, dir string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	err := acctest.NewCLIRun(t, acctest.ProviderBlock(srv, cacheDirLine(dir))+cachedTokenConfig).Command(ctx, &out, "plan").Run()
	if ctx.Err() != nil {
		t.Fatalf("the plan was still running after a minute:\n%s", out.String())
	}
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out.String())
	}
}

func TestAccTokenCacheOddFilesNeverFailOrHangAPlan(t *testing.T) {
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, entry, lock string)
		// requests is how many token requests the second plan makes.
		requests int
	}{
		{"a FIFO in the entry's place", func(t *testing.T, entry, _ string) {
			mustDo(t, os.Remove(entry), syscall.Mkfifo(entry, 0o600))
		}, 1},
		{"a directory in the lock's place", func(t *testing.T, entry, lock string) {
			mustDo(t, os.Remove(entry), os.Remove(lock), os.Mkdir(lock, 0o700))
		}, 1},
		{"a dangling link in the lock's place", func(t *testing.T, entry, lock string) {
			mustDo(t, os.Remove(entry), os.Remove(lock), os.Symlink(filepath.Join(filepath.Dir(lock), "planted"), lock))
		}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := acctest.StandIn(t)
			dir := t.TempDir()
			entry, lock := cacheEntry(t, srv, dir)
			tc.plant(t, entry, lock)
			before := srv.TokenRequests()
			planWithin(t, srv, dir)
			if got := srv.TokenRequests() - before; got != tc.requests {
				t.Errorf("the plan made %d token requests, want %d", got, tc.requests)
			}
			if _, err := os.Lstat(filepath.Join(dir, "planted")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a file was created through the link: %v", err)
			}
		})
	}
}

func mustDo(t *testing.T, errs ...error) {
	t.Helper()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
