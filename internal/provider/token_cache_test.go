package provider

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

// These tests drive the CLI with the provider as Terraform really runs it,
// one process per phase, so that what the token cache shares crosses real
// process boundaries.

func cacheDirLine(dir string) string { return fmt.Sprintf("token_cache_dir = %q", dir) }

func TestAccTokenCacheApplyMakesOneRequestAndARerunNone(t *testing.T) {
	srv := acctest.StandIn(t)
	dir := filepath.Join(t.TempDir(), "cache", "servicetitan")

	// Without the cache: one request per phase.
	acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+acctest.TokenReads(1, 1)).MustRun("apply", "-auto-approve")
	if n := srv.TokenRequests(); n != 2 {
		t.Fatalf("apply without the cache made %d token requests, want 2", n)
	}

	srv.Reset()
	run := acctest.NewCLIRun(t, acctest.ProviderBlock(srv, cacheDirLine(dir))+acctest.TokenReads(1, 1))
	run.MustRun("apply", "-auto-approve")
	if n := srv.TokenRequests(); n != 1 {
		t.Fatalf("apply with the cache made %d token requests, want 1: the apply process must reuse the plan's token", n)
	}
	run.MustRun("plan")
	if n := srv.TokenRequests(); n != 1 {
		t.Fatalf("a second plan within the token's life made %d more token requests, want 0", n-1)
	}
}

func TestAccTokenCacheFilesRevealNothing(t *testing.T) {
	srv := acctest.StandIn(t)
	dir := filepath.Join(t.TempDir(), "tokens")
	acctest.NewCLIRun(t, acctest.ProviderBlock(srv, cacheDirLine(dir))+`
data "servicetitan_auth_token" "d" {}
output "expires_at" { value = data.servicetitan_auth_token.d.expires_at }
`).MustRun("apply", "-auto-approve")

	token := srv.LastIssuedToken()
	if token == "" {
		t.Fatal("no token was issued")
	}
	forbidden := append(acctest.TokenRevealers(t, token), acctest.ClientSecret, acctest.ClientID, acctest.AppKey)
	acctest.CheckTokenCacheRevealsNothing(t, dir, forbidden)
}

func TestAccTokenCacheEightColdPlansMakeOneRequest(t *testing.T) {
	// The latency keeps the first request in flight while the other plans
	// start, so that they find the lock taken rather than an entry written.
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Latency = time.Second })
	dir := t.TempDir()
	const n = 8
	runs := make([]*acctest.CLIRun, n)
	for i := range runs {
		// Data sources only, so that this runs on every supported CLI.
		runs[i] = acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+`
data "servicetitan_auth_token" "d" {}
output "tenant" { value = data.servicetitan_auth_token.d.tenant_id }
`, "SERVICETITAN_TOKEN_CACHE_DIR="+dir)
	}
	for i, err := range plansTogether(t, runs) {
		if err != nil {
			t.Errorf("plan %d: %v", i, err)
		}
	}
	if got := srv.TokenRequests(); got != 1 {
		t.Fatalf("%d plans started at once on a cold cache made %d token requests between them, want 1", n, got)
	}
}

func TestAccTokenCacheIsNotServedToAWrongSecret(t *testing.T) {
	srv := acctest.StandIn(t)
	dir := t.TempDir()
	config := func(secret string) string {
		return strings.Replace(acctest.ProviderBlock(srv, cacheDirLine(dir)), acctest.ClientSecret, secret, 1) + `
data "servicetitan_auth_token" "d" {}
`
	}
	acctest.NewCLIRun(t, config(acctest.ClientSecret)).MustRun("plan")
	out, err := acctest.NewCLIRun(t, config("wrong-"+acctest.ClientSecret)).Run("plan")
	if err == nil {
		t.Fatalf("the same client ID with a wrong secret was served the cached token:\n%s", out)
	}
	if !acctest.ErrorText("invalid_client").MatchString(out) {
		t.Errorf("the wrong secret was not refused by ServiceTitan:\n%s", out)
	}
	if n := srv.TokenRequests(); n != 2 {
		t.Errorf("%d token requests, want 2: the wrong secret must ask ServiceTitan itself", n)
	}
}

