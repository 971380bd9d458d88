package servicetitan_test

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// A token endpoint that answers 307 must not get the form, client_secret
// included, re-sent to the Location: the second host hears nothing at all.
func TestRedirectIsNeverFollowed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatalf("this test needs a second loopback address, 127.0.0.2, to stand for another host: %v", err)
	}
	var connections atomic.Int32
	other := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}), ConnState: func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			connections.Add(1)
		}
	}}
	go func() { _ = other.Serve(ln) }()
	t.Cleanup(func() { _ = other.Close() })

	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			srv := acctest.StandIn(t)
			srv.InjectTokenFaults(fakeservicetitan.Fault{Status: status, Headers: map[string]string{
				"Location": "http://" + ln.Addr().String() + "/connect/token?sig=location-secret",
			}})
			conn := configFor(t, srv, servicetitan.Input{}, fastOptions())
			_, err := conn.AuthToken(t.Context())
			if err == nil {
				t.Fatal("a redirect was taken for a token")
			}
			if n := connections.Load(); n != 0 {
				t.Fatalf("the redirect target received %d connections: the token form went to another host", n)
			}
			if n := srv.TokenRequests(); n != 1 {
				t.Errorf("token requests = %d, want 1: a redirect is final, not retried", n)
			}
			t.Logf("message: %s", err)
			wantContains(t, err.Error(), fmt.Sprintf("HTTP %d %s", status, http.StatusText(status)), "redirected to http://"+ln.Addr().String(), "Check auth_root_url")
			mustNotLeak(t, err.Error(), "location-secret", "/connect/token?")
		})
	}
}

// A certificate that fails verification will not fix itself: one attempt,
// and the message says which check failed.
func TestCertificateFailuresAreFinal(t *testing.T) {
	var requests, connections atomic.Int32
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		requests.Add(1)
	}))
	tlsSrv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			connections.Add(1)
		}
	}
	tlsSrv.Config.ErrorLog = discardLog()
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	// The test server's certificate names 127.0.0.1 and example.com, not
	// localhost; a transport that trusts it isolates the host-name check.
	base, ok := tlsSrv.Client().Transport.(*http.Transport)
	if !ok {
		t.Fatalf("the test server's client has a %T, not an *http.Transport", tlsSrv.Client().Transport)
	}
	trusting := base.Clone()
	_, port, err := net.SplitHostPort(tlsSrv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, root string
		transport  http.RoundTripper
		want       string
	}{
		{"unknown authority", tlsSrv.URL, nil, "certificate signed by unknown authority"},
		{"wrong host name", "https://localhost:" + port, trusting, "not localhost"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requests.Store(0)
			connections.Store(0)
			opts := fastOptions()
			opts.Transport = tc.transport
			conn := configFor(t, nil, servicetitan.Input{"auth_root_url": tc.root, "api_root_url": tc.root}, opts)
			_, err := conn.AuthToken(t.Context())
			if err == nil {
				t.Fatal("a certificate that fails verification was accepted")
			}
			t.Logf("message: %s", err)
			if n := connections.Load(); n != 1 {
				t.Errorf("%d connections, want 1: a certificate failure was retried", n)
			}
			if requests.Load() != 0 {
				t.Error("the request reached the server over an unverified connection")
			}
			wantContains(t, err.Error(), "TLS certificate failed verification", tc.want)
		})
	}
}

func TestConnectionRefusedIsRetriedAndNamed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	root := "http://" + ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	conn := configFor(t, nil, servicetitan.Input{"auth_root_url": root, "api_root_url": root, "max_retries": "1"}, fastOptions())
	_, err = conn.AuthToken(t.Context())
	if err == nil {
		t.Fatal("no error from a closed port")
	}
	t.Logf("message: %s", err)
	wantContains(t, err.Error(), root+"/connect/token", "connection refused", "after 2 attempts")
}

// A server that accepts and then resets the connection is a network fault:
// retried, then reported as a reset.
func TestConnectionResetIsRetriedAndNamed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	var accepted atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			// Read the request line so the reset comes after it was sent.
			_, _ = bufio.NewReader(c).ReadString('\n')
			if tcp, ok := c.(*net.TCPConn); ok {
				_ = tcp.SetLinger(0)
			}
			_ = c.Close()
		}
	}()
	root := "http://" + ln.Addr().String()
	conn := configFor(t, nil, servicetitan.Input{"auth_root_url": root, "api_root_url": root, "max_retries": "2"}, fastOptions())
	_, err = conn.AuthToken(t.Context())
	if err == nil {
		t.Fatal("no error from a server that resets")
	}
	if n := accepted.Load(); n != 3 {
		t.Errorf("%d connections, want 3 (one try and two retries)", n)
	}
	t.Logf("message: %s", err)
	wantContains(t, err.Error(), "connection reset", "after 3 attempts")
}

