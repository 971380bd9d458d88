package apiclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/catalogue"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// The provider's bounds on a read; ServiceTitan's own page-size caps are
// in the catalogue.
const (
	// DefaultMaxPages bounds the requests one paged read makes.
	DefaultMaxPages = 100
	// MaxMaxPages is the largest max_pages: a read of that many pages is
	// already far past what one read may hold (MaxReadSize), and a larger
	// bound would let a server that always has more keep a plan busy.
	MaxMaxPages = 1000
	// MaxAPIResponseSize bounds one response body: a page of 5000 jobs is
	// about 8 MiB, so this leaves room for wide records while keeping a
	// runaway answer from filling the provider's memory.
	MaxAPIResponseSize = 64 << 20
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
	// the operation's page-size cap with AllPages.
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

// address is where the request goes, its defaults filled in: folder,
// version and endpoint without stray slashes, and the method in capitals.
func (r APIRequest) address() (folder, version, method, endpoint string) {
	version, method = r.Version, strings.ToUpper(r.Method)
	if version == "" {
		version = servicetitan.DefaultAPIVersion
	}
	if method == "" {
		method = http.MethodGet
	}
	return strings.Trim(r.Folder, "/"), version, method, strings.Trim(r.Endpoint, "/")
}

// shape is how ServiceTitan serves a request, as the catalogue says: found
// once per request, since every answer of it is read the same way.
type shape struct {
	// op is the catalogue's operation, when known says ServiceTitan
	// publishes one.
	op    catalogue.Operation
	known bool
	// kind is op's kind or, for an operation the catalogue does not list,
	// an export when the endpoint is under export/ and otherwise a list,
	// as ServiceTitan names them.
	kind catalogue.Kind
	// paged says the answer is paged with page and pageSize: lists and
	// report data, save the few lists whose operation takes no page (they
	// answer in one); sized says it takes pageSize at all.
	paged, sized bool
	// sizeCap is the largest pageSize the operation takes.
	sizeCap int
}

func (r APIRequest) shape() shape {
	folder, version, method, endpoint := r.address()
	op, known := catalogue.Find(folder, version, method, endpoint)
	if !known {
		kind := catalogue.List
		if first, _, _ := strings.Cut(endpoint, "/"); first == "export" {
			kind = catalogue.Export
		}
		return shape{kind: kind, paged: kind == catalogue.List, sized: kind == catalogue.List, sizeCap: catalogue.DefaultMaxPageSize}
	}
	_, page := op.QueryName("page")
	_, size := op.QueryName("pageSize")
	return shape{op: op, known: true, kind: op.Kind, sizeCap: op.PageSizeCap(), sized: size,
		paged: (op.Kind == catalogue.List || op.Kind == catalogue.Report) && page}
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
		_, version, _, _ := r.address()
		if _, err := servicetitan.BuildAPIURLVersion("https://api.example", r.Folder, version, "1", r.Endpoint); err != nil {
			var pe *servicetitan.URLPartError
			if errors.As(err, &pe) {
				bad(pe.Part, pe.Allowed)
			} else {
				bad(ArgEndpoint, err.Error())
			}
		}
	}
	sh := r.shape()
	op, known := sh.op, sh.known
	switch r.Method {
	case "", http.MethodGet:
		if r.Body != "" {
			bad(ArgBody, "a request body goes only with method = \"POST\", for the reads ServiceTitan serves by POST")
		}
	case http.MethodPost:
		if !known || !op.ReadsByPost() {
			bad(ArgMethod, "POST is allowed only for the reads ServiceTitan serves by POST ("+postReadsText()+"); a data source runs on every plan and must never change anything")
		}
		if r.Body != "" && !json.Valid([]byte(r.Body)) {
			bad(ArgBody, "must be JSON, such as jsonencode({ parameters = [] })")
		}
	default:
		bad(ArgMethod, fmt.Sprintf("must be \"GET\" or, for the reads ServiceTitan serves by POST, \"POST\", not %q", r.Method))
	}
	export := sh.kind == catalogue.Export
	switch limit := sh.sizeCap; {
	case r.PageSize != 0 && export:
		bad(ArgPageSize, "an export takes no pageSize: ServiceTitan chooses the size of each batch; leave page_size out")
	case r.PageSize != 0 && !sh.sized:
		bad(ArgPageSize, fmt.Sprintf("%s takes no pageSize: it answers in one; leave page_size out", op))
	case r.PageSize < 0 || r.PageSize > limit:
		what := "ServiceTitan's largest page"
		if known {
			what = fmt.Sprintf("the largest page of %s", op)
		}
		bad(ArgPageSize, fmt.Sprintf("must be from 1 to %d, %s", limit, what))
	}
	if r.MaxPages < 0 || r.MaxPages > MaxMaxPages {
		bad(ArgMaxPages, fmt.Sprintf("must be from 1 to %d", MaxMaxPages))
	}
	for _, k := range slices.Sorted(maps.Keys(r.Query)) {
		switch {
		case strings.EqualFold(k, "page") && r.AllPages && sh.paged:
			bad(ArgQuery, fmt.Sprintf("%s is set by all_pages, which reads every page; leave it out of query, or unset all_pages to read one page", k))
		case strings.EqualFold(k, "pageSize") && (r.PageSize != 0 || (r.AllPages && sh.paged)):
			bad(ArgQuery, fmt.Sprintf("%s is set by the provider here; give the page size as page_size = … instead", k))
		case strings.EqualFold(k, "from") && export && (r.AllPages || r.From != ""):
			bad(ArgQuery, fmt.Sprintf("%s is set by the provider for an export; give the starting point as from = … instead", k))
		}
	}
	if r.From != "" && !export {
		bad(ArgFrom, "from continues an export; this endpoint is not one (exports are …/export/{entity})")
	}
	return errors.Join(errs...)
}

