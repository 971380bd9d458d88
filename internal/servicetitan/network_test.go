package servicetitan_test

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

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
			srv := standIn(t)
			srv.InjectTokenFaults(fakeservicetitan.Fault{Status: status, Headers: map[string]string{
				"Location": "http://" + ln.Addr().String() + "/connect/token?sig=location-secret",
			}})
			conn := connectTo(t, srv, servicetitan.Input{}, fastOptions())
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
			conn := connectTo(t, nil, servicetitan.Input{AuthRootURL: tc.root, APIRootURL: tc.root}, opts)
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
	conn := connectTo(t, nil, servicetitan.Input{AuthRootURL: root, APIRootURL: root, MaxRetries: ptr(int64(1))}, fastOptions())
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
	conn := connectTo(t, nil, servicetitan.Input{AuthRootURL: root, APIRootURL: root, MaxRetries: ptr(int64(2))}, fastOptions())
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

// HTTPS_PROXY is honoured: the token request for ServiceTitan's host goes
// through the proxy, which sees only the CONNECT target (the secret travels
// inside the tunnel). The proxy refuses, so nothing leaves the machine.
func TestHTTPSProxyIsHonoured(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	var mu sync.Mutex
	var seen []string
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			line, _ := bufio.NewReader(c).ReadString('\n')
			mu.Lock()
			seen = append(seen, strings.TrimSpace(line))
			mu.Unlock()
			_, _ = c.Write([]byte("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
			_ = c.Close()
		}
	}()

	opts := fastOptions()
	opts.LookupEnv = env(map[string]string{"HTTPS_PROXY": "http://" + ln.Addr().String()})
	conn, _, err := servicetitan.Connect(servicetitan.Input{
		Environment: "integration", ClientID: testClientID, ClientSecret: testSecret, MaxRetries: ptr(int64(0)),
	}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.AuthToken(t.Context()); err == nil {
		t.Fatal("a refusing proxy produced a token")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || seen[0] != "CONNECT auth-integration.servicetitan.io:443 HTTP/1.1" {
		t.Fatalf("the proxy saw %q, want one CONNECT to auth-integration.servicetitan.io:443", seen)
	}
}

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }
