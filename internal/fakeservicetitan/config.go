package fakeservicetitan

import (
	"log"
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

	// DefaultExportBatch is how many records an export answer holds when
	// Config.ExportBatch is not set.
	DefaultExportBatch = 1000
	// DefaultAPIRateLimit is ServiceTitan's limit of API requests per
	// second per app per tenant.
	DefaultAPIRateLimit = 60
	// DefaultReportRuns and DefaultReportWindow are how often a tenant may
	// run the same report when Config.ReportRuns and Config.ReportWindow
	// are not set: once a minute, the strictest limit ServiceTitan's
	// clients have met, so that a client which copes with it copes with
	// any.
	DefaultReportRuns   = 1
	DefaultReportWindow = time.Minute
)

// DefaultScopes are granted to a Client that does not list its own.
var DefaultScopes = []string{"tn.jpm.jobs:r", "tn.crm.customers:r"}

// Client is an app registration the token endpoint accepts.
type Client struct {
	ID, Secret string
	// Tenant is the tenant id the app is installed on; it becomes the JWT
	// tenant claim. Empty means the first of Tenants, or DemoTenant, so
	// every token carries a tenant like real ones do.
	Tenant string
	// Scopes default to DefaultScopes when empty.
	Scopes []string
	// EnterpriseHub apps must name the tenant in the token form
	// (tenant=<id>), as real Enterprise Hub apps do; the token is then for
	// that tenant.
	EnterpriseHub bool
	// Tenants is the group of tenants an Enterprise Hub app serves: the
	// token form may name any of them. Empty means Tenant alone. Setting it
	// makes the client an Enterprise Hub app, since only those name a
	// tenant when asking for a token.
	Tenants []string
	// AppKey is the ST-App-Key the API routes accept with this client's
	// tokens; empty means Config.AppKey. Apps that belong to different
	// vendors have different keys, and a client that sends another app's
	// key must fail as it would at ServiceTitan.
	AppKey string
}

// Config describes a Server. The zero value is usable but has no clients, so
// every token request fails with invalid_client.
type Config struct {
	// Clients with the same ID: the later entry wins.
	Clients []Client
	// AppKey is the ST-App-Key value the API routes accept for clients
	// without an AppKey of their own. When empty the header is still
	// required (the real gateway always wants it) but any value passes.
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
	// Now is the server's clock for issuing and checking tokens and for the
	// rate limits; it defaults to time.Now. Tests set it to simulate clock
	// skew, expiry or a minute's worth of report runs without sleeping.
	Now func() time.Time
	// Logger, when set, gets one line per request with method, path, status
	// and duration. Query strings, headers and bodies are never logged, so
	// secrets and tokens cannot end up in the log.
	Logger *log.Logger

	// Jobs and Customers, when positive, replace the sample jobs and
	// customers with that many synthetic ones, each derived from its
	// position alone, so every run with the same numbers serves the same
	// data. Zero keeps the samples, which documentation and examples quote.
	Jobs, Customers int
	// ExportBatch is how many records one export answer holds; zero or
	// negative means DefaultExportBatch.
	ExportBatch int
	// APILatency is added before answering every API request, as
	// SetAPILatency does at run time.
	APILatency time.Duration
	// APIRateLimit is how many API requests per second a tenant may make
	// before the API answers 429. Zero means DefaultAPIRateLimit, as at
	// ServiceTitan; negative turns the limit off, for load tests of the
	// stand-in itself.
	APIRateLimit int
	// ExportChanges, when positive, modifies that many records of every
	// collection each minute from the server's start (counted on the
	// server clock, and applied when the collection is next read), in
	// turn from the first, so that an export resumed later has changes to
	// return. ChangeRecords makes changes at a moment of the caller's
	// choosing.
	ExportChanges int
	// ReportRows, when positive, is how many rows every report has before
	// its From and To parameters narrow them; zero gives each report a
	// number of its own from 500 to 1499.
	ReportRows int
	// ReportRuns is how many runs of one report a tenant may make within
	// ReportWindow before the report data route answers 429 with the
	// seconds left in Retry-After: zero means DefaultReportRuns, negative
	// turns the limit off. ReportWindow zero means DefaultReportWindow;
	// tests shorten it to see the limit lift without waiting a minute.
	ReportRuns   int
	ReportWindow time.Duration
	// EndlessLists makes every paged answer (lists, export batches, report
	// data) say hasMore=true, repeating the data past its end, so that a
	// client's bound on the number of pages it fetches can be tested.
	EndlessLists bool
}
