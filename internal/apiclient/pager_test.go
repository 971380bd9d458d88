package apiclient_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/apiclient"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/tokencache"
)

func TestCallReadsEveryPageWithOneToken(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Jobs = 12345 })
	c := client(t, srv, nil, acctest.FastOptions())
	resp, err := c.Call(t.Context(), jobsRequest(true))
	if err != nil {
		t.Fatal(err)
	}
	if resp.ItemCount != 12345 || resp.PageCount != 3 || resp.HasMore || resp.Body != nil {
		t.Errorf("%d items in %d pages (has more %v, body %d bytes), want 12345 in 3", resp.ItemCount, resp.PageCount, resp.HasMore, len(resp.Body))
	}
	if got := srv.Stats(); got.APIRequests != 3 || got.TokenRequests != 1 {
		t.Errorf("%d API and %d token requests, want 3 and 1", got.APIRequests, got.TokenRequests)
	}
}

func TestCallResumesAnExport(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Jobs = 2500 })
	c := client(t, srv, nil, acctest.FastOptions())
	req := apiclient.APIRequest{Folder: "jpm", Endpoint: "export/jobs", AllPages: true}
	first, err := c.Call(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if first.ItemCount != 2500 || first.HasMore || first.ContinueFrom == "" {
		t.Fatalf("first export: %d items, has more %v, continue from %q", first.ItemCount, first.HasMore, first.ContinueFrom)
	}
	srv.AddJobs(7)
	req.From = first.ContinueFrom
	next, err := c.Call(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if next.ItemCount != 7 {
		t.Errorf("the resumed export read %d items, want only the 7 new ones", next.ItemCount)
	}
}

func TestCallBoundsItsPages(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.EndlessLists = true })
	c := client(t, srv, nil, acctest.FastOptions())
	list := jobsRequest(true)
	list.MaxPages, list.PageSize = 4, 1
	// A read that ignores its bound fails here in seconds, not at the
	// test binary's timeout.
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	_, err := c.Call(ctx, list)
	if err == nil {
		t.Fatal("a list that never ends was read to its end")
	}
	wantContains(t, err.Error(), "more than max_pages (4) pages of 1", "4 items read so far")
	export := apiclient.APIRequest{Folder: "jpm", Endpoint: "export/jobs", AllPages: true, MaxPages: 3}
	resp, err := c.Call(ctx, export)
	if err != nil {
		t.Fatal(err)
	}
	if !resp.HasMore || resp.ContinueFrom == "" || len(resp.Warnings) != 1 || resp.PageCount != 3 {
		t.Fatalf("export at its bound: has more %v, continue from %q, %d pages, warnings %q", resp.HasMore, resp.ContinueFrom, resp.PageCount, resp.Warnings)
	}
	wantContains(t, resp.Warnings[0].Detail, "max_pages (3 requests", "continue_from")
}

func TestCallRefreshesARefusedTokenOnce(t *testing.T) {
	srv := acctest.StandIn(t)
	// The token cache directory is wired in as the provider wires it.
	opts := acctest.FastOptions()
	opts.TokenStore = tokencache.New
	dir := t.TempDir()
	c := client(t, srv, servicetitan.Input{"token_cache_dir": dir}, opts)
	if _, err := c.Call(t.Context(), jobsRequest(false)); err != nil {
		t.Fatal(err)
	}
	srv.RevokeTokens()
	if _, err := c.Call(t.Context(), jobsRequest(false)); err != nil {
		t.Fatalf("a revoked token was not replaced: %v", err)
	}
	if got := srv.TokenRequests(); got != 2 {
		t.Errorf("%d token requests, want 2", got)
	}
	// A new configuration of the same directory, as the next process would
	// be, is not handed the refused token from it.
	other := client(t, srv, servicetitan.Input{"token_cache_dir": dir}, opts)
	if _, err := other.Call(t.Context(), jobsRequest(false)); err != nil {
		t.Fatal(err)
	}
	if got := srv.TokenRequests(); got != 2 {
		t.Errorf("%d token requests after a second process, want still 2", got)
	}
}

