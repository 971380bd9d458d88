package apiclient

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// Proxy is a loopback endpoint that stands for the API root of one
// configuration or tenant entry: a request to {URL}/jpm/v2/tenant/1234/jobs
// is sent to {api_root}/jpm/v2/tenant/1234/jobs through the API transport,
// so it gets a fresh token and the app key whenever it is made, however
// long after the proxy was opened. It is httputil.ReverseProxy over the
// same transport the pager uses: one retry policy, one pace, one redaction.
//
// It refuses, with a problem-details answer and without sending anything:
// a request without its unguessable path prefix, a path of another tenant,
// an absolute-form request naming another host, a Host header other than
// its own loopback address (a defence against DNS rebinding), and CONNECT.
type Proxy struct {
	// URL is http://127.0.0.1:PORT/<unguessable>: the API root to give a
	// consumer.
	URL string

	root, tenant string
	prefix       string
	host         string
	ln           net.Listener
	srv          *http.Server
	rp           *httputil.ReverseProxy
	log          func(context.Context, string, map[string]any)
	// stop ends every wait of every request, such as a Retry-After sat
	// out for a consumer, when the program is interrupted.
	stop context.Context
	// values carries what the program's logger needs (and its masks) into
	// the requests of consumers, which arrive with contexts of their own.
	values context.Context

	closeOnce sync.Once
	done      chan struct{}
}

// NewProxy opens a proxy for conn on a loopback port. The values of ctx
// (a logger and its masks) go with every request the proxy sends; its
// end does not close the proxy, Close does. stop, when it ends, ends the
// waits of the proxy's requests (Ctrl-C); nil means never.
func NewProxy(ctx context.Context, conn *servicetitan.Config, stop context.Context) (*Proxy, error) {
	if err := conn.APICallSettings(); err != nil {
		return nil, err
	}
	root, err := url.Parse(conn.APIRootURL())
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("opening a loopback port for the API proxy: %w", err)
	}
	secret := make([]byte, 24)
	if _, err := rand.Read(secret); err != nil {
		_ = ln.Close()
		return nil, err
	}
	if stop == nil {
		stop = context.Background()
	}
	p := &Proxy{
		root:   strings.TrimRight(conn.APIRootURL(), "/"),
		tenant: conn.TenantID(),
		prefix: "/" + base64.RawURLEncoding.EncodeToString(secret),
		host:   ln.Addr().String(),
		ln:     ln,
		log:    conn.Options().Log,
		stop:   stop,
		values: context.WithoutCancel(ctx),
		done:   make(chan struct{}),
	}
	p.URL = "http://" + p.host + p.prefix
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			rest := strings.TrimPrefix(pr.In.URL.EscapedPath(), p.prefix)
			target := *root
			target.RawPath = ""
			target.Path = ""
			out, _ := url.Parse(p.root + rest)
			target.Path, target.RawPath = out.Path, out.RawPath
			target.RawQuery = pr.In.URL.RawQuery
			pr.Out.URL = &target
			pr.Out.Host = ""
			// The transport puts its own credentials on; a consumer's
			// must not travel beside them.
			pr.Out.Header.Del(servicetitan.HeaderAuthorization)
			pr.Out.Header.Del(servicetitan.HeaderAppKey)
		},
		Transport:    NewTransport(conn),
		ErrorHandler: p.failed,
		ModifyResponse: func(resp *http.Response) error {
			outcomeOf(resp.Request.Context()).status = resp.StatusCode
			return nil
		},
		// A 3xx goes back to the consumer as it came: the transport never
		// follows one.
	}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 30 * time.Second}
	go func() {
		_ = p.srv.Serve(ln)
		close(p.done)
	}()
	return p, nil
}

// Close stops the proxy: it answers nothing from then on, and requests in
// flight end.
func (p *Proxy) Close() error {
	var err error
	p.closeOnce.Do(func() {
		err = p.srv.Close()
		<-p.done
	})
	return err
}

// outcome is the status a proxied request ended with, for its log line:
// ServiceTitan's, or the proxy's own refusal or failure.
type outcome struct{ status int }

type outcomeKey struct{}