func TestFaults(t *testing.T) {
	for _, tc := range []struct {
		name         string
		faults       []fakeservicetitan.Fault
		in           servicetitan.Input
		opts         func(*servicetitan.Options)
		wantRequests int
		wantErr      []string // empty: success
		wantOnce     []string // said exactly once in the message
		minElapsed   time.Duration
		// bound is how long the case may take before it is failed with
		// boundWhy instead of waiting for Go's test timeout.
		bound    time.Duration
		boundWhy string
	}{
		{
			name:         "400 invalid_client is not retried",
			faults:       []fakeservicetitan.Fault{{Status: 400, Body: `{"error":"invalid_client","error_description":"Client authentication failed"}`}},
			wantRequests: 1,
			wantErr:      []string{"HTTP 400", "invalid_client", "Client authentication failed", "Check client_id and client_secret"},
		},
		{
			name:         "wrong secret rejected by the server",
			in:           servicetitan.Input{"client_secret": "not-the-secret-at-all"},
			wantRequests: 1,
			wantErr:      []string{"invalid_client"},
		},
		{
			name:         "503 twice then success",
			faults:       []fakeservicetitan.Fault{{Status: 503}, {Status: 503}},
			wantRequests: 3,
		},
		{
			name:         "500 502 504 then success",
			faults:       []fakeservicetitan.Fault{{Status: 500}, {Status: 502}, {Status: 504}},
			wantRequests: 4,
		},
		{
			name:         "429 with Retry-After 2 is waited",
			faults:       []fakeservicetitan.Fault{{Status: 429, Headers: map[string]string{"Retry-After": "2"}, Body: `{"error":"too_many_requests"}`}},
			wantRequests: 2,
			minElapsed:   2 * time.Second,
		},
		{
			name:         "Retry-After as an HTTP date",
			faults:       []fakeservicetitan.Fault{{Status: 503, Headers: map[string]string{"Retry-After": "DATE+2s"}}},
			wantRequests: 2,
			minElapsed:   time.Second, // HTTP dates have one-second resolution
		},
		{
			name:         "Retry-After beyond the cap fails at once",
			faults:       []fakeservicetitan.Fault{{Status: 429, Headers: map[string]string{"Retry-After": "3600"}}},
			wantRequests: 1,
			wantErr:      []string{"HTTP 429", "asked to wait 1h0m0s", "more than the 30s", "Try again later"},
			wantOnce:     []string{"asked to wait", "1h0m0s"},
			bound:        5 * time.Second,
			boundWhy:     "the Retry-After cap was not applied: the client waited instead of failing at once",
		},
		{
			name:         "retries exhausted report the last status",
			faults:       []fakeservicetitan.Fault{{Status: 503}, {Status: 503}, {Status: 503}},
			in:           servicetitan.Input{"max_retries": "2"},
			wantRequests: 3,
			wantErr:      []string{"HTTP 503", "after 3 attempts"},
		},
		{
			name:         "403 is final",
			faults:       []fakeservicetitan.Fault{{Status: 403, Body: `{"error":"unauthorized_client"}`}},
			wantRequests: 1,
			wantErr:      []string{"HTTP 403", "unauthorized_client"},
		},
		{
			name:         "hung server is cut by the timeout",
			faults:       []fakeservicetitan.Fault{{Hang: true}},
			in:           servicetitan.Input{"request_timeout": "300ms", "max_retries": "0"},
			wantRequests: 1,
			wantErr:      []string{"no response within the request timeout of 300ms", "request_timeout"},
		},
		{
			name:         "hung server then success on retry",
			faults:       []fakeservicetitan.Fault{{Hang: true}},
			in:           servicetitan.Input{"request_timeout": "300ms"},
			wantRequests: 2,
		},
		{
			name:         "HTML body",
			faults:       []fakeservicetitan.Fault{{Status: 200, ContentType: "text/html", Body: fakeservicetitan.HTMLBody}},
			in:           servicetitan.Input{"max_retries": "0"},
			wantRequests: 1,
			wantErr:      []string{"HTTP 200", "HTML page", "the body began"},
		},
		{
			name:         "HTML 502 from a gateway is retried",
			faults:       []fakeservicetitan.Fault{{Status: 502, ContentType: "text/html", Body: fakeservicetitan.HTMLBody}},
			wantRequests: 2,
		},
		{
			name:         "truncated JSON",
			faults:       []fakeservicetitan.Fault{{Status: 200, Body: fakeservicetitan.TruncatedJSON()}},
			wantRequests: 1,
			wantErr:      []string{"not valid JSON", "truncated"},
		},
		{
			name:         "missing access_token",
			faults:       []fakeservicetitan.Fault{{Status: 200, Body: fakeservicetitan.MissingAccessTokenBody}},
			wantRequests: 1,
			wantErr:      []string{"no access_token"},
		},
		{
			name:         "a server echoing the secret is redacted",
			faults:       []fakeservicetitan.Fault{{Status: 400, Body: `{"error":"invalid_request","error_description":"bad client_secret ` + testSecret + `"}`}},
			wantRequests: 1,
			wantErr:      []string{"invalid_request", "[REDACTED]"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := acctest.StandIn(t)
			for _, f := range tc.faults {
				if f.Headers["Retry-After"] == "DATE+2s" {
					// An HTTP date must be computed when the case runs.
					f.Headers = map[string]string{"Retry-After": time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat)}
				}
				srv.InjectTokenFaults(f)
			}
			opts := fastOptions()
			if tc.opts != nil {
				tc.opts(&opts)
			}
			conn := configFor(t, srv, tc.in, opts)
			bound := cmp.Or(tc.bound, 15*time.Second)
			ctx, cancel := context.WithTimeout(t.Context(), bound)
			defer cancel()
			start := time.Now()
			tok, err := conn.AuthToken(ctx)
			elapsed := time.Since(start)
			if ctx.Err() != nil {
				t.Fatalf("no answer within %s: %s", bound, cmp.Or(tc.boundWhy, "the client kept waiting"))
			}
			if got := srv.TokenRequests(); got != tc.wantRequests {
				t.Errorf("token requests = %d, want %d", got, tc.wantRequests)
			}
			if elapsed < tc.minElapsed {
				t.Errorf("returned after %s, before the %s the server asked to wait", elapsed, tc.minElapsed)
			}
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if tok.AccessToken != srv.LastIssuedToken() {
					t.Error("token is not the one the server issued")
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			wantContains(t, err.Error(), tc.wantErr...)
			for _, w := range tc.wantOnce {
				if n := strings.Count(err.Error(), w); n != 1 {
					t.Errorf("%q appears %d times in %q, want once", w, n, err)
				}
			}
			wantContains(t, err.Error(), srv.URL()+"/connect/token")
			mustNotLeak(t, err.Error(), srv.LastIssuedToken())
			if strings.Contains(err.Error(), "eyJ") {
				t.Errorf("error carries something JWT-shaped: %s", err)
			}
		})
	}
}

