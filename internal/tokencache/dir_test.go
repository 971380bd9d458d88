package tokencache_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/apiclient"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/tokencache"
)

// Each Resolve without Options.SharedTokens has a token source of its own, as a
// separate provider process would: what such configurations share goes
// through the directory.

// cacheOptions are the core tests' options with this package wired in as
// the provider wires it.
func cacheOptions() servicetitan.Options {
	opts := acctest.FastOptions()
	opts.TokenStore = tokencache.New
	return opts
}

func cachedConn(t *testing.T, srv *fakeservicetitan.Server, dir string, mod ...func(servicetitan.Input, *servicetitan.Options)) *servicetitan.Config {
	t.Helper()
	in := servicetitan.Input{"token_cache_dir": dir}
	opts := cacheOptions()
	for _, m := range mod {
		m(in, &opts)
	}
	return acctest.ConfigFor(t, srv, in, opts)
}

// entryPath is the one sealed entry in dir.
func entryPath(t *testing.T, dir string) string {
	t.Helper()
	var found []string
	for name := range acctest.CacheFiles(t, dir) {
		if strings.HasSuffix(name, ".token") {
			found = append(found, filepath.Join(dir, name))
		}
	}
	if len(found) != 1 {
		t.Fatalf("token cache holds %d entries, want 1: %v", len(found), found)
	}
	return found[0]
}

func TestTokenDirSharesOneTokenBetweenProcesses(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Latency = 100 * time.Millisecond })
	dir := filepath.Join(t.TempDir(), "nested", "tokens")
	const n = 6
	tokens := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		conn := cachedConn(t, srv, dir)
		wg.Go(func() {
			tok, err := conn.AuthToken(t.Context())
			if err != nil {
				t.Error(err)
				return
			}
			tokens[i] = tok.AccessToken
		})
	}
	wg.Wait()
	if got := srv.TokenRequests(); got != 1 {
		t.Fatalf("%d configurations sharing a token cache directory made %d token requests, want 1", n, got)
	}
	for i := range tokens {
		if tokens[i] != tokens[0] {
			t.Fatal("configurations were handed different tokens")
		}
	}
	later := cachedConn(t, srv, dir)
	tok, err := later.AuthToken(t.Context())
	if err != nil || tok.AccessToken != tokens[0] || srv.TokenRequests() != 1 {
		t.Fatalf("a later configuration did not reuse the cached token (err %v, requests %d)", err, srv.TokenRequests())
	}
	if tok.ExpiresIn != 900*time.Second || len(tok.Scopes) == 0 || tok.TokenType != "Bearer" {
		t.Errorf("cached token lost its fields: %v", tok)
	}
}

