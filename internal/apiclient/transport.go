package apiclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// Transport is the API transport: an http.RoundTripper that sends a
// request to ServiceTitan's API on behalf of one configuration or tenant
// entry. It does what every API request needs and nothing of what the
// request means:
//
//   - it puts the configuration's token and app key on the request,
//     replacing any Authorization or ST-App-Key the caller set;
//   - it waits its turn under the tenant's pace (pace.go);
//   - on a 401 it discards the token everywhere it is cached and sends the
//     request once more with a new one; once a new token is refused too,
//     the token is not the cause (the app key is), and later 401s with
//     that token are answered as they came, without asking for another;
//   - it retries under the one retry policy of the core: a 429 for every
//     method (ServiceTitan did not act on the request), other faults only
//     for idempotent methods and for reads marked with AsRead;
//   - it never follows a redirect: a 3xx is the answer;
//   - it reads bodies through the cap (MaxAPIResponseSize).
//
// The pager (pager.go) is a loop over an http.Client that uses it.
type Transport struct {
	tokens  tokenSource
	appKey  string
	tenant  string
	root    string
	secrets []string
	pace    *rate.Limiter
	retries func(ctx context.Context) *servicetitan.RetryPolicy
	opts    servicetitan.Options
	timeout time.Duration

	mu sync.Mutex
	// refusedTwice is the access token that was refused right after it
	// replaced a refused one: its 401s are not the token's fault.
	refusedTwice string
}

// tokenSource is what the transport needs of the core's token source.
type tokenSource interface {
	Token(ctx context.Context) (*servicetitan.Token, error)
	Invalidate(ctx context.Context, tok *servicetitan.Token)
}

// NewTransport is the API transport of conn: its token source, app key and
// tenant, its retry settings and the program's own transport below.
func NewTransport(conn *servicetitan.Config) *Transport {
	return &Transport{
		tokens:  conn.TokenSource(),
		appKey:  conn.AppKey(),
		tenant:  conn.TenantID(),
		root:    conn.APIRootURL(),
		secrets: conn.Secrets(),
		pace:    apiPace(conn.APIRootURL(), conn.TenantID()),
		retries: func(ctx context.Context) *servicetitan.RetryPolicy { return conn.RetryPolicy(ctx, "API") },
		opts:    conn.Options(),
		timeout: conn.RequestTimeout(),
	}
}

// MaxRequestBody bounds a request body the transport keeps for a resend (a
// retry, or the one attempt after a refused token).
const MaxRequestBody = 8 << 20

// exchange is what the transport learnt of one request, for the caller
// that reads its answer: the attempts and their history for messages, the
// token sent (to redact what a server echoes), whether a refused token
// was replaced.
type exchange struct {
	attempts  int
	history   []string
	token     *servicetitan.Token
	refreshed bool
}

type exchangeKey struct{}

func withExchange(ctx context.Context) (context.Context, *exchange) {
	x := &exchange{}
	return context.WithValue(ctx, exchangeKey{}, x), x
}

type readKey struct{}

type reportKey struct{}

// ReportMaxRetryAfter is the longest Retry-After a read of report data sits
// through. ServiceTitan allows a tenant a few runs of one report a minute,
// and every page is a run: a wait of a minute between pages is the rule,
// not a fault.
const ReportMaxRetryAfter = 5 * time.Minute

// asReport marks a read of report data: its Retry-After is waited out up
// to ReportMaxRetryAfter, and a 409 (the report still being prepared) is
// retried.
func asReport(ctx context.Context) context.Context { return context.WithValue(ctx, reportKey{}, true) }

// AsRead marks a request that reads although its method is not
// idempotent, such as reporting data, which ServiceTitan reads by POST:
// its faults are retried like a GET's.
func AsRead(ctx context.Context) context.Context { return context.WithValue(ctx, readKey{}, true) }

// idempotent reports whether a request may be sent again after a fault
// that leaves unknown whether ServiceTitan acted on it.
func idempotent(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	read, _ := r.Context().Value(readKey{}).(bool)
	return read
}

// RoundTrip sends r as described on Transport. A failure to get an answer
// at all is an *APIError saying why (stopped, a Retry-After longer than
// the client waits, a transport fault after every attempt), which shows
// neither the token nor the app key; any answer, of any status, is
// returned as it came, with its body behind the cap.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx := r.Context()
	x, _ := ctx.Value(exchangeKey{}).(*exchange)
	if x == nil {
		x = &exchange{}
	}
	resp, err := t.roundTrip(ctx, r, x)
	if err != nil {
		secrets := t.secrets
		if x.token != nil {
			secrets = append(append([]string(nil), secrets...), x.token.AccessToken)
		}
		return nil, redacted(err, t.root, secrets)
	}
	return resp, nil
}