func TestCallStatusesSayWhatIsWrong(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(*fakeservicetitan.Server)
		in    servicetitan.Input
		req   apiclient.APIRequest
		want  []string
	}{
		{"401 twice", nil, servicetitan.Input{"app_key": "not-the-app-key"}, jobsRequest(false),
			[]string{"HTTP 401", "refused again with a newly issued token", "app key (app_key) does not belong", "not installed on tenant " + acctest.TenantID}},
		{"403", nil, servicetitan.Input{"tenant_id": "9999"}, jobsRequest(false), []string{"HTTP 403", "tenant 9999", "scopes"}},
		{"404", nil, servicetitan.Input{}, apiclient.APIRequest{Folder: "jpm", Endpoint: "no-such-thing"}, []string{"HTTP 404", "/jpm/v2/tenant/" + acctest.TenantID + "/no-such-thing", "no such endpoint"}},
		{"400 validation", nil, servicetitan.Input{}, apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs", Query: map[string]string{"pageSize": "9000"}}, []string{"HTTP 400", "pageSize:"}},
		{"429 beyond the cap", func(s *fakeservicetitan.Server) {
			s.InjectAPIFaults(fakeservicetitan.Fault{Status: 429, Headers: map[string]string{"Retry-After": "120"}})
		}, servicetitan.Input{}, jobsRequest(false), []string{"HTTP 429", "asked to wait 2m0s"}},
		{"html", func(s *fakeservicetitan.Server) {
			s.InjectAPIFaults(fakeservicetitan.Fault{Status: 200, Body: "<html><body>gateway</body></html>", ContentType: "text/html"})
		}, servicetitan.Input{}, jobsRequest(false), []string{"HTML page, not JSON"}},
		{"truncated", func(s *fakeservicetitan.Server) {
			s.InjectAPIFaults(fakeservicetitan.Fault{Status: 200, Body: `{"data":[{"id":1`})
		}, servicetitan.Input{}, jobsRequest(false), []string{"not valid JSON", "truncated"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := acctest.StandIn(t)
			if tc.setup != nil {
				tc.setup(srv)
			}
			c := client(t, srv, tc.in, acctest.FastOptions())
			_, err := c.Call(t.Context(), tc.req)
			if err == nil {
				t.Fatal("no error")
			}
			wantContains(t, err.Error(), tc.want...)
			mustNotLeak(t, err.Error(), srv.LastIssuedToken(), acctest.AppKey)
		})
	}
}

func TestCallWaitsOutA429(t *testing.T) {
	srv := acctest.StandIn(t)
	srv.InjectAPIFaults(fakeservicetitan.Fault{Status: 429, Headers: map[string]string{"Retry-After": "1"}})
	c := client(t, srv, nil, acctest.FastOptions())
	if _, err := c.Call(t.Context(), jobsRequest(false)); err != nil {
		t.Fatalf("a 429 with Retry-After: 1 was not waited out: %v", err)
	}
	if got := srv.Stats().APIRequests; got != 2 {
		t.Errorf("%d API requests, want 2", got)
	}
}

func TestCallNeverFollowsARedirect(t *testing.T) {
	var reached atomic.Int32
	other := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Add(1) }))
	l, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no 127.0.0.2 to stand for another host: %v", err)
	}
	other.Listener = l
	other.Start()
	defer other.Close()
	srv := acctest.StandIn(t)
	srv.InjectAPIFaults(fakeservicetitan.Fault{Status: 307, Headers: map[string]string{"Location": other.URL + "/jpm/v2/tenant/" + acctest.TenantID + "/jobs"}})
	c := client(t, srv, nil, acctest.FastOptions())
	_, err = c.Call(t.Context(), jobsRequest(false))
	if err == nil {
		t.Fatal("the redirect was followed to an answer")
	}
	wantContains(t, err.Error(), "HTTP 307", "redirected to "+other.URL, "never followed")
	if reached.Load() != 0 {
		t.Errorf("the other host received %d requests", reached.Load())
	}
}

// A body past the cap is not read into memory whole: the error says so and
// points to page_size.
func TestCallReadsBodiesThroughACap(t *testing.T) {
	srv := acctest.StandIn(t)
	srv.InjectAPIFaults(fakeservicetitan.Fault{Status: 200, Body: `{"data":["` + strings.Repeat("x", apiclient.MaxAPIResponseSize) + `"]}`})
	c := client(t, srv, nil, acctest.FastOptions())
	_, err := c.Call(t.Context(), jobsRequest(false))
	if err == nil {
		t.Fatal("a body past the cap was accepted")
	}
	wantContains(t, err.Error(), "larger than 64 MiB", "page_size")
}

// Ctrl-C during an API wait stops it at once and says what it waited for.
func TestCallInterruptedSaysWhatItWaitedFor(t *testing.T) {
	srv := acctest.StandIn(t)
	srv.InjectAPIFaults(fakeservicetitan.Fault{Status: 503, Headers: map[string]string{"Retry-After": "25"}})
	c := client(t, srv, nil, acctest.FastOptions())
	ctx, cancel := context.WithCancelCause(t.Context())
	time.AfterFunc(300*time.Millisecond, func() { cancel(servicetitan.ErrInterrupted) })
	start := time.Now()
	_, err := c.Call(ctx, jobsRequest(false))
	if err == nil || time.Since(start) > 10*time.Second {
		t.Fatalf("got %v after %s", err, time.Since(start))
	}
	var stopped *servicetitan.StoppedError
	if !errors.As(err, &stopped) {
		t.Fatalf("got %v, want a StoppedError inside", err)
	}
	wantContains(t, err.Error(), "the API request was interrupted (Ctrl-C, or the run was stopped) while waiting 25s, as ServiceTitan's Retry-After asked after HTTP 503 (attempt 1 of 5), before ServiceTitan answered")
}

