package servicetitan

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"
)

// Paging limits of ServiceTitan's list endpoints, and the provider's bounds.
const (
	// MaxPageSize is the largest pageSize ServiceTitan accepts.
	MaxPageSize = 5000
	// DefaultMaxPages bounds the requests one paged read makes.
	DefaultMaxPages = 100
	// MaxAPIResponseSize bounds one response body: a page of 5000 jobs is
	// about 8 MiB, so this leaves room for wide records while keeping a
	// runaway answer from filling the provider's memory.
	MaxAPIResponseSize = 64 << 20
	// APIRequestsPerSecond is the pace of API requests per tenant in one
	// process, well below ServiceTitan's limit of 60 a second per app and
	// tenant: requests paced apart can arrive closer together (a slow
	// connection, then a fast one), and a plan of hundreds of lookups must
	// never meet the limit.
	APIRequestsPerSecond = 40
	// apiBurst is how many requests may go at once after a pause: more than
	// Terraform's parallelism of 10, so that a plan's lookups wait for none
	// of the pace, while the pace and the burst together stay at 55 in any
	// second.
	apiBurst = 15
)

// APIRequest is one call to the ServiceTitan API, or every page of a list
// or an export. It only reads: the one POST allowed is reporting data,
// which ServiceTitan reads by POST.
type APIRequest struct {
	// Folder and Endpoint place the call: {api_root}/{Folder}/{Version}/tenant/{tenant_id}/{Endpoint}.
	Folder, Endpoint string
	// Version is the version segment; empty means "v2".
	Version string
	// Query is added to the URL.
	Query map[string]string
	// Method is GET (empty) or POST for reporting data.
	Method string
	// Body is the JSON body of a POST.
	Body string
	// AllPages follows hasMore through page for a list, and continueFrom
	// through from for an export.
	AllPages bool
	// PageSize is sent as pageSize; zero means ServiceTitan's default, or
	// MaxPageSize with AllPages.
	PageSize int
	// MaxPages bounds the requests AllPages makes; zero means DefaultMaxPages.
	MaxPages int
	// From is the export continuation to start from.
	From string
}

// The argument names of an APIRequest, as errors name them.
const (
	ArgFolder   = "folder"
	ArgEndpoint = "endpoint"
	ArgVersion  = "version"
	ArgQuery    = "query"
	ArgMethod   = "method"
	ArgBody     = "request_body"
	ArgAllPages = "all_pages"
	ArgPageSize = "page_size"
	ArgMaxPages = "max_pages"
	ArgFrom     = "from"
)

// APIRequestError is an argument of an APIRequest that is not allowed.
type APIRequestError struct {
	// Arg is the argument's name, such as "endpoint".
	Arg     string
	Allowed string
}

func (e *APIRequestError) Error() string { return fmt.Sprintf("invalid %s: %s", e.Arg, e.Allowed) }

// IsExport reports whether the endpoint is an export, which continues with
// continueFrom and from rather than with pages.
func (r APIRequest) IsExport() bool {
	first, _, _ := strings.Cut(strings.TrimLeft(r.Endpoint, "/"), "/")
	return first == "export"
}

// isReportData reports whether the request reads reporting data:
// reporting/…/report-category/{category}/reports/{id}/data.
func (r APIRequest) isReportData() bool {
	parts := strings.Split(strings.Trim(r.Endpoint, "/"), "/")
	return strings.Trim(r.Folder, "/") == "reporting" && len(parts) == 5 &&
		parts[0] == "report-category" && parts[2] == "reports" && parts[4] == "data"
}