func TestAccTokenCacheGarbageEntryIsReplaced(t *testing.T) {
	srv := acctest.StandIn(t)
	dir := t.TempDir()
	run := acctest.NewCLIRun(t, acctest.ProviderBlock(srv, cacheDirLine(dir))+`
data "servicetitan_auth_token" "d" {}
`)
	run.MustRun("plan")
	replaced := 0
	for name := range acctest.CacheFiles(t, dir) {
		if strings.HasSuffix(name, ".token") {
			if err := os.WriteFile(filepath.Join(dir, name), []byte("not a token cache entry\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			replaced++
		}
	}
	if replaced != 1 {
		t.Fatalf("found %d entries, want 1", replaced)
	}
	run.MustRun("plan")
	if n := srv.TokenRequests(); n != 2 {
		t.Fatalf("a plan over a garbage entry made %d token requests in all, want 2 (one new)", n)
	}
	run.MustRun("plan")
	if n := srv.TokenRequests(); n != 2 {
		t.Fatalf("the garbage entry was not replaced: the next plan made %d more token requests", n-2)
	}
}

func TestAccWithoutTokenCacheNothingIsWritten(t *testing.T) {
	srv := acctest.StandIn(t)
	home := t.TempDir()
	cache := t.TempDir()
	env := []string{"HOME=" + home, "XDG_CACHE_HOME=" + cache, "USERPROFILE=" + home, "LOCALAPPDATA=" + cache}
	tree := func() map[string]bool {
		paths := map[string]bool{}
		for _, d := range []string{home, cache} {
			_ = filepath.WalkDir(d, func(p string, _ os.DirEntry, _ error) error {
				if p != d {
					paths[p] = true
				}
				return nil
			})
		}
		return paths
	}
	// The CLI keeps files of its own under the home directory (OpenTofu
	// creates .terraform.d, for one): a plan without the provider shows
	// what they are.
	acctest.NewCLIRun(t, `resource "terraform_data" "x" {}`+"\n", env...).MustRun("plan")
	cliOwn := tree()

	acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+`
data "servicetitan_auth_token" "d" {}
`, env...).MustRun("plan")
	if srv.TokenRequests() != 1 {
		t.Fatalf("%d token requests, want 1", srv.TokenRequests())
	}
	for p := range tree() {
		if !cliOwn[p] {
			t.Errorf("without token_cache_dir, a plan with the provider wrote %s", p)
		}
	}
}

func TestAccTokenCacheInAWorldWritableDirectoryIsRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits do not apply on Windows")
	}
	srv := acctest.StandIn(t)
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	out, err := acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+`
data "servicetitan_auth_token" "d" {}
`, "SERVICETITAN_TOKEN_CACHE_DIR="+dir).Run("plan")
	if err == nil {
		t.Fatalf("a world-writable token cache directory was accepted:\n%s", out)
	}
	for _, want := range []string{"token_cache_dir", dir, "environment variable SERVICETITAN_TOKEN_CACHE_DIR", "others can write"} {
		if !acctest.ErrorText(want).MatchString(out) {
			t.Errorf("the error does not say %q:\n%s", want, out)
		}
	}
	if srv.TokenRequests() != 0 {
		t.Error("a token was requested despite the refused directory")
	}
	if files := acctest.CacheFiles(t, dir); len(files) != 0 {
		t.Errorf("files were written into the refused directory: %v", files)
	}
}

func TestAccTokenCacheDirMustBeAbsolute(t *testing.T) {
	srv := acctest.StandIn(t)
	out, err := acctest.NewCLIRun(t, acctest.ProviderBlock(srv, `token_cache_dir = "tokens"`)+`
data "servicetitan_auth_token" "d" {}
`).Run("plan")
	if err == nil {
		t.Fatalf("a relative token_cache_dir was accepted:\n%s", out)
	}
	for _, want := range []string{`"tokens"`, `attribute "token_cache_dir"`, "must be an absolute path"} {
		if !acctest.ErrorText(want).MatchString(out) {
			t.Errorf("the error does not say %q:\n%s", want, out)
		}
	}

	file := acctest.WriteConfigFile(t, `{"SERVICETITAN_TOKEN_CACHE_DIR": "~root2/tokens"}`)
	out, err = acctest.NewCLIRun(t, acctest.ProviderBlock(srv, fmt.Sprintf("config_file = %q", file))+`
data "servicetitan_auth_token" "d" {}
`).Run("plan")
	if err == nil {
		t.Fatalf("a token_cache_dir of another user's home was accepted:\n%s", out)
	}
	for _, want := range []string{"invalid token_cache_dir", `key "SERVICETITAN_TOKEN_CACHE_DIR"`, file, `not "~user"`} {
		if !acctest.ErrorText(want).MatchString(out) {
			t.Errorf("the error does not say %q:\n%s", want, out)
		}
	}
	if srv.TokenRequests() != 0 {
		t.Error("a token was requested despite the invalid setting")
	}
}

// plansTogether starts a plan in every run at once and returns each one's
// error, with its output in it, when all have ended.
func plansTogether(t *testing.T, runs []*acctest.CLIRun) []error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	outs := make([]bytes.Buffer, len(runs))
	errs := make([]error, len(runs))
	var wg sync.WaitGroup
	for i, run := range runs {
		cmd := run.Command(ctx, &outs[i], "plan")
		wg.Go(func() {
			if err := cmd.Run(); err != nil {
				errs[i] = fmt.Errorf("%w\n%s", err, outs[i].String())
			}
		})
	}
	wg.Wait()
	return errs
}