func (t *Transport) roundTrip(ctx context.Context, r *http.Request, x *exchange) (*http.Response, error) {
	body, err := requestBody(r)
	if err != nil {
		return nil, &APIError{Method: r.Method, URL: r.URL.String(), TenantID: t.tenant, Err: err}
	}
	for refreshed := false; ; refreshed = true {
		tok, err := t.tokens.Token(ctx)
		if err != nil {
			return nil, err
		}
		x.token, x.refreshed = tok, refreshed
		resp, err := t.attempts(ctx, r, body, tok, x)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusUnauthorized {
			t.mu.Lock()
			known := t.refusedTwice == tok.AccessToken
			if refreshed {
				t.refusedTwice = tok.AccessToken
			}
			t.mu.Unlock()
			if known {
				// A new token was refused before this one: asking for
				// yet another costs ServiceTitan's throttled token
				// endpoint a request per call and cannot help.
				x.refreshed = true
			}
			if !refreshed && !known {
				_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
				_ = resp.Body.Close()
				t.opts.Log(ctx, "ServiceTitan API refused the token; discarding it and trying once more with a new one", map[string]any{"method": r.Method, "url": ShownURL(t.root, r.URL.String())})
				t.tokens.Invalidate(ctx, tok)
				continue
			}
		}
		resp.Body = &cappedBody{body: resp.Body, left: MaxAPIResponseSize}
		return resp, nil
	}
}

// requestBody is r's body, read once so that it can be sent again.
func requestBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	defer func() { _ = r.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading the request body failed: %w", err)
	}
	if len(b) > MaxRequestBody {
		return nil, errRequestTooLarge
	}
	return b, nil
}

// errRequestTooLarge is a request body past MaxRequestBody.
var errRequestTooLarge = fmt.Errorf("the request body is larger than %d MiB, the most the client keeps for a resend", MaxRequestBody>>20)

// attempts sends r with tok under the retry policy and returns the final
// answer.
func (t *Transport) attempts(ctx context.Context, r *http.Request, body []byte, tok *servicetitan.Token, x *exchange) (*http.Response, error) {
	method, u := r.Method, r.URL.String()
	var reader any
	if body != nil {
		reader = body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, u, reader)
	if err != nil {
		return nil, &APIError{Method: method, URL: u, TenantID: t.tenant, Err: err}
	}
	req.Header = r.Header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Header.Set(servicetitan.HeaderAuthorization, tok.AuthorizationHeader())
	req.Header.Set(servicetitan.HeaderAppKey, t.appKey)
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", t.opts.UserAgent)
	}

	ctx = servicetitan.TrackProgress(ctx)
	req = req.WithContext(ctx)
	p := t.retries(ctx)
	p.ThrottlingOnly = !idempotent(r)
	p.Redact(tok.AccessToken)
	if report, _ := ctx.Value(reportKey{}).(bool); report {
		p.MaxRetryAfter, p.RetryConflict = ReportMaxRetryAfter, true
		p.RetryAfterReason = "waiting for the report's run limit (ServiceTitan allows a tenant few runs of one report a minute, and each page is a run)"
	}
	var started time.Time
	client := p.Client(func(attempt int) {
		started = time.Now()
		t.opts.Log(ctx, "ServiceTitan API request", map[string]any{"method": method, "url": ShownURL(t.root, u), "attempt": attempt})
	})
	client.HTTPClient.Transport = &pacedTransport{base: t.opts.Transport, limiter: t.pace}
	resp, err := client.Do(req)
	x.attempts, x.history = p.Attempts(), p.History()
	if err != nil {
		if resp != nil {
			_ = resp.Body.Close()
		}
		if ctx.Err() != nil {
			stopped := servicetitan.StopError(ctx)
			if se, ok := stopped.(*servicetitan.StoppedError); ok {
				se.Request = "the API request"
			}
			return nil, &APIError{Method: method, URL: u, Attempts: x.attempts, TenantID: t.tenant, Err: stopped}
		}
		var ra *servicetitan.RetryAfterError
		if errors.As(err, &ra) {
			return nil, &APIError{Method: method, URL: u, StatusCode: ra.StatusCode, Attempts: x.attempts, TenantID: t.tenant, Problem: ra.Error() + "; try again later"}
		}
		return nil, &APIError{Method: method, URL: u, Attempts: x.attempts, TenantID: t.tenant, Err: servicetitan.DescribeTransportError(err, t.timeout)}
	}
	t.opts.Log(ctx, "ServiceTitan API response", map[string]any{"method": method, "url": ShownURL(t.root, u), "status": resp.StatusCode,
		"attempts": x.attempts, "duration_ms": time.Since(started).Milliseconds()})
	return resp, nil
}

// errResponseTooLarge is a body that went past MaxAPIResponseSize.
var errResponseTooLarge = errors.New("response too large")

// cappedBody reads a response body up to the cap, and fails past it rather
// than cutting the body short without a word.
type cappedBody struct {
	body io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, errResponseTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.body.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, errResponseTooLarge
	}
	return n, err
}

func (b *cappedBody) Close() error { return b.body.Close() }

// bodyReader is a request body for http.NewRequest, nil for none.
func bodyReader(body string) io.Reader {
	if body == "" {
		return nil
	}
	return bytes.NewReader([]byte(body))
}
