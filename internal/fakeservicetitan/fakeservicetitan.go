// Package fakeservicetitan is a stand-in for the ServiceTitan identity server
// and API gateway. It speaks real HTTP so that the provider's auth client can
// be exercised end to end (unit tests, acceptance tests, demos, benchmarks)
// without network access or real credentials. The servicetitan-standin
// command (cmd/servicetitan-standin) offers it to users for their own tests.
//
// One Server answers on a single base URL that serves as both the auth root
// and the API root:
//
//	POST /connect/token                      OAuth 2.0 client-credentials token endpoint
//	GET  /jpm/v2/tenant/{tenant}/jobs        sample API routes guarded like the real
//	GET  /crm/v2/tenant/{tenant}/customers   gateway, paged (page, pageSize) like it
//
// plus a control API so that another process (a benchmark driver, a demo
// script) can do what in-process tests do through methods:
//
//	GET  /_stand-in/stats                 Stats as JSON: token_requests, api_requests, tokens_issued, ...
//	POST /_stand-in/reset                 Reset; answers with the stats
//	POST /_stand-in/faults                JSON array of FaultJSON, queued like InjectTokenFaults
//	POST /_stand-in/latency?ms=50         SetLatency
//
// Control requests are not counted as token or API requests.
//
// Tokens are HS256 JWTs signed with a key generated per Server, so a token is
// accepted only by the Server that issued it. That makes "client sent a token
// from somewhere else" and "client sent a tampered token" observable failures
// instead of silent passes.
package fakeservicetitan

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Defaults used when the corresponding Config or Client field is empty. The
// demo values are public on purpose: the stand-in only ever listens on
// loopback, and scripts need predictable credentials.
const (
	DefaultTokenLifetime = 900 * time.Second

	DemoClientID     = "demo-client-id"
	DemoClientSecret = "demo-client-secret"
	DemoAppKey       = "demo-app-key"
	DemoTenant       = "1234"
)

// DefaultScopes are granted to a Client that does not list its own.
var DefaultScopes = []string{"tn.jpm.jobs:r", "tn.crm.customers:r"}

// Client is an app registration the token endpoint accepts.
type Client struct {
	ID, Secret string
	// Tenant is the tenant id the app is installed on; it becomes the JWT
	// tenant claim. Empty means DemoTenant, so every token carries a tenant
	// like real ones do.
	Tenant string
	// Scopes default to DefaultScopes when empty.
	Scopes []string
	// EnterpriseHub apps must name the tenant in the token form
	// (tenant=<Tenant>), as real Enterprise Hub apps do.
	EnterpriseHub bool
}

// Config describes a Server. The zero value is usable but has no clients, so
// every token request fails with invalid_client.
type Config struct {
	// Clients with the same ID: the later entry wins.
	Clients []Client
	// AppKey is the ST-App-Key value the API routes accept. When empty the
	// header is still required (the real gateway always wants it) but any
	// value passes.
	AppKey string
	// TokenLifetime defaults to DefaultTokenLifetime when zero or negative.
	// JWT times have one-second granularity, so it is rounded up to whole
	// seconds.
	TokenLifetime time.Duration
	// OmitExpiresIn drops expires_in from token responses, which forces
	// clients to fall back to the JWT exp claim.
	OmitExpiresIn bool
	// Latency is added before answering every token request. SetLatency
	// changes it at run time.
	Latency time.Duration
	// Now is the server's clock for issuing and checking tokens; it defaults
	// to time.Now. Tests set it to simulate clock skew or expiry without
	// sleeping.
	Now func() time.Time
	// Logger, when set, gets one line per request with method, path, status
	// and duration. Query strings, headers and bodies are never logged, so
	// secrets and tokens cannot end up in the log.
	Logger *log.Logger
}