// A single answer that is no envelope is the response body alone; all_pages
// over it is an error, and so is an export that says it has more but not
// where to continue.
func TestCallAnswersThatAreNoEnvelope(t *testing.T) {
	srv := acctest.StandIn(t)
	c := client(t, srv, nil, acctest.FastOptions())
	srv.InjectAPIFaults(fakeservicetitan.Fault{Status: 200, Body: `{"id":20001,"name":"Avery Johnson"}`})
	resp, err := c.Call(t.Context(), apiclient.APIRequest{Folder: "crm", Endpoint: "customers/20001"})
	if err != nil || resp.ItemsJSON != "" || resp.ItemCount != 0 || !strings.Contains(string(resp.Body), "Avery Johnson") {
		t.Fatalf("got %+v, %v; want the body alone", resp, err)
	}
	srv.InjectAPIFaults(fakeservicetitan.Fault{Status: 200, Body: `{"id":20001}`})
	_, err = c.Call(t.Context(), apiclient.APIRequest{Folder: "crm", Endpoint: "customers/20001", AllPages: true})
	wantContains(t, err.Error(), "all_pages needs a list, export, report or array answer")
	srv.InjectAPIFaults(fakeservicetitan.Fault{Status: 200, Body: `{"data":[1],"hasMore":true}`})
	_, err = c.Call(t.Context(), apiclient.APIRequest{Folder: "jpm", Endpoint: "export/jobs", AllPages: true})
	wantContains(t, err.Error(), "gives no continueFrom")
	srv.InjectAPIFaults(fakeservicetitan.Fault{Status: 200, Body: ` `})
	_, err = c.Call(t.Context(), jobsRequest(false))
	wantContains(t, err.Error(), "the response body is empty")
	var apiErr *apiclient.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 200 {
		t.Errorf("got %v, want an APIError with the status", err)
	}
	_, err = c.Call(t.Context(), apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs?x=1"})
	var reqErr *apiclient.APIRequestError
	if !errors.As(err, &reqErr) || reqErr.Arg != "endpoint" {
		t.Errorf("got %v, want an APIRequestError naming endpoint", err)
	}
}

// Whatever a server echoes in its problem details, the error shows neither
// the token nor the app key.
func TestCallErrorsNeverEchoTheTokenOrAppKey(t *testing.T) {
	srv := acctest.StandIn(t)
	conn := acctest.ConfigFor(t, srv, nil, acctest.FastOptions())
	c := apiclient.New(conn)
	tok, err := conn.AuthToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	echo := fmt.Sprintf(`{"title":"bad key %s","traceId":"%s","errors":{"%s":["token %s"]}}`, acctest.AppKey, acctest.AppKey, acctest.AppKey, tok.AccessToken)
	srv.InjectAPIFaults(fakeservicetitan.Fault{Status: 400, Body: echo})
	_, err = c.Call(t.Context(), jobsRequest(false))
	var apiErr *apiclient.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
		t.Fatalf("got %v, want the APIError kept", err)
	}
	wantContains(t, err.Error(), "bad key [REDACTED]", "token [REDACTED]")
	mustNotLeak(t, err.Error(), tok.AccessToken, acctest.AppKey)
}

// urlRecorder is the program's transport, recording each URL requested.
type urlRecorder struct {
	mu   sync.Mutex
	urls []*url.URL
}

func (r *urlRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.urls = append(r.urls, req.URL)
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// An export is sent from alone: page and pageSize are a list's, and the
// server chooses an export's batches.
func TestCallSendsAnExportFromAlone(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Jobs = 2500 })
	rec := &urlRecorder{}
	opts := acctest.FastOptions()
	opts.Transport = rec
	c := client(t, srv, nil, opts)
	resp, err := c.Call(t.Context(), apiclient.APIRequest{Folder: "jpm", Endpoint: "export/jobs", AllPages: true})
	if err != nil {
		t.Fatal(err)
	}
	var api int
	for _, u := range rec.urls {
		if !strings.Contains(u.Path, "/export/") {
			continue
		}
		api++
		for name := range u.Query() {
			if name != "from" {
				t.Errorf("an export request carries %s, which exports do not take: %s", name, u)
			}
		}
	}
	if api != resp.PageCount || api < 2 {
		t.Errorf("%d export requests recorded, %d pages read; want the same, at least 2", api, resp.PageCount)
	}
}
