package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/catalogue"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// The pager: reads of the API over an http.Client that uses the API
// transport (transport.go), following pages when asked, and what an answer
// that fails says.

// problemDetails is ServiceTitan's error body.
type problemDetails struct {
	Type    string              `json:"type"`
	Title   string              `json:"title"`
	Status  int                 `json:"status"`
	TraceID string              `json:"traceId"`
	Errors  map[string][]string `json:"errors"`
}

// Client reads ServiceTitan's API for one configuration or tenant entry.
// A program keeps one per configuration: its transport shares the
// configuration's token source and the tenant's pace.
type Client struct {
	conn *servicetitan.Config
	http *http.Client
}

// New returns the API client of conn.
func New(conn *servicetitan.Config) *Client {
	return &Client{conn: conn, http: &http.Client{
		Transport: NewTransport(conn),
		// A redirect would re-send the request, token and app key included,
		// to whatever host the Location names: the 3xx is the answer.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Call makes req with the configuration's token and app key, following
// pages when asked. The transport refreshes a refused token once, follows
// the retry policy, keeps the pace and never follows a redirect. Whatever
// the server said, no error shows the token, the app key or the client
// secret, and what the response holds has them replaced.
func (c *Client) Call(ctx context.Context, req APIRequest) (*APIResponse, error) {
	r := &read{Client: c, req: req, secrets: c.conn.Secrets()}
	resp, err := r.run(ctx)
	r.release()
	if err != nil {
		return nil, redacted(err, c.conn.APIRootURL(), r.secrets)
	}
	return resp, nil
}

// read is one Call: the request, the tokens it sent (for redaction) and
// the response bytes it holds under the process's budget.
type read struct {
	*Client
	req     APIRequest
	secrets []string
	held    int64
	echoed  int
}

func (r *read) release() {
	responseBudget.give(r.held)
	r.held = 0
}

func (r *read) run(ctx context.Context) (*APIResponse, error) {
	req := r.req
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if err := r.conn.APICallSettings(); err != nil {
		return nil, err
	}
	if req.Version == "" {
		req.Version = servicetitan.DefaultAPIVersion
	}
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	if req.MaxPages == 0 {
		req.MaxPages = DefaultMaxPages
	}
	sh := req.shape()
	paged, export := sh.paged, sh.kind == catalogue.Export
	if req.PageSize == 0 && req.AllPages && paged {
		// As few requests as the operation allows: every page of a report
		// is a run of it, and ServiceTitan limits the runs.
		req.PageSize = sh.sizeCap
	}
	base, err := servicetitan.BuildAPIURLVersion(r.conn.APIRootURL(), req.Folder, req.Version, r.conn.TenantID(), req.Endpoint)
	if err != nil {
		return nil, err
	}
	// An export is sent from and what the user wrote, nothing else: the
	// server chooses its batches.
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
	tenant := r.conn.TenantID()
	for page := 1; ; page++ {
		if req.AllPages && paged {
			query.Set("page", strconv.Itoa(page))
		}
		u := base
		if len(query) > 0 {
			u += "?" + query.Encode()
		}
		if out.URL == "" {
			out.URL = u
		}
		status, body, err := r.send(ctx, req, sh, u)
		if err != nil {
			return nil, err
		}
		body = r.scrub(body)
		out.StatusCode, out.PageCount = status, page
		ans, err := readAnswer(body)
		if err != nil {
			return nil, &APIError{Method: req.Method, URL: u, StatusCode: status, TenantID: tenant, Problem: err.Error()}
		}
		if !req.AllPages {
			out.Body = body
			if ans.items != nil {
				items.add(ans.items)
				out.ItemsJSON, out.ItemCount = items.json(), items.count
				out.HasMore = ans.hasMore
				out.ContinueFrom = ans.continueFrom
			}
			r.warnEchoes(out)
			return out, nil
		}
		if ans.items == nil {
			return nil, &APIError{Method: req.Method, URL: u, StatusCode: status, TenantID: tenant, Excerpt: servicetitan.Excerpt(body),
				Problem: "all_pages needs a list, export, report or array answer ({\"data\": […], \"hasMore\": …}, or […]), and this is not one"}
		}
		if err := r.hold(ctx, int64(len(ans.items))); err != nil {
			return nil, &APIError{Method: req.Method, URL: u, StatusCode: status, TenantID: tenant, Problem: err.Error()}
		}
		items.add(ans.items)
		out.ItemCount = items.count
		out.HasMore = ans.hasMore
		out.ContinueFrom = ans.continueFrom
		if !ans.hasMore {
			out.ItemsJSON = items.json()
			r.warnEchoes(out)
			return out, nil
		}
		if export && ans.continueFrom == "" {
			return nil, &APIError{Method: req.Method, URL: u, StatusCode: status, TenantID: tenant,
				Problem: "the export says it has more but gives no continueFrom to continue from"}
		}
		if export && ans.continueFrom == query.Get("from") {
			return nil, &APIError{Method: req.Method, URL: u, StatusCode: status, TenantID: tenant,
				Problem: "the export says it has more but gives back the continueFrom it was asked from, so reading on would return the same items again"}
		}
		if !export && !paged {
			// An answer that says it has more but has no way to ask for it.
			out.ItemsJSON = items.json()
			r.warnEchoes(out)
			return out, nil
		}
		if page == req.MaxPages {
			if export {
				out.Warnings = append(out.Warnings, servicetitan.Warning{Summary: "ServiceTitan API read stopped early",
					Detail: fmt.Sprintf("the export stopped at max_pages (%d requests, %d items) with more to come; "+
						"continue from continue_from in a later run (from = …), or raise max_pages", page, items.count)})
				out.ItemsJSON = items.json()
				r.warnEchoes(out)
				return out, nil
			}
			return nil, &APIError{Method: req.Method, URL: out.URL, StatusCode: status, TenantID: tenant,
				Problem: fmt.Sprintf("the list has more than max_pages (%d) pages of %d: %d items read so far and more to come; raise max_pages, or narrow the query", req.MaxPages, req.PageSize, items.count)}
		}
		if export {
			query.Set("from", ans.continueFrom)
		}
	}
}

// scrub replaces every credential the server echoed in body, so that
// neither the state nor an output ever holds one, and counts them for the
// warning.
func (r *read) scrub(body []byte) []byte {
	body, n := replaceSecrets(body, r.secrets)
	r.echoed += n
	return body
}

// serverWords is a body as an error may quote it: the same replacement,
// made before anything is parsed or cut short, so that no part of a
// credential survives an excerpt.
func (r *read) serverWords(body []byte) []byte {
	body, _ = replaceSecrets(body, r.secrets)
	return body
}

// replaceSecrets replaces each of secrets in body by value, and counts
// the replacements.
func replaceSecrets(body []byte, secrets []string) ([]byte, int) {
	total := 0
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		if n := bytes.Count(body, []byte(secret)); n > 0 {
			total += n
			body = bytes.ReplaceAll(body, []byte(secret), []byte("[REDACTED]"))
		}
	}
	return body, total
}

func (r *read) warnEchoes(out *APIResponse) {
	if r.echoed == 0 {
		return
	}
	out.Warnings = append(out.Warnings, servicetitan.Warning{Summary: "ServiceTitan's answer held a credential",
		Detail: fmt.Sprintf("The server echoed the token, the app key or the client secret in its answer (%d times); each was replaced by [REDACTED] in response_body, items_json and continue_from, so that none reaches the state. If the API really answered this way, tell its owner.", r.echoed)})
}

// send makes one request of a read and returns its status and body: a
// 2xx answer whose body is JSON, or an *APIError saying what went wrong.
func (r *read) send(ctx context.Context, req APIRequest, sh shape, u string) (int, []byte, error) {
	ctx, x := withExchange(ctx)
	if sh.known && sh.op.ReadsByPost() {
		ctx = AsRead(ctx)
	}
	if sh.kind == catalogue.Report {
		ctx = asReport(ctx)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.Method, u, bodyReader(req.Body))
	if err != nil {
		return 0, nil, &APIError{Method: req.Method, URL: u, Err: err}
	}
	hreq.Header.Set("Accept", "application/json")
	if req.Body != "" {
		hreq.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.http.Do(hreq)
	// The token just sent is a credential the server may echo, in this
	// answer and in whatever the read says later.
	if x.token != nil && !slices.Contains(r.secrets, x.token.AccessToken) {
		r.secrets = append(r.secrets, x.token.AccessToken)
	}
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			return 0, nil, ae
		}
		// The token source's own errors (no token to be had) say all.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	fail := func(e *APIError) (int, []byte, error) {
		e.Method, e.URL, e.StatusCode, e.Attempts, e.TenantID = req.Method, u, resp.StatusCode, x.attempts, r.conn.TenantID()
		return 0, nil, e
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return fail(&APIError{Redirect: servicetitan.RedirectTarget(resp)})
	}
	body, err := r.readBody(ctx, resp)
	var over *budgetError
	switch {
	case errors.Is(err, errResponseTooLarge):
		return fail(&APIError{History: x.history,
			Problem: fmt.Sprintf("the response is larger than %d MiB, the most one response may be; ask for smaller pages (page_size) and all_pages", MaxAPIResponseSize>>20)})
	case errors.As(err, &over):
		return fail(&APIError{History: x.history, Problem: over.Error()})
	case err != nil && ctx.Err() != nil:
		stopped := servicetitan.StopError(ctx)
		if se, ok := stopped.(*servicetitan.StoppedError); ok {
			se.Request, se.Answered = "the API request", true
			se.While = fmt.Sprintf("reading the body of ServiceTitan's answer (HTTP %d)", resp.StatusCode)
		}
		return fail(&APIError{History: x.history, Err: stopped})
	case err != nil:
		return fail(&APIError{History: x.history, Problem: "reading the response failed", Err: servicetitan.DescribeTransportError(err, r.conn.RequestTimeout())})
	}
	defer r.drop(int64(cap(body)))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := r.statusError(req.Method, u, resp.StatusCode, r.serverWords(body), x.refreshed)
		e.Attempts, e.History = x.attempts, x.history
		return 0, nil, e
	}
	if !json.Valid(body) {
		return fail(&APIError{History: x.history,
			Excerpt: servicetitan.Excerpt(r.serverWords(body)), Problem: servicetitan.NotJSONProblem(resp.Header.Get("Content-Type"), body)})
	}
	return resp.StatusCode, body, nil
}

func (c *Client) statusError(method, u string, status int, body []byte, refreshed bool) *APIError {
	e := &APIError{Method: method, URL: u, StatusCode: status, TenantID: c.conn.TenantID(), Refreshed: refreshed}
	var pd problemDetails
	if json.Unmarshal(body, &pd) == nil && (pd.Title != "" || len(pd.Errors) > 0 || pd.TraceID != "") {
		e.Title, e.TraceID = servicetitan.CleanText(pd.Title, 200), pd.TraceID
		if len(pd.Errors) > 0 {
			e.Errors = map[string][]string{}
			for k, v := range pd.Errors {
				msgs := make([]string, len(v))
				for i, m := range v {
					msgs[i] = servicetitan.CleanText(m, 200)
				}
				e.Errors[servicetitan.CleanText(k, 64)] = msgs
			}
		}
	} else if len(bytes.TrimSpace(body)) > 0 {
		e.Excerpt = servicetitan.Excerpt(body)
	}
	return e
}