func postReadsText() string {
	var b []string
	for _, op := range catalogue.PostReads() {
		_, rest, _ := strings.Cut(op, " ")
		folder, path, _ := strings.Cut(rest, " ")
		f, _, _ := strings.Cut(folder, "/")
		b = append(b, fmt.Sprintf("folder = %q, endpoint = %q", f, path))
	}
	return strings.Join(b, "; ")
}

// RequestWarning is something about a request that may not be what its
// author meant, found without a network or credentials: never an error,
// because ServiceTitan adds operations and parameters over time.
type RequestWarning struct {
	// Arg is the argument it is about; Key the query parameter, if any.
	Arg, Key        string
	Summary, Detail string
}

// Warnings compares the request with the catalogue of ServiceTitan's
// operations: an operation it does not list, and query parameters the
// operation does not define, which ServiceTitan would ignore.
func (r APIRequest) Warnings() []RequestWarning {
	folder, version, method, endpoint := r.address()
	sh := r.shape()
	op := sh.op
	if !sh.known {
		detail := fmt.Sprintf("ServiceTitan's published API has no operation %s %s/%s %s.", method, folder, version, endpoint)
		if closest := catalogue.Closest(folder, version, method, endpoint, 3); len(closest) > 0 {
			detail += fmt.Sprintf(" The closest %s endpoints it has in %s/%s are %s.", method, folder, version, strings.Join(closest, ", "))
		} else {
			detail += fmt.Sprintf(" It publishes no %s operation in folder %q, version %q.", method, folder, version)
		}
		detail += " If ServiceTitan added it after this provider was released, the request works as written."
		return []RequestWarning{{Arg: ArgEndpoint, Summary: "Unknown ServiceTitan API operation", Detail: detail}}
	}
	var out []RequestWarning
	for _, k := range slices.Sorted(maps.Keys(r.Query)) {
		if _, defined := op.QueryName(k); defined {
			continue
		}
		defines := "defines no query parameters"
		if len(op.Query) > 0 {
			defines = "defines " + strings.Join(op.Query, ", ")
		}
		out = append(out, RequestWarning{Arg: ArgQuery, Key: k, Summary: "Unknown ServiceTitan query parameter",
			Detail: fmt.Sprintf("%s does not define the query parameter %q; ServiceTitan ignores parameters an operation does not define, so this filter would be left out and the answer unfiltered. It %s.", op, k, defines)})
	}
	return out
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
	// Warnings are worth a user's notice, such as an export stopped at its
	// bound, or a credential the server echoed and that was replaced.
	Warnings []servicetitan.Warning
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

	// root is the API root URL that URL starts with: the part of the URL a
	// user may have put a secret in, redacted when shown.
	root string
	// secrets are replaced wherever the message would show them: the
	// server's words may echo the token or the app key anywhere.
	secrets []string
}

// redacted makes err, when it is an *APIError, show URLs below root and
// none of secrets. Every error the client returns passes through it.
func redacted(err error, root string, secrets []string) error {
	var e *APIError
	if errors.As(err, &e) {
		if e.root == "" {
			e.root = root
		}
		e.secrets = append(e.secrets, secrets...)
	}
	return err
}

// ShownURL is how messages and log lines show a URL below the API root: the
// root's user info and query redacted, since a user may have put a secret
// there; the path and the request's own query (the query argument, page,
// pageSize, from) as they were requested, so that a failed page can be
// told from another.
func ShownURL(root, u string) string {
	if root != "" && strings.HasPrefix(u, root) {
		return servicetitan.RedactURL(root) + u[len(root):]
	}
	return servicetitan.RedactURL(u)
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ServiceTitan API request %s %s failed", e.Method, ShownURL(e.root, e.URL))
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.StatusCode)
		if text := http.StatusText(e.StatusCode); text != "" {
			b.WriteString(" " + text)
		}
	}
	if e.Title != "" {
		fmt.Fprintf(&b, ": %s", e.Title)
	}
	for _, field := range slices.Sorted(maps.Keys(e.Errors)) {
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
		fmt.Fprintf(&b, " (traceId %s)", servicetitan.CleanText(e.TraceID, 64))
	}
	b.WriteString(servicetitan.AttemptsText(e.Attempts, e.History))
	if hint := e.hint(); hint != "" {
		b.WriteString(". ")
		b.WriteString(hint)
	}
	return servicetitan.ServerText(b.String(), e.secrets...)
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