func TestTokenDirRevealsNothing(t *testing.T) {
	srv := acctest.StandIn(t)
	dir := filepath.Join(t.TempDir(), "tokens")
	tok, err := cachedConn(t, srv, dir).AuthToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.VerifyToken(tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	forbidden := append(acctest.TokenRevealers(t, tok.AccessToken), acctest.ClientSecret, acctest.ClientID, "tn.", srv.URL(), "client_id", "access_token")
	acctest.CheckTokenCacheRevealsNothing(t, dir, forbidden)
}

func TestTokenDirIsNotServedToAnotherSecret(t *testing.T) {
	srv := acctest.StandIn(t)
	dir := t.TempDir()
	if _, err := cachedConn(t, srv, dir).AuthToken(t.Context()); err != nil {
		t.Fatal(err)
	}
	wrong := cachedConn(t, srv, dir, func(in servicetitan.Input, _ *servicetitan.Options) {
		in["client_secret"] = "not-" + acctest.ClientSecret
	})
	tok, err := wrong.AuthToken(t.Context())
	if err == nil {
		t.Fatalf("the same client id with another secret was handed a token: %v", tok)
	}
	acctest.WantContains(t, err.Error(), "invalid_client")
	if got := srv.TokenRequests(); got != 2 {
		t.Errorf("%d token requests, want 2: the other secret must ask ServiceTitan, which refuses it", got)
	}
	// A failure is never written, and the good entry stays.
	entryPath(t, dir)
	if tok, err := cachedConn(t, srv, dir).AuthToken(t.Context()); err != nil || srv.TokenRequests() != 2 {
		t.Fatalf("the right secret no longer finds its entry: %v, %d requests", tok, srv.TokenRequests())
	}
}

func TestTokenDirIsBoundToTheTokenURLAndTheTenant(t *testing.T) {
	dir := t.TempDir()
	first, second := acctest.StandIn(t), acctest.StandIn(t)
	if _, err := cachedConn(t, first, dir).AuthToken(t.Context()); err != nil {
		t.Fatal(err)
	}
	tok, err := cachedConn(t, second, dir).AuthToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := second.VerifyToken(tok.AccessToken); err != nil || second.TokenRequests() != 1 {
		t.Fatalf("another token URL with the same credentials was served the first one's token (requests there: %d)", second.TokenRequests())
	}

	hubSrv := acctest.StandIn(t, func(c *fakeservicetitan.Config) {
		c.Clients = []fakeservicetitan.Client{{ID: acctest.ClientID, Secret: acctest.ClientSecret, Tenant: acctest.TenantID, EnterpriseHub: true}}
	})
	onTenant := func(tenant string) func(servicetitan.Input, *servicetitan.Options) {
		return func(in servicetitan.Input, _ *servicetitan.Options) {
			in["enterprise_hub"], in["tenant_id"] = "true", tenant
		}
	}
	if _, err := cachedConn(t, hubSrv, dir, onTenant(acctest.TenantID)).AuthToken(t.Context()); err != nil {
		t.Fatal(err)
	}
	if tok, err := cachedConn(t, hubSrv, dir, onTenant("6666")).AuthToken(t.Context()); err == nil {
		t.Fatalf("an Enterprise Hub app was served another tenant's token: %v", tok)
	}
	if hubSrv.TokenRequests() != 2 {
		t.Errorf("%d token requests, want 2: the other tenant must ask ServiceTitan, which refuses it", hubSrv.TokenRequests())
	}
}

func TestTokenDirIgnoresAndReplacesBadEntries(t *testing.T) {
	for _, tc := range []struct {
		name    string
		damage  func(t *testing.T, path string)
		replace bool
	}{
		{"one bit of the ciphertext flipped", func(t *testing.T, p string) {
			b, _ := os.ReadFile(p)
			b[len(b)-20] ^= 1
			mustWrite(t, p, b)
		}, true},
		{"one bit of the header flipped", func(t *testing.T, p string) {
			b, _ := os.ReadFile(p)
			b[4] ^= 1
			mustWrite(t, p, b)
		}, true},
		{"truncated", func(t *testing.T, p string) {
			b, _ := os.ReadFile(p)
			mustWrite(t, p, b[:len(b)/2])
		}, true},
		{"empty", func(t *testing.T, p string) { mustWrite(t, p, nil) }, true},
		{"garbage", func(t *testing.T, p string) { mustWrite(t, p, bytes.Repeat([]byte("garbage\n"), 200)) }, true},
		{"huge", func(t *testing.T, p string) { mustWrite(t, p, make([]byte, 1<<20)) }, true},
		{"unreadable: a directory in its place", func(t *testing.T, p string) {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(p, 0o700); err != nil {
				t.Fatal(err)
			}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := acctest.StandIn(t)
			dir := t.TempDir()
			if _, err := cachedConn(t, srv, dir).AuthToken(t.Context()); err != nil {
				t.Fatal(err)
			}
			p := entryPath(t, dir)
			tc.damage(t, p)
			tok, err := cachedConn(t, srv, dir).AuthToken(t.Context())
			if err != nil {
				t.Fatalf("a damaged entry became an error: %v", err)
			}
			if got := srv.TokenRequests(); got != 2 {
				t.Fatalf("%d token requests, want 2: the damaged entry must be ignored and a new token requested", got)
			}
			if _, err := srv.VerifyToken(tok.AccessToken); err != nil {
				t.Fatalf("the token handed out is not one the server issued: %v", err)
			}
			if !tc.replace {
				return
			}
			again, err := cachedConn(t, srv, dir).AuthToken(t.Context())
			if err != nil || again.AccessToken != tok.AccessToken || srv.TokenRequests() != 2 {
				t.Fatalf("the damaged entry was not replaced (err %v, requests %d)", err, srv.TokenRequests())
			}
		})
	}
}

func mustWrite(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestTokenDirExpiryAndRefreshMargin(t *testing.T) {
	clk := acctest.NewClock(time.Now())
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Now = clk.Now })
	dir := t.TempDir()
	withClock := func(_ servicetitan.Input, o *servicetitan.Options) { o.Now = clk.Now }
	first, err := cachedConn(t, srv, dir, withClock).AuthToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}

	clk.Advance(900*time.Second - 61*time.Second) // 61 s left: outside the 60 s margin
	if tok, err := cachedConn(t, srv, dir, withClock).AuthToken(t.Context()); err != nil || tok.AccessToken != first.AccessToken || srv.TokenRequests() != 1 {
		t.Fatalf("entry with 61 s left was not reused (err %v, requests %d)", err, srv.TokenRequests())
	}
	clk.Advance(2 * time.Second) // 59 s left: inside the margin
	second, err := cachedConn(t, srv, dir, withClock).AuthToken(t.Context())
	if err != nil || second.AccessToken == first.AccessToken || srv.TokenRequests() != 2 {
		t.Fatalf("entry with 59 s left was reused (err %v, requests %d)", err, srv.TokenRequests())
	}

	// Past its expiry, the entry is removed even when the new request fails,
	// and the failure is not written.
	clk.Advance(time.Hour)
	srv.InjectTokenFaults(fakeservicetitan.Fault{Status: 400, Body: `{"error":"invalid_client"}`})
	if _, err := cachedConn(t, srv, dir, withClock).AuthToken(t.Context()); err == nil {
		t.Fatal("the injected failure did not surface")
	}
	for name := range acctest.CacheFiles(t, dir) {
		if strings.HasSuffix(name, ".token") {
			t.Fatalf("expired entry %s was not removed, or the failure was written", name)
		}
	}
}