// TokenRequest describes the last request the token endpoint received. The
// submitted secret is deliberately absent: tests assert on what the client
// sent, and a recorded secret would be one more place for it to leak from.
type TokenRequest struct {
	Method      string
	ContentType string
	UserAgent   string
	GrantType   string
	ClientID    string
	Tenant      string
	// SecretMatched reports whether client_secret matched the registered
	// secret of ClientID.
	SecretMatched bool
	// Form is the posted form without client_secret. It is empty when the
	// body was not a form.
	Form url.Values
}

// Fault overrides how the token endpoint answers one request. Queued faults
// are consumed one per token request, in arrival order, whatever the request
// looks like (a GET consumes one too), so tests can count on the sequence.
type Fault struct {
	// Status 0 means no override: after Delay the request is answered
	// normally (Headers are still added).
	Status int
	// Headers are set on the response, e.g. {"Retry-After": "2"}.
	Headers map[string]string
	Body    string
	// ContentType defaults to "application/json" when Body is set.
	ContentType string
	// Delay is waited before answering. It ends early when the client gives
	// up or the Server closes.
	Delay time.Duration
	// Hang never answers: the request ends only when the client gives up or
	// the Server closes.
	Hang bool
	// Repeat keeps the fault at the head of the queue, so it answers every
	// later token request too (a throttled or broken identity server) and
	// faults queued after it are never reached. Reset removes it.
	Repeat bool
}

// Server is a stand-in ServiceTitan. All methods are safe for concurrent use.
type Server struct {
	cfg     Config
	clients map[string]Client
	key     []byte
	now     func() time.Time
	handler http.Handler

	// done is closed by Close so that every waiting handler (latency, delay,
	// hang) returns at once instead of holding the shutdown up.
	done      chan struct{}
	closeOnce sync.Once

	mu            sync.Mutex
	tokenRequests int
	apiRequests   int
	tokensIssued  int
	last          TokenRequest
	lastToken     string
	faults        []Fault
	latency       time.Duration

	lifeMu sync.Mutex
	srv    *http.Server
	url    string
	closed bool

	// fresh holds connections that have not sent a request yet. Shutdown
	// only gives up on those after five seconds, and HTTP clients routinely
	// leave a spare dialed connection unused, so Close ends them itself.
	connMu sync.Mutex
	fresh  map[net.Conn]struct{}
}

// New returns a Server that is not listening yet. Use Start, or mount
// Handler on a server of your own (httptest.NewTLSServer, for instance).
func New(cfg Config) *Server {
	s := &Server{
		cfg:     cfg,
		clients: make(map[string]Client, len(cfg.Clients)),
		key:     make([]byte, 32),
		now:     cfg.Now,
		done:    make(chan struct{}),
		latency: cfg.Latency,
	}
	if s.now == nil {
		s.now = time.Now
	}
	// crypto/rand.Read never fails; it crashes the program instead.
	rand.Read(s.key)
	for _, c := range cfg.Clients {
		if c.Tenant == "" {
			c.Tenant = DemoTenant
		}
		if len(c.Scopes) == 0 {
			c.Scopes = DefaultScopes
		}
		// Copy so callers mutating their slice cannot change a running server.
		c.Scopes = append([]string(nil), c.Scopes...)
		s.clients[c.ID] = c
	}
	s.cfg.Clients = nil
	s.handler = s.routes()
	return s
}

// Start creates a Server and starts it on an ephemeral loopback port.
func Start(cfg Config) (*Server, error) {
	s := New(cfg)
	if err := s.Start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	return s, nil
}

// Start listens on addr, which must be a loopback address such as
// "127.0.0.1:0", and serves in the background until Close.
func (s *Server) Start(addr string) error {
	if err := CheckLoopbackAddr(addr); err != nil {
		return err
	}
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	if s.closed {
		return errors.New("fakeservicetitan: server is closed")
	}
	if s.srv != nil {
		return errors.New("fakeservicetitan: server already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("fakeservicetitan: %w", err)
	}
	// No WriteTimeout: Delay and Hang faults must be able to outlast any
	// fixed bound, and Close ends them anyway.
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ConnState:         s.trackConn,
	}
	s.url = "http://" + ln.Addr().String()
	// Serve only returns once Close has run, so its error carries no news.
	go func() { _ = s.srv.Serve(ln) }()
	return nil
}

