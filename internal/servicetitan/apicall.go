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
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Calls to the ServiceTitan API with a configuration's token: the paging
// loop, one refresh on a 401, the retry policy, and what an answer that
// fails says.

// problemDetails is ServiceTitan's error body.
type problemDetails struct {
	Type    string              `json:"type"`
	Title   string              `json:"title"`
	Status  int                 `json:"status"`
	TraceID string              `json:"traceId"`
	Errors  map[string][]string `json:"errors"`
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
			e := c.apiStatusError(method, u, status, c.serverWords(respBody, tok), refreshed)
			e.Attempts, e.History = attempts, history
			return 0, nil, e
		}
		return status, respBody, nil
	}
}

// serverWords is a body as an error may quote it: whatever the server
// echoed, the token, the app key and the client secret are replaced
// before anything is parsed or cut short, so no part of one survives.
func (c *Config) serverWords(body []byte, tok *Token) []byte {
	for _, secret := range []string{tok.AccessToken, c.appKey, c.clientSecret} {
		if secret != "" {
			body = bytes.ReplaceAll(body, []byte(secret), []byte("[REDACTED]"))
		}
	}
	return body
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
			Excerpt: Excerpt(c.serverWords(respBody, tok)), Problem: notJSONProblem(resp.Header.Get("Content-Type"), respBody)}
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
