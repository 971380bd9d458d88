package apiclient_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/apiclient"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// The credentials a hostile server echoes. The token is not JWT-shaped, so
// only redaction by value can catch it.
const (
	opaqueToken  = "opaqueTOKEN0123456789abcdefXYZ"
	hostileKey   = "APPKEYsecret77"
	hostileToken = `{"access_token":"` + opaqueToken + `","token_type":"Bearer","expires_in":900}`
)

// rawServer answers every connection with what answer returns for it,
// written byte for byte: malformed HTTP, lies in Content-Length, whatever
// a hostile server may send. It counts the connections it served.
type rawServer struct {
	ln    net.Listener
	conns atomic.Int64
	wg    sync.WaitGroup
}

func startRaw(t *testing.T, answer func(conn net.Conn, head string)) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{ln: ln}
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns.Add(1)
			s.wg.Go(func() {
				defer c.Close()
				head, err := readHead(c)
				if err != nil {
					return
				}
				answer(c, head)
			})
		}
	})
	t.Cleanup(func() { _ = ln.Close(); s.wg.Wait() })
	return s
}

func (s *rawServer) URL() string { return "http://" + s.ln.Addr().String() }

func readHead(c net.Conn) (string, error) {
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	var head strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", err
		}
		head.WriteString(line)
		if line == "\r\n" {
			return head.String(), nil
		}
	}
}

// answer is an HTTP/1.1 response with a true Content-Length.
func answer(status, headers, body string) string {
	return fmt.Sprintf("HTTP/1.1 %s\r\n%sContent-Length: %d\r\n\r\n%s", status, headers, len(body), body)
}

func fixed(resp string) func(net.Conn, string) {
	return func(c net.Conn, _ string) { _, _ = io.WriteString(c, resp) }
}

// recorder keeps every log line the core and the client write, message
// and fields, as a test logger that shows all.
type recorder struct {
	mu    sync.Mutex
	lines []string
	saw   func(msg string)
}

func (r *recorder) log(_ context.Context, msg string, fields map[string]any) {
	r.mu.Lock()
	r.lines = append(r.lines, fmt.Sprintf("%s %v", msg, fields))
	saw := r.saw
	r.mu.Unlock()
	if saw != nil {
		saw(msg)
	}
}

func (r *recorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n")
}

// hostileClient reads apiRoot with a token the stand-in issues as opaque
// text, the app key hostileKey, one retry, and every log line recorded.
func hostileClient(t *testing.T, apiRoot string, in servicetitan.Input) (*apiclient.Client, *recorder) {
	t.Helper()
	srv := acctest.StandIn(t)
	srv.InjectTokenFaults(fakeservicetitan.Fault{Status: 200, Body: hostileToken, Repeat: true})
	rec := &recorder{}
	opts := acctest.FastOptions()
	opts.Log, opts.Warn = rec.log, rec.log
	all := servicetitan.Input{"api_root_url": apiRoot, "app_key": hostileKey, "max_retries": "1"}
	for k, v := range in {
		all[k] = v
	}
	return apiclient.New(acctest.ConfigFor(t, srv, all, opts)), rec
}

func mustHideCredentials(t *testing.T, where, text string) {
	t.Helper()
	for _, secret := range []string{opaqueToken, hostileKey, acctest.ClientSecret} {
		if strings.Contains(text, secret) {
			t.Errorf("%s shows a credential (%q):\n%s", where, secret, text)
		}
	}
}

