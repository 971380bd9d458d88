package servicetitan

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"golang.org/x/net/http/httpproxy"
)

// Options tune how a Config talks to ServiceTitan: what the program is
// rather than what the user configured. The zero value is what production
// use wants; tests shorten the waits.
type Options struct {
	// UserAgent names the calling program, such as "terraform-provider-servicetitan/1.2.0".
	UserAgent string
	// Transport sends the requests; nil means a transport of its own (no
	// state shared with http.DefaultTransport) that honours HTTPS_PROXY,
	// HTTP_PROXY and NO_PROXY as LookupEnv reads them when Resolve runs.
	Transport http.RoundTripper
	// LookupEnv reads environment variables; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// Now is the clock used for token expiry; nil means time.Now.
	Now func() time.Time
	// RetryWaitMin and RetryWaitMax bound the exponential backoff between
	// retries (defaults 500ms and 8s).
	RetryWaitMin, RetryWaitMax time.Duration
	// MaxRetryAfter is the longest Retry-After the client will sit through
	// (default 30s); a longer demand fails at once with the wait it asked for.
	MaxRetryAfter time.Duration
	// FailureHold is how long a failed token request is remembered, so that
	// many callers sharing one configuration do not each hammer a throttled
	// or rejecting endpoint (default 1m).
	FailureHold time.Duration
	// Log receives debug events. Nothing secret is ever passed to it.
	Log func(ctx context.Context, msg string, fields map[string]any)
	// Warn receives what a user should hear of although nothing failed,
	// such as a token cache directory this process cannot use; nil means Log.
	Warn func(ctx context.Context, msg string, fields map[string]any)
	// SharedTokens, when set, lets configurations resolved from the same
	// token settings share one token source. A program that may resolve the
	// same configuration more than once (a Terraform provider re-configured
	// in one process) keeps one SharedTokens so that doing so never costs a
	// second token request.
	SharedTokens *SharedTokens
	// TokenStore builds the store of a configuration with token_cache_dir
	// set (tokencache.New); whoever builds Options wires it in. The core
	// never imports a store, and a configuration that sets token_cache_dir
	// without one fails its token requests with a TokenCacheDirError. An
	// error it returns is what every token request of the configuration
	// fails with.
	TokenStore func(TokenStoreParams) (TokenStore, error)
}

func (o Options) withDefaults() Options {
	if o.UserAgent == "" {
		o.UserAgent = "servicetitan-auth-go"
	}
	if o.LookupEnv == nil {
		o.LookupEnv = os.LookupEnv
	}
	if o.Transport == nil {
		t := cleanhttp.DefaultPooledTransport()
		// http.ProxyFromEnvironment reads the variables once per process;
		// reading them per configuration, through LookupEnv, lets a program
		// (and a test) that sets them later be heard.
		t.Proxy = proxyFromEnv(o.LookupEnv)
		o.Transport = t
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RetryWaitMin <= 0 {
		o.RetryWaitMin = 500 * time.Millisecond
	}
	if o.RetryWaitMax <= 0 {
		o.RetryWaitMax = 8 * time.Second
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = 30 * time.Second
	}
	if o.FailureHold <= 0 {
		o.FailureHold = time.Minute
	}
	if o.Log == nil {
		o.Log = func(context.Context, string, map[string]any) {}
	}
	if o.Warn == nil {
		o.Warn = o.Log
	}
	return o
}

// tokenRequestParts are the options that change how a token is requested,
// for the key of SharedTokens. (The Transport is not one: a program shares
// one SharedTokens among configurations resolved with the same Options.)
func (o Options) tokenRequestParts() []string {
	return []string{o.UserAgent, o.RetryWaitMin.String(), o.RetryWaitMax.String(), o.MaxRetryAfter.String(), o.FailureHold.String()}
}

// proxyFromEnv applies the standard proxy variables, upper or lower case,
// with the rules of golang.org/x/net/http/httpproxy that net/http uses: no
// proxy for loopback targets or hosts matched by NO_PROXY.
func proxyFromEnv(lookupEnv func(string) (string, bool)) func(*http.Request) (*url.URL, error) {
	get := func(names ...string) string {
		for _, n := range names {
			if v, ok := lookupEnv(n); ok && v != "" {
				return v
			}
		}
		return ""
	}
	cfg := &httpproxy.Config{
		HTTPProxy:  get("HTTP_PROXY", "http_proxy"),
		HTTPSProxy: get("HTTPS_PROXY", "https_proxy"),
		NoProxy:    get("NO_PROXY", "no_proxy"),
		CGI:        get("REQUEST_METHOD") != "",
	}
	proxy := cfg.ProxyFunc()
	return func(r *http.Request) (*url.URL, error) { return proxy(r.URL) }
}
