package apiclient_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/apiclient"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

func openProxy(t *testing.T, srv *fakeservicetitan.Server, opts servicetitan.Options, stop context.Context) *apiclient.Proxy {
	t.Helper()
	p, err := apiclient.NewProxy(t.Context(), acctest.ConfigFor(t, srv, nil, opts), stop)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

func jobsPath(tenant string) string { return "/jpm/v2/tenant/" + tenant + "/jobs" }

// get sends a request to u as a consumer would, never following a
// redirect, and returns the status and body.
func get(t *testing.T, method, u string, header http.Header) (int, string) {
	t.Helper()
	// A wait that the proxy fails to end fails the test in seconds.
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return do(t, c, ctx, method, u, header)
}

// do sends a request with a small JSON body through c.
func do(t *testing.T, c *http.Client, ctx context.Context, method, u string, header http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, u, strings.NewReader(`{"x":1}`))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A request through the proxy carries a token that is fresh whenever it
// is made: across three token lifetimes every call answers 200, and the
// stand-in is asked for one token per lifetime, not one per call.
func TestProxyPutsAFreshTokenOnEveryRequest(t *testing.T) {
	clk, srv, opts := clockedStandIn(t)
	p := openProxy(t, srv, opts, nil)
	for i := range 30 {
		status, body := get(t, http.MethodGet, p.URL+jobsPath(acctest.TenantID), http.Header{"Authorization": {"Bearer stale"}})
		if status != http.StatusOK || !strings.Contains(body, `"data"`) {
			t.Fatalf("call %d: %d %s", i, status, body)
		}
		clk.Advance(90 * time.Second) // 900 s tokens: a new one every ten calls
	}
	if got := srv.TokenRequests(); got < 3 || got > 4 {
		t.Errorf("%d token requests over three token lifetimes, want 3 or 4", got)
	}
}

// clockedStandIn is a stand-in and options that share a settable clock.
func clockedStandIn(t *testing.T) (*acctest.Clock, *fakeservicetitan.Server, servicetitan.Options) {
	t.Helper()
	clk := acctest.NewClock(time.Now())
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Now = clk.Now })
	opts := acctest.FastOptions()
	opts.Now = clk.Now
	return clk, srv, opts
}

// rawRequest sends text as it is to the proxy and returns the status.
func rawRequest(t *testing.T, p *apiclient.Proxy, text string) int {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(p.URL[:strings.LastIndex(p.URL, "/")], "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, text); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var pd struct {
		Title, Detail string
	}
	if err := json.NewDecoder(resp.Body).Decode(&pd); err != nil || pd.Title == "" || pd.Detail == "" {
		t.Errorf("the refusal's body is no problem details (%v): %+v", err, pd)
	}
	return resp.StatusCode
}

// What the proxy refuses reaches the stand-in never, and each refusal
// says why.
func TestProxyRefusesWhatItMustNotForward(t *testing.T) {
	srv := acctest.StandIn(t)
	p := openProxy(t, srv, acctest.FastOptions(), nil)
	hostPort := strings.TrimPrefix(p.URL[:strings.LastIndex(p.URL, "/")], "http://")
	prefix := p.URL[strings.LastIndex(p.URL, "/"):]
	for _, tc := range []struct {
		name, request string
		want          int
	}{
		{"no unguessable part", "GET " + jobsPath(acctest.TenantID) + " HTTP/1.1\r\nHost: " + hostPort + "\r\n\r\n", 404},
		{"a wrong unguessable part", "GET /AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" + jobsPath(acctest.TenantID) + " HTTP/1.1\r\nHost: " + hostPort + "\r\n\r\n", 404},
		{"another tenant", "GET " + prefix + jobsPath("9999") + " HTTP/1.1\r\nHost: " + hostPort + "\r\n\r\n", 403},
		{"no tenant", "GET " + prefix + "/jpm/v2/jobs HTTP/1.1\r\nHost: " + hostPort + "\r\n\r\n", 403},
		{"a parent segment", "GET " + prefix + "/jpm/v2/tenant/" + acctest.TenantID + "/../../x HTTP/1.1\r\nHost: " + hostPort + "\r\n\r\n", 400},
		{"an encoded slash", "GET " + prefix + "/jpm/v2/tenant/" + acctest.TenantID + "/%2F%2Fevil HTTP/1.1\r\nHost: " + hostPort + "\r\n\r\n", 400},
		{"absolute form of another host", "GET http://127.0.0.2:1" + prefix + jobsPath(acctest.TenantID) + " HTTP/1.1\r\nHost: " + hostPort + "\r\n\r\n", 421},
		{"another Host (DNS rebinding)", "GET " + prefix + jobsPath(acctest.TenantID) + " HTTP/1.1\r\nHost: evil.example:" + hostPort[strings.LastIndex(hostPort, ":")+1:] + "\r\n\r\n", 421},
		{"CONNECT", "CONNECT 127.0.0.2:443 HTTP/1.1\r\nHost: 127.0.0.2:443\r\n\r\n", 405},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := rawRequest(t, p, tc.request); got != tc.want {
				t.Errorf("status %d, want %d", got, tc.want)
			}
		})
	}
	if n := srv.Stats().APIRequests + srv.TokenRequests(); n != 0 {
		t.Errorf("the stand-in received %d requests from refused ones", n)
	}
}