// CheckLoopbackAddr reports an error unless addr is host:port with a
// loopback host. The stand-in accepts well-known demo credentials and has an
// unauthenticated control API, so it must never be reachable from elsewhere.
func CheckLoopbackAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("fakeservicetitan: invalid listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("fakeservicetitan: refusing to listen on %q: the stand-in only listens on loopback addresses (127.0.0.1, ::1 or localhost)", addr)
}

// URL is the base URL of a started Server, e.g. "http://127.0.0.1:41234",
// used as both the auth root and the API root. It is empty before Start.
func (s *Server) URL() string {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	return s.url
}

// Handler serves every route of the Server.
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops the listener started by Start and ends every request still
// waiting on latency, a Delay or a Hang: those connections are aborted rather
// than answered, so a client sees a broken connection, never a fake success.
// Close is safe to call more than once and on a Server that was never started.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.lifeMu.Lock()
		s.closed = true
		srv := s.srv
		s.lifeMu.Unlock()
		if srv == nil {
			return
		}
		s.connMu.Lock()
		for c := range s.fresh {
			_ = c.Close()
		}
		s.connMu.Unlock()
		// Waiting handlers return immediately now that done is closed, so a
		// graceful shutdown is quick; the hard close covers anything odd.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			_ = srv.Close()
		}
	})
}

func (s *Server) trackConn(c net.Conn, state http.ConnState) {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if state != http.StateNew {
		delete(s.fresh, c)
		return
	}
	if s.fresh == nil {
		s.fresh = make(map[net.Conn]struct{})
	}
	s.fresh[c] = struct{}{}
}

// TokenRequests counts every request to /connect/token, including failed
// and faulted ones.
func (s *Server) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenRequests
}

// APIRequests counts requests to API paths, i.e. everything except the
// token endpoint and the control API, including ones answered 401/403/404.
func (s *Server) APIRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.apiRequests
}

// TokensIssued counts successful token responses.
func (s *Server) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokensIssued
}

// LastTokenRequest returns the most recent token request, recorded on
// arrival so that even a request stuck in a Hang fault is visible.
func (s *Server) LastTokenRequest() TokenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	tr := s.last
	tr.Form = cloneValues(s.last.Form)
	return tr
}

// LastIssuedToken returns the access token of the most recent successful
// token response, or "" if none.
func (s *Server) LastIssuedToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastToken
}

// PendingFaults is the number of queued faults not yet consumed.
func (s *Server) PendingFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.faults)
}

// Reset zeroes the counters, forgets the last request and token, and drops
// queued faults. Latency is left alone: it is a setting, not state.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenRequests, s.apiRequests, s.tokensIssued = 0, 0, 0
	s.last = TokenRequest{}
	s.lastToken = ""
	s.faults = nil
}

// InjectTokenFaults appends faults to the queue.
func (s *Server) InjectTokenFaults(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range f {
		if x.Headers != nil {
			h := make(map[string]string, len(x.Headers))
			for k, v := range x.Headers {
				h[k] = v
			}
			x.Headers = h
		}
		s.faults = append(s.faults, x)
	}
}

// SetLatency changes the delay added before answering each token request.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Latency returns the current token-request latency.
func (s *Server) Latency() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.latency
}

var errClosed = errors.New("fakeservicetitan: server closed")

// sleep waits d unless the request is cancelled or the Server closes first.
func (s *Server) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return errClosed
	}
}

// hang waits until the request is cancelled or the Server closes.
func (s *Server) hang(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return errClosed
	}
}

// abortIfClosed turns a wait cut short by Close into an aborted connection.
// Returning normally would make net/http send an empty 200, which a client
// could mistake for an answer.
func abortIfClosed(err error) {
	if errors.Is(err, errClosed) {
		panic(http.ErrAbortHandler)
	}
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