func TestTokenDirWritesNoFailure(t *testing.T) {
	srv := acctest.StandIn(t)
	dir := t.TempDir()
	srv.InjectTokenFaults(fakeservicetitan.Fault{Status: 503})
	conn := cachedConn(t, srv, dir, func(in servicetitan.Input, _ *servicetitan.Options) { in["max_retries"] = "0" })
	if _, err := conn.AuthToken(t.Context()); err == nil {
		t.Fatal("the injected 503 did not surface")
	}
	for name := range acctest.CacheFiles(t, dir) {
		if !strings.HasSuffix(name, ".lock") {
			t.Errorf("a failed request left %s in the cache", name)
		}
	}
	// The next process asks again and succeeds.
	if _, err := cachedConn(t, srv, dir).AuthToken(t.Context()); err != nil || srv.TokenRequests() != 2 {
		t.Fatalf("after a failure: err %v, %d requests, want success on the second", err, srv.TokenRequests())
	}
}

func TestTokenDirDirectoryIsRefusedWhenOthersCanWriteIt(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits do not apply on Windows")
	}
	srv := acctest.StandIn(t)
	for _, mode := range []os.FileMode{0o777, 0o770, 0o1777, 0o702} {
		t.Run(fmt.Sprintf("%04o", mode), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "shared")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, mode); err != nil {
				t.Fatal(err)
			}
			before := srv.TokenRequests()
			_, err := cachedConn(t, srv, "", func(_ servicetitan.Input, o *servicetitan.Options) {
				o.LookupEnv = acctest.LookupEnv(map[string]string{"SERVICETITAN_TOKEN_CACHE_DIR": dir})
			}).AuthToken(t.Context())
			var de *servicetitan.TokenCacheDirError
			if !errors.As(err, &de) {
				t.Fatalf("got %v, want the directory refused", err)
			}
			acctest.WantContains(t, err.Error(), "token_cache_dir", strconv.Quote(dir), "environment variable SERVICETITAN_TOKEN_CACHE_DIR", "others can write")
			if srv.TokenRequests() != before {
				t.Error("a token was requested despite the refused directory")
			}
			if files := acctest.CacheFiles(t, dir); len(files) != 0 {
				t.Errorf("files were written into a refused directory: %v", files)
			}
		})
	}
}

