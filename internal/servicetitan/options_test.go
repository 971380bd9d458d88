package servicetitan_test

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

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
	conn, _, err := servicetitan.Resolve(servicetitan.Input{
		"environment": "integration", "client_id": testClientID, "client_secret": testSecret, "max_retries": "0",
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
