package servicetitan

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"golang.org/x/net/http/httpproxy"

	// Timezone names must resolve on machines without a zoneinfo database
	// (minimal containers, Windows CI runners).
	_ "time/tzdata"
)

// Limits on the tunable settings. The request timeout is capped well above
// ServiceTitan's own 100 s server timeout but low enough that a mistyped
// "300m" cannot hang a Terraform run for hours.
const (
	MaxRequestTimeout = 5 * time.Minute
	MaxMaxRetries     = 10
)

// Options tune how a Connection talks to ServiceTitan. The zero value is
// what production use wants; tests shorten the waits.
type Options struct {
	// UserAgent names the calling program, such as "terraform-provider-servicetitan/1.2.0".
	UserAgent string
	// Transport sends the requests; nil means a transport of its own (no
	// state shared with http.DefaultTransport) that honours HTTPS_PROXY,
	// HTTP_PROXY and NO_PROXY as LookupEnv reads them when Connect runs.
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
	// many callers sharing one connection do not each hammer a throttled or
	// rejecting endpoint (default 1m).
	FailureHold time.Duration
	// Log receives debug events. Nothing secret is ever passed to it.
	Log func(ctx context.Context, msg string, fields map[string]any)
	// Cache, when set, lets connections with the same settings (credentials,
	// URLs, timeout and retries) share one token source. A program that may
	// resolve the same configuration more than once (a Terraform provider
	// re-configured in one process) keeps one Cache so that doing so never
	// costs a second token request.
	Cache *TokenCache
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
		// reading them per connection, through LookupEnv, lets a program
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
	return o
}

// Connection is a resolved, validated set of settings (servicepytan's conn
// dictionary) together with the token cache that belongs to it.
type Connection struct {
	environment    Environment
	appKey         string
	tenantID       string
	clientID       string
	clientSecret   string
	appID          string
	timezone       *time.Location
	authRootURL    string
	apiRootURL     string
	enterpriseHub  bool
	requestTimeout time.Duration
	maxRetries     int
	configFile     string
	tokenCacheDir  string

	sources map[string]Source
	opts    Options
	tokens  *TokenSource
}