// Validate checks the request's arguments without sending anything, so a
// configuration is refused at validate time, each error naming its argument.
func (r APIRequest) Validate() error {
	var errs []error
	bad := func(arg, allowed string) { errs = append(errs, &APIRequestError{Arg: arg, Allowed: allowed}) }
	for _, part := range []struct{ arg, value string }{{ArgFolder, r.Folder}, {ArgEndpoint, r.Endpoint}, {ArgVersion, r.Version}} {
		v := part.value
		switch {
		case strings.Contains(v, "://") || strings.HasPrefix(v, "//"):
			bad(part.arg, "it names a scheme or a host; the API root comes from the provider (api_root_url), and this is a path below the tenant")
		case strings.Contains(v, "?") && part.arg == ArgEndpoint:
			bad(part.arg, "it has a query; give query parameters in query = { … } instead")
		}
	}
	if len(errs) == 0 {
		version := r.Version
		if version == "" {
			version = DefaultAPIVersion
		}
		if _, err := buildAPIURL("https://api.example", r.Folder, version, "1", r.Endpoint); err != nil {
			var pe *URLPartError
			if errors.As(err, &pe) {
				bad(pe.Part, pe.Allowed)
			} else {
				bad(ArgEndpoint, err.Error())
			}
		}
	}
	switch r.Method {
	case "", http.MethodGet:
		if r.Body != "" {
			bad(ArgBody, "a request body goes only with method = \"POST\", for reporting data")
		}
	case http.MethodPost:
		if !r.isReportData() {
			bad(ArgMethod, "POST is allowed only for reporting data (folder = \"reporting\", endpoint = \"report-category/{category}/reports/{id}/data\"); a data source runs on every plan and must never change anything")
		}
		if r.Body != "" && !json.Valid([]byte(r.Body)) {
			bad(ArgBody, "must be JSON, such as jsonencode({ parameters = [] })")
		}
	default:
		bad(ArgMethod, fmt.Sprintf("must be \"GET\" or, for reporting data, \"POST\", not %q", r.Method))
	}
	if r.PageSize < 0 || r.PageSize > MaxPageSize {
		bad(ArgPageSize, fmt.Sprintf("must be from 1 to %d, ServiceTitan's largest page", MaxPageSize))
	}
	if r.MaxPages < 0 {
		bad(ArgMaxPages, "must be at least 1")
	}
	for _, k := range sortedKeys(r.Query) {
		switch {
		case r.AllPages && k == "page":
			bad(ArgQuery, "page is set by all_pages, which reads every page; leave page out of query, or unset all_pages to read one page")
		case r.AllPages && k == "from" && r.IsExport():
			bad(ArgQuery, "from is set by all_pages for an export; give the starting point as from = … instead")
		case k == "pageSize" && r.PageSize != 0:
			bad(ArgQuery, "pageSize is given twice: in query and as page_size; keep page_size")
		}
	}
	if r.From != "" && !r.IsExport() {
		bad(ArgFrom, "from continues an export; this endpoint is not one (exports are …/export/{entity})")
	}
	return errors.Join(errs...)
}

// APIResponse is what an APIRequest read.
type APIResponse struct {
	// URL is the first request's URL.
	URL string
	// StatusCode is the last response's status.
	StatusCode int
	// Body is the raw body of a single, unpaged response; nil when pages
	// were followed.
	Body []byte
	// ItemsJSON is one JSON array of the data items of every page, "" when
	// the response is not an envelope; ItemCount counts them.
	ItemsJSON string
	ItemCount int
	// PageCount is how many requests the read made.
	PageCount int
	// HasMore and ContinueFrom are the last envelope's: more to come, and
	// where an export continues.
	HasMore      bool
	ContinueFrom string
	// Warnings are worth a user's notice, such as an export stopped at its bound.
	Warnings []string
}