// Every path by which a server's words reach an error or a log line:
// each case is answered by a server that echoes the token and the app key
// there, and neither may show.
func TestServerWordsNeverShowTheCredentials(t *testing.T) {
	echo := opaqueToken + hostileKey
	for _, tc := range []struct {
		name   string
		answer string
		all    bool
		want   string
	}{
		{"a redirect's Location", "HTTP/1.1 302 Found\r\nLocation: http://" + opaqueToken + "." + hostileKey + ".example:1/\r\nContent-Length: 0\r\n\r\n", false, "redirected to http://[REDACTED].[REDACTED].example:1"},
		{"a header line without a colon", "HTTP/1.1 200 OK\r\nBearer" + echo + "\r\n\r\n", false, "malformed MIME header"},
		{"a status line", "HTTP/1.1 " + opaqueToken + " " + hostileKey + "\r\n\r\n", false, "malformed HTTP status code"},
		{"a 200 that is no list, with all_pages", answer("200 OK", "Content-Type: application/json\r\n", `{"k": "`+hostileKey+`", "t": "`+opaqueToken+`"}`), true, "all_pages needs a list"},
		{"a Retry-After", "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1 " + echo + "\r\nContent-Length: 0\r\n\r\n", false, "HTTP 503"},
		{"a body that is no JSON", answer("200 OK", "", echo), false, "not valid JSON"},
		{"an error body", answer("500 Internal Server Error", "", "x "+echo), false, "the body began"},
		{"problem details", answer("400 Bad Request", "Content-Type: application/json\r\n", `{"title":"`+hostileKey+`","errors":{"`+opaqueToken+`":["`+hostileKey+`"]}}`), false, "HTTP 400"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := startRaw(t, fixed(tc.answer))
			c, rec := hostileClient(t, raw.URL(), nil)
			_, err := c.Call(t.Context(), apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs", AllPages: tc.all})
			if err == nil {
				t.Fatal("the hostile answer was accepted")
			}
			wantContains(t, err.Error(), tc.want)
			mustHideCredentials(t, "the error", err.Error())
			mustHideCredentials(t, "the log", rec.text())
			if raw.conns.Load() == 0 {
				t.Fatal("the hostile server was never asked")
			}
		})
	}
}

// A server that echoes the credentials in a good answer gets them replaced
// in everything the read returns, and the read says so.
func TestEchoedCredentialsNeverReachTheResponse(t *testing.T) {
	srv := acctest.StandIn(t)
	conn := acctest.ConfigFor(t, srv, nil, acctest.FastOptions())
	tok, err := conn.AuthToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	echo := fmt.Sprintf(`{"data":[{"auth":"Bearer %s","key":"%s"}],"hasMore":false,"continueFrom":"%s"}`, tok.AccessToken, acctest.AppKey, tok.AccessToken)
	c := apiclient.New(conn)
	for _, all := range []bool{false, true} {
		srv.InjectAPIFaults(fakeservicetitan.Fault{Status: 200, Body: echo})
		resp, err := c.Call(t.Context(), apiclient.APIRequest{Folder: "jpm", Endpoint: "export/jobs", AllPages: all})
		if err != nil {
			t.Fatal(err)
		}
		stored := string(resp.Body) + resp.ItemsJSON + resp.ContinueFrom
		for _, secret := range []string{tok.AccessToken, acctest.AppKey} {
			if strings.Contains(stored, secret) {
				t.Errorf("all_pages=%v: the response holds a credential:\n%s", all, stored)
			}
		}
		if resp.ItemCount != 1 || !strings.Contains(resp.ItemsJSON, "[REDACTED]") {
			t.Errorf("all_pages=%v: items %q (%d), want the one item with its credentials replaced", all, resp.ItemsJSON, resp.ItemCount)
		}
		if len(resp.Warnings) != 1 || !strings.Contains(resp.Warnings[0].Detail, "(3 times)") {
			t.Errorf("all_pages=%v: warnings %+v, want one that says 3 credentials were replaced", all, resp.Warnings)
		}
	}
}

// heapPeak samples the heap while f runs and returns its highest point.
func heapPeak(f func()) uint64 {
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	})
	f()
	close(done)
	wg.Wait()
	return peak.Load()
}

// A Content-Length is a claim, not an arrival: a server that claims 64 MiB
// and sends 28 bytes costs what arrived.
func TestAClaimedLengthCostsNothing(t *testing.T) {
	raw := startRaw(t, fixed("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 67108864\r\n\r\n"+`{"data":[1,2,3],"hasMore":fa`))
	c, _ := hostileClient(t, raw.URL(), servicetitan.Input{"max_retries": "0"})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := c.Call(t.Context(), jobsRequest(false))
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("a body cut short was accepted")
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 8<<20 {
		t.Errorf("the read allocated %d MiB for 28 bytes that arrived", got>>20)
	}
}