func outcomeOf(ctx context.Context) *outcome {
	if o, ok := ctx.Value(outcomeKey{}).(*outcome); ok {
		return o
	}
	return &outcome{}
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	started := time.Now()
	out := &outcome{}
	shown := "(refused)"
	// The consumer's request ends this one, and so does the program's
	// interrupt; what to log with comes from the proxy's opener.
	values := context.WithValue(p.values, outcomeKey{}, out)
	// The server the request came through: with it, ReverseProxy aborts
	// the connection when an answer breaks off partway (past the cap, or
	// a lost upstream), so that the consumer sees an error rather than a
	// body that merely looks complete.
	values = context.WithValue(values, http.ServerContextKey, r.Context().Value(http.ServerContextKey))
	ctx, cancel := context.WithCancelCause(values)
	defer cancel(nil)
	defer context.AfterFunc(r.Context(), func() { cancel(context.Cause(r.Context())) })()
	defer context.AfterFunc(p.stop, func() { cancel(context.Cause(p.stop)) })()
	defer func() {
		p.log(ctx, "ServiceTitan API proxy", map[string]any{"method": r.Method, "path": shown, "status": out.status, "duration_ms": time.Since(started).Milliseconds()})
	}()
	rest, refusal := p.check(r)
	if refusal != nil {
		out.status = refusal.status
		refuse(w, refusal)
		return
	}
	shown = servicetitan.RedactURL(rest)
	// A body declared too large is refused before it is read; one that
	// turns out too large, by the transport (errRequestTooLarge).
	if r.ContentLength > MaxRequestBody {
		out.status = http.StatusRequestEntityTooLarge
		refuse(w, &problem{http.StatusRequestEntityTooLarge, "Request body too large", fmt.Sprintf("the API proxy keeps a request's body to send it again after a refused token or a 429, up to %d MiB", MaxRequestBody>>20)})
		return
	}
	p.rp.ServeHTTP(w, r.WithContext(ctx))
}

// problem is a refusal or a failure, answered as problem details.
type problem struct {
	status        int
	title, detail string
}

func refuse(w http.ResponseWriter, pr *problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(pr.status)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": pr.title, "status": pr.status, "detail": pr.detail})
}

// check returns the path below the proxy's prefix, or why r is refused.
func (p *Proxy) check(r *http.Request) (string, *problem) {
	switch {
	case r.Method == http.MethodConnect:
		return "", &problem{http.StatusMethodNotAllowed, "CONNECT is not proxied", "the API proxy forwards requests to ServiceTitan's API root, not tunnels"}
	case r.Host != p.host:
		// An absolute-form request ("GET http://other/…") lands here too:
		// the server takes the host from the request line then.
		return "", &problem{http.StatusMisdirectedRequest, "Wrong host", "the API proxy answers requests for " + p.host + " only, and forwards them to ServiceTitan's API root; a request for another host, or a page that reaches it under another name, is refused"}
	}
	path := r.URL.EscapedPath()
	if !strings.HasPrefix(path, p.prefix+"/") || subtle.ConstantTimeCompare([]byte(path[:len(p.prefix)]), []byte(p.prefix)) != 1 {
		return "", &problem{http.StatusNotFound, "Not found", "use the url of the servicetitan_api_proxy ephemeral resource as the API root"}
	}
	rest := path[len(p.prefix):]
	lower := strings.ToLower(rest)
	if strings.Contains(rest, "\\") || strings.Contains(lower, "%2f") || strings.Contains(lower, "%5c") || strings.Contains(lower, "%2e") {
		return "", &problem{http.StatusBadRequest, "Path not allowed", "the path holds an encoded slash, backslash or dot"}
	}
	segs := strings.Split(strings.TrimPrefix(rest, "/"), "/")
	for _, s := range segs {
		if s == "." || s == ".." {
			return "", &problem{http.StatusBadRequest, "Path not allowed", "the path holds a . or .. segment"}
		}
	}
	// {folder}/{version}/tenant/{tenant}/…: the tenant the proxy was
	// opened for, and no other.
	if len(segs) < 4 || !strings.EqualFold(segs[2], "tenant") || segs[3] != p.tenant {
		return "", &problem{http.StatusForbidden, "Another tenant", "the API proxy forwards paths of tenant " + p.tenant + " only, such as /jpm/v2/tenant/" + p.tenant + "/jobs"}
	}
	return rest, nil
}

// failed answers a request that got no answer from ServiceTitan: the
// transport's error, which shows no credential, as problem details.
func (p *Proxy) failed(w http.ResponseWriter, r *http.Request, err error) {
	status, title := http.StatusBadGateway, "ServiceTitan did not answer"
	var stopped *servicetitan.StoppedError
	var ae *APIError
	switch {
	case errors.As(err, &stopped):
		status, title = http.StatusServiceUnavailable, "Interrupted"
	case errors.As(err, &ae) && ae.StatusCode == http.StatusTooManyRequests:
		status, title = http.StatusTooManyRequests, "Throttled"
	case errors.Is(err, errRequestTooLarge):
		status, title = http.StatusRequestEntityTooLarge, "Request body too large"
	}
	outcomeOf(r.Context()).status = status
	// The transport's errors show no credential already (redacted by
	// value where they are made); ServerText adds the shapes once more.
	refuse(w, &problem{status, title, servicetitan.ServerText(err.Error())})
}