// APIError is an API call that failed. Its message carries the method, the
// redacted URL, the status, ServiceTitan's problem details (title,
// validation errors, traceId) and what usually causes such a status; never
// the token, the app key or the body beyond a short redacted excerpt.
type APIError struct {
	Method, URL string
	StatusCode  int
	// Title, TraceID and Errors are ServiceTitan's problem details.
	Title, TraceID string
	Errors         map[string][]string
	// Excerpt is a short, redacted start of a body that is no problem details.
	Excerpt string
	// Problem says what was wrong when no status explains it.
	Problem string
	// Redirect is where a 3xx pointed (scheme and host), never followed.
	Redirect string
	Attempts int
	// History is each attempt's answer and the wait that followed it.
	History []string
	// Refreshed says the call was refused again with a new token.
	Refreshed bool
	// TenantID is the tenant whose path was called.
	TenantID string
	Err      error
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ServiceTitan API request %s %s failed", e.Method, RedactURL(e.URL))
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.StatusCode)
		if text := http.StatusText(e.StatusCode); text != "" {
			b.WriteString(" " + text)
		}
	}
	if e.Title != "" {
		fmt.Fprintf(&b, ": %s", e.Title)
	}
	for _, field := range sortedKeys(e.Errors) {
		fmt.Fprintf(&b, "; %s: %s", field, strings.Join(e.Errors[field], " "))
	}
	if e.Redirect != "" || (e.StatusCode >= 300 && e.StatusCode < 400) {
		target := e.Redirect
		if target == "" {
			target = "another address"
		}
		fmt.Fprintf(&b, ": the server redirected to %s, which is never followed so that the token and app key go to the configured API root only", target)
	}
	if e.Problem != "" {
		fmt.Fprintf(&b, ": %s", e.Problem)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Excerpt != "" {
		fmt.Fprintf(&b, "; the body began %q", e.Excerpt)
	}
	if e.TraceID != "" {
		fmt.Fprintf(&b, " (traceId %s)", cleanText(e.TraceID, 64))
	}
	b.WriteString(attemptsText(e.Attempts, e.History))
	if hint := e.hint(); hint != "" {
		b.WriteString(". ")
		b.WriteString(hint)
	}
	return b.String()
}

func (e *APIError) Unwrap() error { return e.Err }

func (e *APIError) hint() string {
	switch e.StatusCode {
	case http.StatusUnauthorized:
		return "It was refused again with a newly issued token, so the token itself is not the cause: usually the app key (app_key) does not belong to the app whose credentials issued the token, or the app is not installed on tenant " + e.TenantID
	case http.StatusForbidden:
		return "The token does not allow this: the app's API scopes lack this endpoint, or the app has no access to tenant " + e.TenantID + "; check the scopes in the app's settings"
	case http.StatusNotFound:
		return "There is no such endpoint: check folder, version and endpoint against ServiceTitan's API reference"
	case http.StatusRequestEntityTooLarge:
		return ""
	}
	return ""
}

// problemDetails is ServiceTitan's error body.
type problemDetails struct {
	Type    string              `json:"type"`
	Title   string              `json:"title"`
	Status  int                 `json:"status"`
	TraceID string              `json:"traceId"`
	Errors  map[string][]string `json:"errors"`
}

// envelope is the shape of list, export and reporting answers. Data is
// kept raw: the items are passed on as they came, never decoded and
// encoded again.
type envelope struct {
	Data         json.RawMessage `json:"data"`
	HasMore      bool            `json:"hasMore"`
	ContinueFrom *string         `json:"continueFrom"`
}

// isEnvelope reports whether a body decoded into e was one: its data is an
// array.
func (e *envelope) isEnvelope() bool {
	d := bytes.TrimSpace(e.Data)
	return len(d) > 0 && d[0] == '['
}

// itemsBuilder joins the data arrays of every page into one JSON array,
// copying each item once: a read of thousands of records holds the items
// once, in the string it hands over, rather than once per decoding.
type itemsBuilder struct {
	b     strings.Builder
	count int
	seen  bool
}

// add appends the items of one page's data array.
func (ib *itemsBuilder) add(data json.RawMessage) {
	if !ib.seen {
		ib.b.WriteByte('[')
		ib.seen = true
	}
	inner := bytes.TrimSpace(data)
	inner = bytes.TrimSpace(inner[1 : len(inner)-1])
	if n := countArrayItems(inner); n > 0 {
		if ib.count > 0 {
			ib.b.WriteByte(',')
		}
		ib.b.Grow(len(inner))
		ib.b.Write(inner)
		ib.count += n
	}
}

// json is the array, or "" when no page was an envelope.
func (ib *itemsBuilder) json() string {
	if !ib.seen {
		return ""
	}
	ib.b.WriteByte(']')
	return ib.b.String()
}

