package servicetitan_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/tokencache"
)

// Benchmarks of the auth core, run by `make bench` (never by `make test`,
// which runs no benchmark). They cover what a provider process does per
// data source or ephemeral resource once its token is cached (AuthToken,
// AuthHeaders), what it does once per configuration (Resolve), and the one
// token request it makes per configuration.

// benchInput is a complete set of explicit settings pointing at root.
func benchInput(root string) servicetitan.Input {
	return servicetitan.Input{
		"auth_root_url": root,
		"api_root_url":  root,
		"client_id":     testClientID,
		"client_secret": testSecret,
		"app_key":       testAppKey,
		"tenant_id":     testTenant,
	}
}

func benchResolve(b *testing.B, root string, opts servicetitan.Options) *servicetitan.Config {
	b.Helper()
	conn, _, err := servicetitan.Resolve(benchInput(root), opts)
	if err != nil {
		b.Fatalf("Resolve: %v", err)
	}
	return conn
}

// warmConnection returns a connection whose token cache already holds a
// token from the stand-in.
func warmConnection(b *testing.B) *servicetitan.Config {
	b.Helper()
	srv := acctest.StandIn(b)
	conn := benchResolve(b, srv.URL(), fastOptions())
	if _, err := conn.AuthToken(b.Context()); err != nil {
		b.Fatalf("first AuthToken: %v", err)
	}
	if n := srv.TokenRequests(); n != 1 {
		b.Fatalf("warm-up made %d token requests, want 1", n)
	}
	return conn
}

// BenchmarkAuthTokenCached is the path every data source read and every
// ephemeral open takes after the first: the cached token is handed out.
func BenchmarkAuthTokenCached(b *testing.B) {
	conn := warmConnection(b)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := conn.AuthToken(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthTokenCachedParallel is the same with every core asking at
// once, as Terraform's parallel graph walk does.
func BenchmarkAuthTokenCachedParallel(b *testing.B) {
	conn := warmConnection(b)
	ctx := b.Context()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := conn.AuthToken(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkAuthHeaders builds the Authorization and ST-App-Key headers
// from the cached token.
func BenchmarkAuthHeaders(b *testing.B) {
	conn := warmConnection(b)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		h, err := conn.AuthHeaders(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(h) != 2 {
			b.Fatalf("%d headers", len(h))
		}
	}
}

// BenchmarkResolve resolves and validates every setting, as the provider
// does once per configuration (and again when Terraform re-configures it).
func BenchmarkResolve(b *testing.B) {
	opts := fastOptions()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := servicetitan.Resolve(benchInput("http://127.0.0.1:1"), opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRequestAuthTokenStandIn is a cold token request over loopback
// HTTP to the stand-in, keep-alive connection reused. The stand-in runs in
// this process, so the figures include its side too: issuing and signing
// the token, encoding the response.
func BenchmarkRequestAuthTokenStandIn(b *testing.B) {
	srv := acctest.StandIn(b)
	conn := benchResolve(b, srv.URL(), fastOptions())
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := servicetitan.RequestAuthToken(ctx, conn); err != nil {
			b.Fatal(err)
		}
	}
	if got, want := srv.TokenRequests(), b.N; got < want {
		b.Fatalf("stand-in saw %d token requests for b.N=%d", got, want)
	}
}

// cannedTransport answers every request with the same token response,
// without a network or a server: what is left is the client's own work
// (form encoding, retry policy, response parsing, JWT claims).
type cannedTransport struct {
	body string
}

func (t cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Status:        "200 OK",
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		Body:          io.NopCloser(strings.NewReader(t.body)),
		ContentLength: int64(len(t.body)),
		Request:       req,
	}, nil
}

// BenchmarkRequestAuthTokenClientOnly is a cold token request whose
// response comes from memory: the client's share of the stand-in figure.
func BenchmarkRequestAuthTokenClientOnly(b *testing.B) {
	// One real response from the stand-in, replayed.
	srv := acctest.StandIn(b)
	resp, err := http.Post(srv.URL()+"/connect/token", "application/x-www-form-urlencoded",
		strings.NewReader("grant_type=client_credentials&client_id="+testClientID+"&client_secret="+testSecret))
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("stand-in answered %d: %v", resp.StatusCode, err)
	}
	opts := fastOptions()
	opts.Transport = cannedTransport{body: string(body)}
	conn := benchResolve(b, "http://127.0.0.1:1", opts)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		tok, err := servicetitan.RequestAuthToken(ctx, conn)
		if err != nil {
			b.Fatal(err)
		}
		if tok.AccessToken == "" {
			b.Fatal("no access token")
		}
	}
}

// BenchmarkTokenFromWarmCacheDir is what a new provider process pays for
// its first token when token_cache_dir holds one: resolve the settings,
// derive the cache's keys, read and open the sealed entry. It replaces a
// token request.
func BenchmarkTokenFromWarmCacheDir(b *testing.B) {
	srv := acctest.StandIn(b)
	in := benchInput(srv.URL())
	in["token_cache_dir"] = b.TempDir()
	opts := fastOptions()
	opts.TokenStore = tokencache.New
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		conn, _, err := servicetitan.Resolve(in, opts)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := conn.AuthToken(ctx); err != nil {
			b.Fatal(err)
		}
	}
	if n := srv.TokenRequests(); n != 1 {
		b.Fatalf("%d token requests, want 1: every connection after the first must find the entry", n)
	}
}
