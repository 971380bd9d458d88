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
	"crypto/rand"
	"net"
	"net/http"
	"sync"
	"time"
)

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
