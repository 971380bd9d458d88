// Package fakeservicetitan is a stand-in for the ServiceTitan identity server
// and API gateway. It speaks real HTTP so that the provider's auth client can
// be exercised end to end (unit tests, acceptance tests, demos, benchmarks)
// without network access or real credentials. The servicetitan-standin
// command (cmd/servicetitan-standin) offers it to users for their own tests.
//
// One Server answers on a single base URL that serves as both the auth root
// and the API root:
//
//	POST /connect/token                       OAuth 2.0 client-credentials token endpoint
//	GET  /{folder}/{version}/tenant/{tenant}/{path}
//	                                          every GET operation of the catalogue
//	                                          (internal/catalogue), answered by its kind
//	POST /dispatch/v2/tenant/{tenant}/capacity
//	POST /reporting/v2/tenant/{tenant}/report-category/{category}/reports/{id}/data
//
// Each operation serves deterministic records of its collection: jobs,
// customers, business units and job types from the data set, the others
// synthetic, carrying the fields their operations' filters name. Lists
// page (page, pageSize up to the operation's cap), exports continue
// (from), ids, active, the created and modified date ranges and …Id
// filters narrow them, and records change between export reads when
// Config.ExportChanges or ChangeRecords says so.
//
// API errors are problem details (Problem). Every API route counts against
// its tenant's rate limit (Config.APIRateLimit), report data also against
// the limit on runs of one report (Config.ReportRuns per
// Config.ReportWindow).
//
// A control API lets another process (a benchmark driver, a demo script) do
// what in-process tests do through methods:
//
//	GET  /_stand-in/stats                 Stats as JSON: token_requests, api_requests, tokens_issued, ...
//	POST /_stand-in/reset                 Reset; answers with the stats
//	POST /_stand-in/faults                JSON array of FaultJSON, queued like InjectTokenFaults
//	POST /_stand-in/api-faults            the same, queued like InjectAPIFaults
//	POST /_stand-in/latency?ms=50         SetLatency
//	POST /_stand-in/api-latency?ms=50     SetAPILatency
//	POST /_stand-in/revoke                RevokeTokens
//	POST /_stand-in/add-jobs?n=10         AddJobs
//	POST /_stand-in/changes?entity=jobs&n=7   ChangeRecords
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
	// collections are the records of every served operation, by
	// collectionKey; the map is fixed at New, each collection guards its
	// own changes.
	collections map[string]*collection
	// started is when the steady rate of change starts counting.
	started time.Time

	// done is closed by Close so that every waiting handler (latency, delay,
	// hang) returns at once instead of holding the shutdown up.
	done      chan struct{}
	closeOnce sync.Once

	mu            sync.Mutex
	tokenRequests int
	apiRequests   int
	tokensIssued  int
	rateLimited   int
	reportRuns    int
	reportLimited int
	last          TokenRequest
	tokenLog      []TokenRequest
	lastToken     string
	faults        []Fault
	apiFaults     []Fault
	latency       time.Duration
	apiLatency    time.Duration
	apiLog        []APIRequest
	// apiWindows holds each tenant's admitted API requests of the last
	// second, reportWindows each report's runs of the last minute, keyed
	// by reportKey; both in arrival order.
	apiWindows    map[string][]time.Time
	reportWindows map[string][]time.Time
	issued        []issuedToken
	revoked       map[string]int64

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
		cfg:           cfg,
		clients:       make(map[string]Client, len(cfg.Clients)),
		key:           make([]byte, 32),
		now:           cfg.Now,
		done:          make(chan struct{}),
		latency:       cfg.Latency,
		apiLatency:    cfg.APILatency,
		apiWindows:    make(map[string][]time.Time),
		reportWindows: make(map[string][]time.Time),
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.started = s.now()
	s.collections = newCollections(newDataSet(cfg), initialJobs(cfg))
	if s.cfg.ExportBatch <= 0 {
		s.cfg.ExportBatch = DefaultExportBatch
	}
	// crypto/rand.Read never fails; it crashes the program instead.
	rand.Read(s.key)
	for _, c := range cfg.Clients {
		// Copy so callers mutating their slices cannot change a running server.
		c.Tenants = append([]string(nil), c.Tenants...)
		if len(c.Tenants) > 0 {
			c.EnterpriseHub = true
		}
		if c.Tenant == "" && len(c.Tenants) > 0 {
			c.Tenant = c.Tenants[0]
		}
		if c.Tenant == "" {
			c.Tenant = DemoTenant
		}
		if len(c.Scopes) == 0 {
			c.Scopes = DefaultScopes
		}
		c.Scopes = append([]string(nil), c.Scopes...)
		s.clients[c.ID] = c
	}
	s.cfg.Clients = nil
	s.handler = s.routes()
	return s
}

// serves reports whether an Enterprise Hub token may be asked for tenant.
func (c Client) serves(tenant string) bool {
	if len(c.Tenants) == 0 {
		return tenant == c.Tenant
	}
	return contains(c.Tenants, tenant)
}