// gzipBomb is a gzip stream of n zero bytes: about a thousandth of n.
func gzipBomb(t *testing.T, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	chunk := make([]byte, 1<<20)
	for written := 0; written < n; written += len(chunk) {
		if _, err := zw.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Ten reads of a small answer that expands to 100 MiB hold no more than
// the process's response budget at once, and each fails with a message
// that says what to ask for instead.
func TestAGzipBombIsBoundedByTheBudget(t *testing.T) {
	bomb := gzipBomb(t, 100<<20)
	raw := startRaw(t, func(c net.Conn, _ string) {
		_, _ = fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n", len(bomb))
		_, _ = c.Write(bomb)
	})
	c, _ := hostileClient(t, raw.URL(), servicetitan.Input{"max_retries": "0"})
	var errs [10]error
	peak := heapPeak(func() {
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() { _, errs[i] = c.Call(t.Context(), jobsRequest(false)) })
		}
		wg.Wait()
	})
	for _, err := range errs {
		if err == nil {
			t.Fatal("a 100 MiB answer was accepted")
		}
		if !strings.Contains(err.Error(), "page_size") {
			t.Errorf("the error does not name page_size: %v", err)
		}
	}
	// The budget, the buffers being copied as they double, and the
	// collector's headroom (it lets the heap grow to twice what was live):
	// with the budget the peak is about 2x, without it ten reads reach 4x.
	if limit := uint64(3 * apiclient.ResponseBudget); peak > limit {
		t.Errorf("the heap peaked at %d MiB, more than %d MiB", peak>>20, limit>>20)
	}
	t.Logf("heap peak %d MiB for 10 reads of a %d KiB gzip bomb", peak>>20, len(bomb)>>10)
}

// A wrong app key makes every call a 401. Once a new token is refused as
// well, the token is not the cause: later calls ask for no more tokens,
// and say what is.
func TestARefusedAppKeyCostsOneNewToken(t *testing.T) {
	srv := acctest.StandIn(t)
	c := client(t, srv, servicetitan.Input{"app_key": "not-this-apps-key"}, acctest.FastOptions())
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			_, err := c.Call(ctx, jobsRequest(false))
			if err == nil || !strings.Contains(err.Error(), "app key (app_key) does not belong") {
				t.Errorf("got %v, want the 401 that names the app key", err)
			}
		})
	}
	wg.Wait()
	for range 20 {
		if _, err := c.Call(ctx, jobsRequest(false)); err == nil || !strings.Contains(err.Error(), "app key (app_key)") {
			t.Fatalf("got %v, want the 401 that names the app key", err)
		}
	}
	if got := srv.TokenRequests(); got > 3 {
		t.Errorf("40 refused calls made %d token requests, want at most 3: a token refused after a refresh is not refreshed again", got)
	}
}

// An export whose continueFrom never moves, or is empty, would return the
// same items forever: both are errors.
func TestAnExportThatNeverMovesIsAnError(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"the same continueFrom", `{"data":[1],"hasMore":true,"continueFrom":"X1"}`, "gives back the continueFrom it was asked from"},
		{"an empty continueFrom", `{"data":[1],"hasMore":true,"continueFrom":""}`, "gives no continueFrom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := acctest.StandIn(t)
			srv.InjectAPIFaults(fakeservicetitan.Fault{Status: 200, Body: tc.body, Repeat: true})
			c := client(t, srv, nil, acctest.FastOptions())
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			_, err := c.Call(ctx, apiclient.APIRequest{Folder: "jpm", Endpoint: "export/jobs", AllPages: true})
			if err == nil {
				t.Fatal("the export was read to max_pages")
			}
			wantContains(t, err.Error(), tc.want)
			if n := srv.Stats().APIRequests; n > 2 {
				t.Errorf("%d requests, want the read to stop at the second at most", n)
			}
		})
	}
}

