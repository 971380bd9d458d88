package servicetitan

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// The wait between retries grows exponentially, never passes its cap, and
// is jittered over [d/2, d] so that processes started together spread out.
// Measuring real waits would make this slow and noisy, so the policy is
// sampled directly.
func TestBackoffStaysWithinItsCapWithJitter(t *testing.T) {
	const minWait, maxWait = 500 * time.Millisecond, 8 * time.Second
	p := &RetryPolicy{opts: Options{}.withDefaults()}
	for _, attempt := range []int{0, 1, 2, 3, 4, 5, 10, 16, 17, 40, 63} {
		ceiling := maxWait
		if attempt < 5 {
			ceiling = minWait << attempt
		}
		seen := map[time.Duration]bool{}
		for range 2000 {
			d := p.backoff(minWait, maxWait, attempt, nil)
			if d < ceiling/2 || d > ceiling {
				t.Fatalf("attempt %d: wait %s outside [%s, %s]", attempt, d, ceiling/2, ceiling)
			}
			seen[d] = true
		}
		if len(seen) < 100 {
			t.Errorf("attempt %d: only %d distinct waits in 2000 samples: no jitter", attempt, len(seen))
		}
	}
}

// A certificate that fails verification is final however it is wrapped:
// retrying cannot fix it, and each retry would only make the user wait
// for the same error. go-retryablehttp recognises the shape net/http gives
// it directly, not a verification error that a transport wrapped once more,
// nor the x509 values on their own.
func TestCertificateErrorsAreFinalAndRefusedConnectionsRetried(t *testing.T) {
	const tokenURL = "https://auth.example.com/connect/token"
	cert := &x509.Certificate{DNSNames: []string{"other.example.com"}}
	hostname := x509.HostnameError{Certificate: cert, Host: "auth.example.com"}
	inURLError := func(err error) error { return &url.Error{Op: "Post", URL: tokenURL, Err: err} }
	for name, err := range map[string]error{
		"wrong host name, as net/http reports it": inURLError(&tls.CertificateVerificationError{Err: hostname}),
		"wrong host name, wrapped by the transport": inURLError(fmt.Errorf("handshake with auth.example.com: %w",
			&tls.CertificateVerificationError{Err: hostname})),
		"wrong host name, outside a *url.Error": &tls.CertificateVerificationError{Err: hostname},
		"unknown authority":                     inURLError(x509.UnknownAuthorityError{Cert: cert}),
		"expired certificate":                   inURLError(x509.CertificateInvalidError{Cert: cert, Reason: x509.Expired, Detail: "the certificate expired yesterday"}),
	} {
		if !finalTransportError(context.Background(), err) {
			t.Errorf("%s (%v) is retried; a certificate that fails verification must fail at once", name, err)
		}
	}

	// A server not listening yet may be listening on the next attempt.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	client := &http.Client{Timeout: 5 * time.Second}
	resp, refused := client.Post("http://"+addr+"/connect/token", "application/x-www-form-urlencoded", nil)
	if refused == nil {
		_ = resp.Body.Close()
		t.Fatalf("%s accepted a connection after its listener closed", addr)
	}
	if finalTransportError(context.Background(), refused) {
		t.Errorf("a refused connection (%v) is final; it must be retried", refused)
	}
}