// Connect resolves every setting from in, the config file and the
// environment (servicepytan_connect), and validates them all. It returns
// warnings (unknown config-file keys) and, when anything is invalid, one
// error per bad setting joined together. Missing credentials are not an
// error here: they are reported when a token is actually needed, so that
// credential-free uses (endpoint lookups) work without them.
func Connect(in Input, opts Options) (*Connection, []string, error) {
	opts = opts.withDefaults()
	vals, file, warnings, err := resolve(in, opts.LookupEnv)
	if err != nil {
		return nil, nil, err
	}
	c := &Connection{sources: map[string]Source{}, opts: opts}
	for name, r := range vals {
		c.sources[name] = r.source
	}
	if file != nil {
		c.configFile = file.path
	}
	var errs []error
	bad := func(name, allowed string) {
		errs = append(errs, &SettingError{Source: vals[name].source, Value: vals[name].value, Allowed: allowed})
	}

	env, err := ParseEnvironment(vals[SettingEnvironment.Name].value)
	if err != nil {
		bad(SettingEnvironment.Name, "valid environments are "+quotedList(EnvironmentNames()))
	} else {
		c.environment = env
		// The root URLs follow the environment whichever source chose it;
		// servicepytan kept the production URLs when the environment came
		// from a file or variable.
		c.authRootURL = environmentRoots[env].auth
		c.apiRootURL = environmentRoots[env].api
	}

	c.appKey = vals[SettingAppKey.Name].value
	c.clientID = vals[SettingClientID.Name].value
	c.clientSecret = vals[SettingClientSecret.Name].value
	c.appID = vals[SettingAppID.Name].value

	c.tenantID = vals[SettingTenantID.Name].value
	if c.tenantID != "" {
		if err := validateTenantID(c.tenantID); err != nil {
			bad(SettingTenantID.Name, err.Error())
		}
	}

	if loc, err := loadTimezone(vals[SettingTimezone.Name].value); err != nil {
		bad(SettingTimezone.Name, err.Error())
	} else {
		c.timezone = loc
	}

	for _, o := range []struct {
		setting Setting
		dst     *string
	}{{SettingAuthRootURL, &c.authRootURL}, {SettingAPIRootURL, &c.apiRootURL}} {
		v := vals[o.setting.Name]
		if v.value == "" {
			continue
		}
		u, err := validateRootURL(v.value)
		if err != nil {
			bad(o.setting.Name, err.Error())
			continue
		}
		*o.dst = u
	}

	if hub, err := parseEnterpriseHub(vals[SettingEnterpriseHub.Name].value); err != nil {
		bad(SettingEnterpriseHub.Name, err.Error())
	} else {
		c.enterpriseHub = hub
	}

	if d, err := parseRequestTimeout(vals[SettingRequestTimeout.Name].value); err != nil {
		bad(SettingRequestTimeout.Name, err.Error())
	} else {
		c.requestTimeout = d
	}

	if n, err := parseMaxRetries(vals[SettingMaxRetries.Name].value); err != nil {
		bad(SettingMaxRetries.Name, err.Error())
	} else {
		c.maxRetries = n
	}

	if dir, err := parseTokenCacheDir(vals[SettingTokenCacheDir.Name].value); err != nil {
		bad(SettingTokenCacheDir.Name, err.Error())
	} else {
		c.tokenCacheDir = dir
	}

	if len(errs) > 0 {
		return nil, warnings, errors.Join(errs...)
	}
	fetch := c.fetchToken
	if c.tokenCacheDir != "" {
		fetch = c.tokenCacheLayer(fetch)
	}
	newSource := func() *TokenSource { return NewTokenSource(fetch, opts.Now, opts.FailureHold) }
	if opts.Cache != nil {
		c.tokens = opts.Cache.source(c.cacheKey(), newSource)
	} else {
		c.tokens = newSource()
	}
	return c, warnings, nil
}

// ValidateSetting checks one setting's value the way Connect does, so that a
// caller (a schema validator) can reject it before a connection is built. It
// returns what is allowed; an empty value is always accepted (unset).
func ValidateSetting(name, value string) error {
	if value == "" {
		return nil
	}
	var err error
	switch name {
	case SettingEnvironment.Name:
		if _, perr := ParseEnvironment(value); perr != nil {
			err = errors.New("valid environments are " + quotedList(EnvironmentNames()))
		}
	case SettingTenantID.Name:
		err = validateTenantID(value)
	case SettingTimezone.Name:
		_, err = loadTimezone(value)
	case SettingAuthRootURL.Name, SettingAPIRootURL.Name:
		_, err = validateRootURL(value)
	case SettingEnterpriseHub.Name:
		_, err = parseEnterpriseHub(value)
	case SettingRequestTimeout.Name:
		_, err = parseRequestTimeout(value)
	case SettingMaxRetries.Name:
		_, err = parseMaxRetries(value)
	case SettingTokenCacheDir.Name:
		_, err = parseTokenCacheDir(value)
	}
	return err
}

func parseEnterpriseHub(v string) (bool, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errors.New(`must be "true" or "false"`)
	}
	return b, nil
}

func parseRequestTimeout(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 || d > MaxRequestTimeout {
		return 0, fmt.Errorf("must be a positive duration such as \"30s\" or \"1m30s\", at most %s", MaxRequestTimeout)
	}
	return d, nil
}

func parseMaxRetries(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > MaxMaxRetries {
		return 0, fmt.Errorf("must be a whole number from 0 to %d", MaxMaxRetries)
	}
	return n, nil
}

func validateTenantID(v string) error {
	if v == "" {
		return errors.New("a tenant ID is digits only, such as \"1234\"")
	}
	for _, r := range v {
		if r < '0' || r > '9' {
			return errors.New("a tenant ID is digits only, such as \"1234\"")
		}
	}
	if _, err := strconv.ParseInt(v, 10, 64); err != nil {
		return errors.New("a tenant ID is a whole number of at most 19 digits")
	}
	return nil
}