// A 503 is sent again only where sending twice is harmless; a 429 is
// waited out for every method; what finally came goes back as it came.
func TestProxyRetriesByMethod(t *testing.T) {
	for _, tc := range []struct {
		method    string
		fault     int
		wantCalls int
		want      int
	}{
		{http.MethodGet, 503, 2, 200},
		{http.MethodPost, 503, 1, 503},
		{http.MethodPost, 429, 2, 0},
	} {
		t.Run(fmt.Sprint(tc.method, tc.fault), func(t *testing.T) {
			srv := acctest.StandIn(t)
			p := openProxy(t, srv, acctest.FastOptions(), nil)
			srv.InjectAPIFaults(fakeservicetitan.Fault{Status: tc.fault, Headers: map[string]string{"Retry-After": "0"}})
			status, _ := get(t, tc.method, p.URL+jobsPath(acctest.TenantID), nil)
			if n := srv.Stats().APIRequests; n != tc.wantCalls {
				t.Errorf("the stand-in received %d requests, want %d", n, tc.wantCalls)
			}
			if tc.want != 0 && status != tc.want {
				t.Errorf("status %d, want %d", status, tc.want)
			}
		})
	}
}

// A redirect goes back to the consumer as it came: the proxy never
// follows it with the token.
func TestProxyPassesRedirectsBack(t *testing.T) {
	srv := acctest.StandIn(t)
	p := openProxy(t, srv, acctest.FastOptions(), nil)
	srv.InjectAPIFaults(fakeservicetitan.Fault{Status: 302, Headers: map[string]string{"Location": "http://127.0.0.2:1/x"}})
	status, _ := get(t, http.MethodGet, p.URL+jobsPath(acctest.TenantID), nil)
	if status != http.StatusFound || srv.Stats().APIRequests != 1 {
		t.Errorf("status %d after %d requests, want the 302 after 1", status, srv.Stats().APIRequests)
	}
}

// 200 requests at once through the proxy, with the pager's reads beside
// them, keep under the stand-in's 60 a second per tenant.
func TestProxySharesThePace(t *testing.T) {
	srv := acctest.StandIn(t)
	p := openProxy(t, srv, acctest.FastOptions(), nil)
	c := client(t, srv, nil, acctest.FastOptions())
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			if status, body := get(t, http.MethodGet, p.URL+jobsPath(acctest.TenantID), nil); status != 200 {
				t.Errorf("proxy call %d: %d %s", i, status, body)
			}
		})
		if i%4 == 0 {
			wg.Go(func() {
				if _, err := c.Call(t.Context(), jobsRequest(false)); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	if got := srv.Stats().RateLimited; got != 0 {
		t.Errorf("the stand-in answered %d requests with 429", got)
	}
}

// Ctrl-C ends a consumer's wait for a Retry-After at once, and after Close
// the URL answers nothing.
func TestProxyStopsWaitsAndCloses(t *testing.T) {
	srv := acctest.StandIn(t)
	stop, interrupt := context.WithCancelCause(context.Background())
	rec := &recorder{}
	opts := acctest.FastOptions()
	opts.Log = rec.log
	p := openProxy(t, srv, opts, stop)
	srv.InjectAPIFaults(fakeservicetitan.Fault{Status: 429, Headers: map[string]string{"Retry-After": "25"}})
	var once sync.Once
	rec.saw = func(msg string) {
		if msg == "ServiceTitan API request waiting before its next attempt" {
			once.Do(func() { interrupt(servicetitan.ErrInterrupted) })
		}
	}
	started := time.Now()
	status, body := get(t, http.MethodGet, p.URL+jobsPath(acctest.TenantID), nil)
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "interrupted") {
		t.Errorf("%d %s, want 503 saying the wait was interrupted", status, body)
	}
	if waited := time.Since(started); waited > 10*time.Second {
		t.Errorf("the interrupted wait took %s", waited)
	}
	text := rec.text()
	if !strings.Contains(text, "ServiceTitan API proxy map[duration_ms:") || !strings.Contains(text, "status:503") || strings.Contains(text, p.URL[strings.LastIndex(p.URL, "/"):]) {
		t.Errorf("the log does not show the proxy's line, or shows its unguessable part:\n%s", text)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(p.URL + jobsPath(acctest.TenantID)); err == nil {
		t.Error("the closed proxy still answers")
	}
}

// A body past what the proxy keeps for a resend is refused with 413,
// whether its length was declared or it arrived in chunks, and nothing
// reaches ServiceTitan.
func TestProxyRefusesABodyTooLargeToKeep(t *testing.T) {
	srv := acctest.StandIn(t)
	p := openProxy(t, srv, acctest.FastOptions(), nil)
	big := strings.Repeat("x", apiclient.MaxRequestBody+1)
	for _, chunked := range []bool{false, true} {
		var body io.Reader = strings.NewReader(big)
		if chunked {
			// A reader of unknown length: the client sends it in chunks.
			body = io.MultiReader(strings.NewReader(big))
		}
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, p.URL+jobsPath(acctest.TenantID), body)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("chunked %v: %v", chunked, err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("chunked %v: status %d, want 413", chunked, resp.StatusCode)
		}
	}
	if n := srv.Stats().APIRequests + srv.TokenRequests(); n != 0 {
		t.Errorf("the stand-in received %d requests", n)
	}
}

// An answer past the 64 MiB cap is cut off, and the consumer is told: its
// read of the body fails, rather than ending as if the body were whole.
func TestProxyAnAnswerPastTheCapFailsTheConsumersRead(t *testing.T) {
	srv := acctest.StandIn(t)
	p := openProxy(t, srv, acctest.FastOptions(), nil)
	srv.InjectAPIFaults(fakeservicetitan.Fault{Status: 200, Body: `"` + strings.Repeat("x", apiclient.MaxAPIResponseSize) + `"`})
	resp, err := http.Get(p.URL + jobsPath(acctest.TenantID))
	if err != nil {
		return // refused before the body: told as well
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err == nil {
		t.Errorf("the consumer read %d bytes of a %d-byte answer and was told nothing", n, apiclient.MaxAPIResponseSize+2)
	}
}
