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