func loadTimezone(name string) (*time.Location, error) {
	// "Local" and "" are accepted by time.LoadLocation but mean the machine's
	// zone, which differs between a laptop and CI; only IANA names are allowed.
	if name == "" || name == "Local" {
		return nil, errors.New("must be an IANA time zone name such as \"UTC\" or \"America/New_York\"")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, errors.New("not a known IANA time zone; use a name such as \"UTC\" or \"America/New_York\"")
	}
	return loc, nil
}

// validateRootURL accepts an absolute URL without query or fragment. Plain
// http is refused unless the host is loopback: the token request carries the
// client secret, which must never cross a network in clear text.
func validateRootURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return "", errors.New("must be an absolute URL such as \"https://auth.example.com\"")
	}
	if u.User != nil {
		return "", errors.New("must not carry credentials in the URL")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New("must not have a query or fragment")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", errors.New("must use https; plain http is allowed only for a loopback host (localhost, 127.0.0.1, ::1), since the client secret would travel in clear text")
		}
	default:
		return "", fmt.Errorf("must use https, not %q", u.Scheme)
	}
	return strings.TrimRight(u.String(), "/"), nil
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

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Environment is the resolved environment.
func (c *Connection) Environment() Environment { return c.environment }

// AppKey returns the application key (get_app_key).
func (c *Connection) AppKey() string { return c.appKey }

// TenantID returns the tenant ID (get_tenant_id).
func (c *Connection) TenantID() string { return c.tenantID }

// ClientID returns the OAuth client ID.
func (c *Connection) ClientID() string { return c.clientID }

// AppID returns the application ID.
func (c *Connection) AppID() string { return c.appID }

// Timezone is the location in which expiry times are reported.
func (c *Connection) Timezone() *time.Location { return c.timezone }

// AuthRootURL is the auth root, the environment's or the override.
func (c *Connection) AuthRootURL() string { return c.authRootURL }

// APIRootURL is the API root, the environment's or the override.
func (c *Connection) APIRootURL() string { return c.apiRootURL }

// TokenURL is where this connection requests tokens.
func (c *Connection) TokenURL() string { return TokenURL(c.authRootURL) }

// TokenCacheDir is the directory of the cross-process token cache, as an
// absolute path, or "" when tokens are kept in the process only.
func (c *Connection) TokenCacheDir() string { return c.tokenCacheDir }

// ConfigFile is the config file that was read, or "".
func (c *Connection) ConfigFile() string { return c.configFile }

// Source says where a setting's value came from.
func (c *Connection) Source(setting string) Source { return c.sources[setting] }

// Secrets lists the secret values this connection holds, so that a logger
// can mask them wherever they might appear.
func (c *Connection) Secrets() []string {
	var s []string
	for _, v := range []string{c.clientSecret, c.appKey} {
		if v != "" {
			s = append(s, v)
		}
	}
	return s
}

// APIURL builds {api_root}/{folder}/v2/tenant/{tenant_id}/{endpoint} for this
// connection's API root and tenant.
func (c *Connection) APIURL(folder, endpoint string) (string, error) {
	if c.tenantID == "" {
		return "", &MissingSettingError{Settings: []Setting{SettingTenantID}, ConfigFile: c.configFile}
	}
	return BuildAPIURL(c.apiRootURL, folder, c.tenantID, endpoint)
}

// missing reports the settings in want that no source supplied.
func (c *Connection) missing(want ...Setting) error {
	var miss []Setting
	for _, s := range want {
		if c.sources[s.Name].Kind == SourceUnset {
			miss = append(miss, s)
		}
	}
	if len(miss) == 0 {
		return nil
	}
	return &MissingSettingError{Settings: miss, ConfigFile: c.configFile}
}

// tokenCredentials are what a token request needs.
func (c *Connection) tokenCredentials() error {
	want := []Setting{SettingClientID, SettingClientSecret}
	if c.enterpriseHub {
		want = append(want, SettingTenantID)
	}
	return c.missing(want...)
}