// Ctrl-C while the body of an answer is arriving says so, not that a
// token was awaited.
func TestInterruptedWhileReadingTheBody(t *testing.T) {
	raw := startRaw(t, func(c net.Conn, _ string) {
		_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"data\":[")
		_, _ = io.Copy(io.Discard, c) // until the client hangs up
	})
	c, rec := hostileClient(t, raw.URL(), nil)
	ctx, cancel := context.WithCancelCause(t.Context())
	var once sync.Once
	rec.saw = func(msg string) {
		if msg == "ServiceTitan API response" {
			once.Do(func() { cancel(servicetitan.ErrInterrupted) })
		}
	}
	_, err := c.Call(ctx, jobsRequest(false))
	if err == nil {
		t.Fatal("an interrupted read succeeded")
	}
	wantContains(t, err.Error(), "the API request was interrupted (Ctrl-C, or the run was stopped) while reading the body of ServiceTitan's answer (HTTP 200)")
	if strings.Contains(err.Error(), "token") || strings.Contains(err.Error(), "before ServiceTitan answered") {
		t.Errorf("the error speaks of a token, or of an answer still awaited: %v", err)
	}
}

// The log lines of the client carry the method, the URL and the status,
// never the token, the app key or the secret: with a 401 and its refresh,
// a retried 503 and a successful read.
func TestTheClientLogsNoCredential(t *testing.T) {
	srv := acctest.StandIn(t)
	rec := &recorder{}
	opts := acctest.FastOptions()
	opts.Log, opts.Warn = rec.log, rec.log
	conn := acctest.ConfigFor(t, srv, nil, opts)
	c := apiclient.New(conn)
	if _, err := c.Call(t.Context(), jobsRequest(false)); err != nil {
		t.Fatal(err)
	}
	tok, err := conn.AuthToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	srv.RevokeTokens()
	srv.InjectAPIFaults(fakeservicetitan.Fault{Status: 503, Headers: map[string]string{"Retry-After": "0"}})
	if _, err := c.Call(t.Context(), jobsRequest(true)); err != nil {
		t.Fatal(err)
	}
	text := rec.text()
	wantContains(t, text, "ServiceTitan API request", "ServiceTitan API response", "refused the token")
	for _, secret := range []string{tok.AccessToken, acctest.AppKey, acctest.ClientSecret, srv.LastIssuedToken()} {
		if strings.Contains(text, secret) {
			t.Errorf("the log holds a credential %q:\n%s", secret, text)
		}
	}
}

// A URL is shown as it was requested below the API root: the path, even
// with an "@" in a segment, and the request's own query; only the root's
// user info and query are redacted.
func TestShownURL(t *testing.T) {
	for _, tc := range []struct{ root, u, want string }{
		{"https://api.example", "https://api.example/crm/v2/tenant/1/unauth/@evil.example/x", "https://api.example/crm/v2/tenant/1/unauth/@evil.example/x"},
		{"https://api.example", "https://api.example/jpm/v2/tenant/1/jobs?active=true&page=2&pageSize=50", "https://api.example/jpm/v2/tenant/1/jobs?active=true&page=2&pageSize=50"},
		{"https://user:PASSWORD@api.example", "https://user:PASSWORD@api.example/jpm/v2/tenant/1/jobs?page=2", "https://REDACTED@api.example/jpm/v2/tenant/1/jobs?page=2"},
		{"https://api.example", "https://other.example/x?sig=SECRET", "https://other.example/x?sig=REDACTED"},
	} {
		if got := apiclient.ShownURL(tc.root, tc.u); got != tc.want {
			t.Errorf("ShownURL(%q, %q) = %q, want %q", tc.root, tc.u, got, tc.want)
		}
	}
	// And an error says which page failed.
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Jobs = 10 })
	c := client(t, srv, nil, acctest.FastOptions())
	srv.InjectAPIFaults(fakeservicetitan.Fault{}, fakeservicetitan.Fault{Status: 400, Body: `{"title":"bad page"}`})
	req := jobsRequest(true)
	req.PageSize, req.Query = 2, map[string]string{"active": "true"}
	_, err := c.Call(t.Context(), req)
	if err == nil {
		t.Fatal("the failed page was not reported")
	}
	wantContains(t, err.Error(), "/jpm/v2/tenant/"+acctest.TenantID+"/jobs?active=true&page=2&pageSize=2 failed: HTTP 400")
	if errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}