// countArrayItems counts the top-level values between an array's brackets,
// given valid JSON: the commas outside strings and nested values, plus one.
func countArrayItems(inner []byte) int {
	if len(inner) == 0 {
		return 0
	}
	n, depth, inString, escaped := 1, 0, false, false
	for _, c := range inner {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
		case c == ',' && depth == 0:
			n++
		}
	}
	return n
}

// CallAPI makes req with this configuration's token and app key, following
// pages when asked. A 401 discards the token everywhere it is cached, gets
// a new one and tries once more; 429, 5xx and connection errors follow the
// retry policy (retry.go); redirects are never followed; every request waits
// its turn under the per-tenant pace (APIRequestsPerSecond).
func (c *Config) CallAPI(ctx context.Context, req APIRequest) (*APIResponse, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if err := c.apiCallSettings(); err != nil {
		return nil, err
	}
	if req.Version == "" {
		req.Version = DefaultAPIVersion
	}
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	if req.MaxPages == 0 {
		req.MaxPages = DefaultMaxPages
	}
	if req.PageSize == 0 && req.AllPages {
		req.PageSize = MaxPageSize
	}
	base, err := buildAPIURL(c.apiRootURL, req.Folder, req.Version, c.tenantID, req.Endpoint)
	if err != nil {
		return nil, err
	}
	query := url.Values{}
	for k, v := range req.Query {
		query.Set(k, v)
	}
	if req.PageSize > 0 {
		query.Set("pageSize", strconv.Itoa(req.PageSize))
	}
	if req.From != "" {
		query.Set("from", req.From)
	}

	out := &APIResponse{}
	var items itemsBuilder
	export := req.IsExport()
	for page := 1; ; page++ {
		if req.AllPages && !export {
			query.Set("page", strconv.Itoa(page))
		}
		u := base
		if len(query) > 0 {
			u += "?" + query.Encode()
		}
		if out.URL == "" {
			out.URL = u
		}
		status, body, err := c.apiCall(ctx, req.Method, u, req.Body)
		if err != nil {
			return nil, err
		}
		out.StatusCode, out.PageCount = status, page
		var env envelope
		isEnvelope := json.Unmarshal(body, &env) == nil && env.isEnvelope()
		if !req.AllPages {
			out.Body = body
			if isEnvelope {
				items.add(env.Data)
				out.ItemsJSON, out.ItemCount = items.json(), items.count
				out.HasMore = env.HasMore
				if env.ContinueFrom != nil {
					out.ContinueFrom = *env.ContinueFrom
				}
			}
			return out, nil
		}
		if !isEnvelope {
			return nil, &APIError{Method: req.Method, URL: u, StatusCode: status, TenantID: c.tenantID, Excerpt: Excerpt(body),
				Problem: "all_pages needs a list or export answer ({\"data\": […], \"hasMore\": …}), and this is not one"}
		}
		items.add(env.Data)
		out.ItemCount = items.count
		out.HasMore = env.HasMore
		if env.ContinueFrom != nil {
			out.ContinueFrom = *env.ContinueFrom
		}
		if !env.HasMore {
			out.ItemsJSON = items.json()
			return out, nil
		}
		if export && (env.ContinueFrom == nil || *env.ContinueFrom == "") {
			return nil, &APIError{Method: req.Method, URL: u, StatusCode: status, TenantID: c.tenantID,
				Problem: "the export says it has more but gives no continueFrom to continue from"}
		}
		if page == req.MaxPages {
			if export {
				out.Warnings = append(out.Warnings, fmt.Sprintf("the export stopped at max_pages (%d requests, %d items) with more to come; "+
					"continue from continue_from in a later run (from = …), or raise max_pages", page, items.count))
				out.ItemsJSON = items.json()
				return out, nil
			}
			return nil, &APIError{Method: req.Method, URL: out.URL, StatusCode: status, TenantID: c.tenantID,
				Problem: fmt.Sprintf("the list has more than max_pages (%d) pages of %d: %d items read so far and more to come; raise max_pages, or narrow the query", req.MaxPages, req.PageSize, items.count)}
		}
		if export {
			query.Set("from", *env.ContinueFrom)
		}
	}
}