// Run by root, the test hands a directory to another user; run by anyone
// else, it points at the file system's root, which root owns.
func TestTokenDirDirectoryOfAnotherUserIsRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows owners are checked by their security descriptor, not by uid")
	}
	srv := acctest.StandIn(t)
	dir, owner := filepath.Join(t.TempDir(), "theirs"), "4242"
	if os.Geteuid() == 0 {
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(dir, 4242, 4242); err != nil {
			t.Fatal(err)
		}
	} else {
		dir, owner = "/", "0"
		if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm()&0o022 != 0 {
			t.Skipf("not root, and / cannot stand for another user's directory (mode %v, %v)", fi.Mode(), err)
		}
	}
	_, err := cachedConn(t, srv, dir).AuthToken(t.Context())
	if err == nil {
		t.Fatal("a directory owned by another user was accepted")
	}
	acctest.WantContains(t, err.Error(), `attribute "token_cache_dir"`, dir, "owned by uid "+owner)
	if srv.TokenRequests() != 0 {
		t.Error("a token was requested despite the refused directory")
	}
}

func TestTokenDirDirectoryThatIsAFileIsRefused(t *testing.T) {
	srv := acctest.StandIn(t)
	file := filepath.Join(t.TempDir(), "not-a-dir")
	mustWrite(t, file, []byte("x"))
	_, err := cachedConn(t, srv, file).AuthToken(t.Context())
	if err == nil {
		t.Fatal("a file was accepted as the token cache directory")
	}
	acctest.WantContains(t, err.Error(), "token_cache_dir", file)
}

func TestTokenDirDirectoryWithTilde(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	srv := acctest.StandIn(t)
	conn := cachedConn(t, srv, "~/.cache/servicetitan")
	if want := filepath.Join(home, ".cache", "servicetitan"); conn.TokenCacheDir() != want {
		t.Fatalf("TokenCacheDir() = %q, want %q", conn.TokenCacheDir(), want)
	}
	if _, err := conn.AuthToken(t.Context()); err != nil {
		t.Fatal(err)
	}
	entryPath(t, filepath.Join(home, ".cache", "servicetitan"))
}

// The processes below are this test binary run again with
// SERVICETITAN_TOKEN_CACHE_CHILD set: each is a provider process in all
// that matters, with its own memory and its own file descriptors.

const childEnv = "SERVICETITAN_TOKEN_CACHE_CHILD"

// childSetups prepare a child process for its mode before it asks for a
// token, where the mode needs more than the environment (see
// dir_linux_test.go).
var childSetups = map[string]func(t *testing.T, vars map[string]string){}