// The final error of a request that ran out of attempts lists what each
// attempt got and how long was waited after it.
func TestFinalErrorListsEveryAttempt(t *testing.T) {
	srv := acctest.StandIn(t)
	srv.InjectTokenFaults(
		fakeservicetitan.Fault{Status: 503, Headers: map[string]string{"Retry-After": "1"}},
		fakeservicetitan.Fault{Status: 429, Headers: map[string]string{"Retry-After": "0"}},
		fakeservicetitan.Fault{Status: 502},
	)
	c := configFor(t, srv, servicetitan.Input{"max_retries": "2"}, fastOptions())
	_, err := c.AuthToken(t.Context())
	if err == nil {
		t.Fatal("no error")
	}
	wantContains(t, err.Error(), "(after 3 attempts: HTTP 503, then waited 1s as ServiceTitan's Retry-After asked; HTTP 429, then waited 0s as ServiceTitan's Retry-After asked; HTTP 502)")
}

// A connection that fails names where the auth root URL came from.
func TestConnectionErrorNamesTheRootURLsSource(t *testing.T) {
	root := "http://127.0.0.1:9"
	c, _, err := servicetitan.Resolve(servicetitan.Input{"client_id": testClientID, "client_secret": testSecret, "max_retries": "0"},
		servicetitan.Options{LookupEnv: env(map[string]string{"SERVICETITAN_AUTH_ROOT_URL": root})})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.AuthToken(t.Context())
	wantContains(t, err.Error(), "(the auth root URL is auth_root_url from environment variable SERVICETITAN_AUTH_ROOT_URL)")
}