// apiCall sends one request, retried by the retry policy, and refreshes
// the token once on a 401.
func (c *Config) apiCall(ctx context.Context, method, u, body string) (int, []byte, error) {
	for refreshed := false; ; refreshed = true {
		tok, err := c.AuthToken(ctx)
		if err != nil {
			return 0, nil, err
		}
		status, respBody, attempts, history, err := c.apiAttempts(ctx, method, u, body, tok)
		if err != nil {
			return 0, nil, err
		}
		if status == http.StatusUnauthorized && !refreshed {
			c.opts.Log(ctx, "ServiceTitan API refused the token; discarding it and trying once more with a new one", map[string]any{"method": method, "url": RedactURL(u)})
			c.tokens.Invalidate(ctx, tok)
			continue
		}
		if status < 200 || status > 299 {
			e := c.apiStatusError(method, u, status, respBody, refreshed)
			e.Attempts, e.History = attempts, history
			return 0, nil, e
		}
		return status, respBody, nil
	}
}

func (c *Config) apiStatusError(method, u string, status int, body []byte, refreshed bool) *APIError {
	e := &APIError{Method: method, URL: u, StatusCode: status, TenantID: c.tenantID, Refreshed: refreshed}
	var pd problemDetails
	if json.Unmarshal(body, &pd) == nil && (pd.Title != "" || len(pd.Errors) > 0 || pd.TraceID != "") {
		e.Title, e.TraceID = cleanText(pd.Title, 200), pd.TraceID
		if len(pd.Errors) > 0 {
			e.Errors = map[string][]string{}
			for k, v := range pd.Errors {
				msgs := make([]string, len(v))
				for i, m := range v {
					msgs[i] = cleanText(m, 200)
				}
				e.Errors[cleanText(k, 64)] = msgs
			}
		}
	} else if len(bytes.TrimSpace(body)) > 0 {
		e.Excerpt = Excerpt(body)
	}
	return e
}