// TestTokenDirChildProcess is the child's body; run directly it does nothing.
func TestTokenDirChildProcess(t *testing.T) {
	mode := os.Getenv(childEnv)
	if mode == "" {
		return
	}
	vars := map[string]string{}
	for _, k := range []string{"SERVICETITAN_AUTH_ROOT_URL", "SERVICETITAN_CLIENT_ID", "SERVICETITAN_CLIENT_SECRET", "SERVICETITAN_TOKEN_CACHE_DIR", "SERVICETITAN_REQUEST_TIMEOUT"} {
		vars[k] = os.Getenv(k)
	}
	conn, _, err := servicetitan.Resolve(servicetitan.Input{}, servicetitan.Options{LookupEnv: acctest.LookupEnv(vars), TokenStore: tokencache.New})
	if err != nil {
		t.Fatal(err)
	}
	if setup := childSetups[mode]; setup != nil {
		setup(t, vars)
	}
	if mode == "barrier" {
		// Everyone starts cold at the same moment: wait for the go file.
		ready, start := os.Getenv("CHILD_READY"), os.Getenv("CHILD_START")
		mustWrite(t, filepath.Join(ready, strconv.Itoa(os.Getpid())), nil)
		for {
			if _, err := os.Stat(start); err == nil {
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	tok, err := conn.AuthToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("TOKEN " + tok.AccessToken)
}

func childCommand(t *testing.T, srv *fakeservicetitan.Server, dir, mode string, extra ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestTokenDirChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+mode,
		"SERVICETITAN_AUTH_ROOT_URL="+srv.URL(), "SERVICETITAN_CLIENT_ID="+acctest.ClientID,
		"SERVICETITAN_CLIENT_SECRET="+acctest.ClientSecret, "SERVICETITAN_TOKEN_CACHE_DIR="+dir)
	cmd.Env = append(cmd.Env, extra...)
	return cmd
}

func TestTokenDirColdProcessesShareOneRequest(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Latency = 300 * time.Millisecond })
	dir := filepath.Join(t.TempDir(), "tokens")
	ready, start := t.TempDir(), filepath.Join(t.TempDir(), "go")
	const n = 5
	outs := make([]*bytes.Buffer, n)
	cmds := make([]*exec.Cmd, n)
	for i := range n {
		cmds[i] = childCommand(t, srv, dir, "barrier", "CHILD_READY="+ready, "CHILD_START="+start)
		outs[i] = new(bytes.Buffer)
		cmds[i].Stdout, cmds[i].Stderr = outs[i], outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if entries, _ := os.ReadDir(ready); len(entries) == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the child processes did not all start within a minute")
		}
		time.Sleep(5 * time.Millisecond)
	}
	mustWrite(t, start, nil)
	token := ""
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child %d: %v\n%s", i, err, outs[i])
		}
		_, after, ok := strings.Cut(outs[i].String(), "TOKEN ")
		got, _, _ := strings.Cut(after, "\n")
		if !ok || (token != "" && got != token) {
			t.Fatalf("child %d was handed another token or none:\n%s", i, outs[i])
		}
		token = got
	}
	if got := srv.TokenRequests(); got != 1 {
		t.Fatalf("%d cold processes made %d token requests between them, want 1", n, got)
	}
}

func TestTokenDirLockOfADeadProcessIsReleased(t *testing.T) {
	srv := acctest.StandIn(t)
	dir := t.TempDir()
	// The first process takes the lock and hangs in its token request.
	srv.InjectTokenFaults(fakeservicetitan.Fault{Hang: true})
	child := childCommand(t, srv, dir, "plain", "SERVICETITAN_REQUEST_TIMEOUT=5m")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for srv.TokenRequests() == 0 {
		if time.Now().After(deadline) {
			_ = child.Process.Kill()
			t.Fatal("the child made no token request within a minute")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()

	// The request timeout is long: only the lock's release by the system
	// lets this finish in time.
	conn := cachedConn(t, srv, dir, func(in servicetitan.Input, _ *servicetitan.Options) { in["request_timeout"] = "5m" })
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if _, err := conn.AuthToken(ctx); err != nil {
		t.Fatalf("the lock of a killed process was not released: %v", err)
	}
}

// A token ServiceTitan refuses is removed from the directory, so that the
// next process asks for a new one instead of being handed it.
func TestTokenDirForgetsARefusedToken(t *testing.T) {
	srv := acctest.StandIn(t)
	dir := t.TempDir()
	jobs := apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs"}
	c := apiclient.New(cachedConn(t, srv, dir))
	if _, err := c.Call(t.Context(), jobs); err != nil {
		t.Fatal(err)
	}
	srv.RevokeTokens()
	if _, err := c.Call(t.Context(), jobs); err != nil {
		t.Fatalf("a revoked token was not replaced: %v", err)
	}
	if got := srv.TokenRequests(); got != 2 {
		t.Errorf("%d token requests, want 2", got)
	}
	next := apiclient.New(cachedConn(t, srv, dir))
	if _, err := next.Call(t.Context(), jobs); err != nil {
		t.Fatal(err)
	}
	if got := srv.TokenRequests(); got != 2 {
		t.Errorf("%d token requests after a second process, want still 2: it was handed the refused token or none", got)
	}
}