// apiAttempts sends one request with tok under the retry policy and
// returns the final status and body.
func (c *Config) apiAttempts(ctx context.Context, method, u, body string, tok *Token) (status int, respBody []byte, attempts int, history []string, err error) {
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, u, reader)
	if err != nil {
		return 0, nil, 0, nil, &APIError{Method: method, URL: u, Err: err}
	}
	req.Header.Set(HeaderAuthorization, tok.AuthorizationHeader())
	req.Header.Set(HeaderAppKey, c.appKey)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.opts.UserAgent)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}

	ctx = withProgress(ctx, &progress{})
	p := c.retryPolicy(ctx, "API")
	var started time.Time
	client := p.client(func(attempt int) {
		started = time.Now()
		c.opts.Log(ctx, "ServiceTitan API request", map[string]any{"method": method, "url": RedactURL(u), "attempt": attempt})
	})
	client.HTTPClient.Transport = &pacedTransport{base: c.opts.Transport, limiter: apiPace(c.apiRootURL, c.tenantID)}
	resp, err := client.Do(req)
	attempts = p.attemptsMade()
	if err != nil {
		if resp != nil {
			_ = resp.Body.Close()
		}
		if ctx.Err() != nil {
			stopped := stopError(ctx)
			if se, ok := stopped.(*StoppedError); ok {
				se.Request = "the API request"
			}
			return 0, nil, attempts, p.History(), &APIError{Method: method, URL: u, Attempts: attempts, TenantID: c.tenantID, Err: stopped}
		}
		var ra *RetryAfterError
		if errors.As(err, &ra) {
			return 0, nil, attempts, p.History(), &APIError{Method: method, URL: u, StatusCode: ra.StatusCode, Attempts: attempts, TenantID: c.tenantID, Problem: ra.Error() + "; try again later"}
		}
		return 0, nil, attempts, p.History(), &APIError{Method: method, URL: u, Attempts: attempts, TenantID: c.tenantID, Err: describeTransportError(err, c.requestTimeout)}
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return 0, nil, attempts, p.History(), &APIError{Method: method, URL: u, StatusCode: resp.StatusCode, Attempts: attempts, TenantID: c.tenantID, Redirect: redirectTarget(resp)}
	}
	respBody, err = readBody(resp, MaxAPIResponseSize)
	if err != nil {
		if ctx.Err() != nil {
			return 0, nil, attempts, p.History(), &APIError{Method: method, URL: u, StatusCode: resp.StatusCode, Attempts: attempts, TenantID: c.tenantID, Err: stopError(ctx)}
		}
		return 0, nil, attempts, p.History(), &APIError{Method: method, URL: u, StatusCode: resp.StatusCode, Attempts: attempts, TenantID: c.tenantID,
			Problem: "reading the response failed", Err: describeTransportError(err, c.requestTimeout)}
	}
	if len(respBody) > MaxAPIResponseSize {
		return 0, nil, attempts, p.History(), &APIError{Method: method, URL: u, StatusCode: resp.StatusCode, Attempts: attempts, TenantID: c.tenantID,
			Problem: fmt.Sprintf("the response is larger than %d MiB, the most one response may be; ask for smaller pages (page_size) and all_pages", MaxAPIResponseSize>>20)}
	}
	c.opts.Log(ctx, "ServiceTitan API response", map[string]any{"method": method, "url": RedactURL(u), "status": resp.StatusCode,
		"attempts": attempts, "duration_ms": time.Since(started).Milliseconds()})
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 && !json.Valid(respBody) {
		return 0, nil, attempts, p.History(), &APIError{Method: method, URL: u, StatusCode: resp.StatusCode, Attempts: attempts, TenantID: c.tenantID,
			Excerpt: Excerpt(respBody), Problem: notJSONProblem(resp.Header.Get("Content-Type"), respBody)}
	}
	return resp.StatusCode, respBody, attempts, p.History(), nil
}

// readBody reads a response through the cap, into a buffer sized from
// Content-Length when the server gave one, so that a large page is not
// copied again each time the buffer would have grown. At most limit+1
// bytes are read, so that one past the cap can be told.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	if n := resp.ContentLength; n > 0 && n <= limit {
		buf.Grow(int(n) + 1)
	}
	_, err := buf.ReadFrom(io.LimitReader(resp.Body, limit+1))
	return buf.Bytes(), err
}

func notJSONProblem(contentType string, body []byte) string {
	switch {
	case strings.HasPrefix(contentType, "text/html") || looksHTML(body):
		return "the response is an HTML page, not JSON (a proxy or gateway answered instead of ServiceTitan?)"
	case len(bytes.TrimSpace(body)) == 0:
		return "the response body is empty"
	}
	var v any
	return "the response is not valid JSON (" + jsonProblem(json.Unmarshal(body, &v)) + ")"
}

// pacedTransport waits for the tenant's pace before every attempt, retries
// included.
type pacedTransport struct {
	base    http.RoundTripper
	limiter *rate.Limiter
}

func (t *pacedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := t.limiter.Wait(r.Context()); err != nil {
		return nil, err
	}
	return t.base.RoundTrip(r)
}

// apiPaces holds one limiter per API root and tenant for the whole process:
// ServiceTitan counts requests per app and tenant, whichever data source or
// configuration sends them.
var apiPaces = struct {
	sync.Mutex
	m map[string]*rate.Limiter
}{m: map[string]*rate.Limiter{}}

func apiPace(root, tenant string) *rate.Limiter {
	apiPaces.Lock()
	defer apiPaces.Unlock()
	key := root + "\x00" + tenant
	l, ok := apiPaces.m[key]
	if !ok {
		// At most apiBurst+APIRequestsPerSecond go in any second, leaving
		// room under ServiceTitan's 60 for requests that arrive bunched.
		l = rate.NewLimiter(APIRequestsPerSecond, apiBurst)
		apiPaces.m[key] = l
	}
	return l
}
