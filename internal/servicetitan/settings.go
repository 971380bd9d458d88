package servicetitan

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	// Timezone names must resolve on machines without a zoneinfo database
	// (minimal containers, Windows CI runners).
	_ "time/tzdata"
)

// Setting describes one setting: its names in the three places it can come
// from, and how a value of it is checked and applied. Each setting is one
// row of the table below, so that an error, the docs, the provider schema
// and Resolve can never disagree about what a setting is called or allows.
type Setting struct {
	// Name is the setting's name, which is also the provider attribute.
	Name string
	// EnvVar is the environment variable that supplies it.
	EnvVar string
	// FileKey is the key in a servicepytan-format config file; empty when the
	// setting cannot come from a file (config_file itself).
	FileKey string
	// Default is used when no source supplies a value; empty for none.
	Default string
	// Secret settings are never echoed in messages.
	Secret bool
	// Kind is the type of an explicit value, and so of the provider attribute.
	Kind Kind
	// TokenRequest marks settings that change which token ServiceTitan
	// issues or how it is requested: configurations that differ in one of
	// them never share a token source (SharedTokens).
	TokenRequest bool
	// Description is one sentence for docs and schemas.
	Description string

	// apply checks a value and stores what it means in c, or says what is
	// allowed. nil means the value is only consumed by Resolve itself
	// (config_file). Validation alone applies to a Config of its own.
	apply func(c *Config, v string) error
}

// Kind is the type of a setting's explicit value. Files and environment
// variables hold text; a value of any kind is written as Go's strconv does.
type Kind int

const (
	// KindString is text.
	KindString Kind = iota
	// KindBool is "true" or "false".
	KindBool
	// KindInt is a whole number.
	KindInt
)

// Limits on the tunable settings. The request timeout is capped well above
// ServiceTitan's own 100 s server timeout but low enough that a mistyped
// "300m" cannot hang a Terraform run for hours.
const (
	MaxRequestTimeout = 5 * time.Minute
	MaxMaxRetries     = 10
)

// The settings, in the order users meet them. define adds each row to the
// table in this order; a new setting is a row here, the Config field its
// apply sets, and the code that uses that field.
var (
	SettingEnvironment = define(Setting{Name: "environment", EnvVar: "SERVICETITAN_API_ENVIRONMENT", FileKey: "SERVICETITAN_API_ENVIRONMENT", Default: string(DefaultEnvironment),
		TokenRequest: true,
		Description:  "ServiceTitan environment: `production` or `integration`. It chooses the auth and API root URLs.",
		apply: func(c *Config, v string) error {
			env, err := ParseEnvironment(v)
			if err != nil {
				return errors.New("valid environments are " + quotedList(EnvironmentNames()))
			}
			// The root URLs follow the environment whichever source chose
			// it; servicepytan kept the production URLs when the
			// environment came from a file or variable. The URL settings,
			// later in the table, override them.
			c.environment = env
			c.authRootURL, c.apiRootURL = environmentRoots[env].auth, environmentRoots[env].api
			return nil
		}})
	SettingAppKey = define(Setting{Name: "app_key", EnvVar: "SERVICETITAN_APP_KEY", FileKey: "SERVICETITAN_APP_KEY", Secret: true,
		Description: "Application key of your ServiceTitan app, sent as the `ST-App-Key` header.",
		apply:       text(func(c *Config) *string { return &c.appKey })})
	SettingTenantID = define(Setting{Name: "tenant_id", EnvVar: "SERVICETITAN_TENANT_ID", FileKey: "SERVICETITAN_TENANT_ID",
		TokenRequest: true,
		Description:  "ServiceTitan tenant ID (digits only).",
		apply: func(c *Config, v string) error {
			c.tenantID = v
			return validateTenantID(v)
		}})
	SettingClientID = define(Setting{Name: "client_id", EnvVar: "SERVICETITAN_CLIENT_ID", FileKey: "SERVICETITAN_CLIENT_ID",
		TokenRequest: true,
		Description:  "OAuth client ID of the app's installation on the tenant.",
		apply:        text(func(c *Config) *string { return &c.clientID })})
	SettingClientSecret = define(Setting{Name: "client_secret", EnvVar: "SERVICETITAN_CLIENT_SECRET", FileKey: "SERVICETITAN_CLIENT_SECRET", Secret: true,
		TokenRequest: true,
		Description:  "OAuth client secret of the app's installation on the tenant.",
		apply:        text(func(c *Config) *string { return &c.clientSecret })})
	SettingAppID = define(Setting{Name: "app_id", EnvVar: "SERVICETITAN_APP_ID", FileKey: "SERVICETITAN_APP_ID",
		Description: "ServiceTitan application ID (informational; not sent when requesting tokens).",
		apply:       text(func(c *Config) *string { return &c.appID })})
	SettingTimezone = define(Setting{Name: "timezone", EnvVar: "SERVICETITAN_TIMEZONE", FileKey: "SERVICETITAN_TIMEZONE", Default: "UTC",
		Description: "IANA time zone, such as `America/Los_Angeles`, in which token expiry times are reported.",
		apply: func(c *Config, v string) (err error) {
			c.timezone, err = loadTimezone(v)
			return err
		}})
	SettingConfigFile = define(Setting{Name: "config_file", EnvVar: "SERVICETITAN_CONFIG_FILE",
		Description: "Path to a servicepytan-format JSON config file whose keys are the `SERVICETITAN_*` names."})
	SettingAuthRootURL = define(Setting{Name: "auth_root_url", EnvVar: "SERVICETITAN_AUTH_ROOT_URL", FileKey: "SERVICETITAN_AUTH_ROOT_URL",
		TokenRequest: true,
		Description:  "Overrides the environment's auth root URL. Must be `https`, except on a loopback host.",
		apply:        rootURL(authRootCarries, func(c *Config) *string { return &c.authRootURL })})
	SettingAPIRootURL = define(Setting{Name: "api_root_url", EnvVar: "SERVICETITAN_API_ROOT_URL", FileKey: "SERVICETITAN_API_ROOT_URL",
		Description: "Overrides the environment's API root URL. Must be `https`, except on a loopback host.",
		apply:       rootURL(apiRootCarries, func(c *Config) *string { return &c.apiRootURL })})
	SettingEnterpriseHub = define(Setting{Name: "enterprise_hub", EnvVar: "SERVICETITAN_ENTERPRISE_HUB", FileKey: "SERVICETITAN_ENTERPRISE_HUB", Default: "false",
		Kind: KindBool, TokenRequest: true,
		Description: "Set for Enterprise Hub apps: the token request then also carries the tenant ID.",
		apply: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New(`must be "true" or "false"`)
			}
			c.enterpriseHub = b
			return nil
		}})
	SettingRequestTimeout = define(Setting{Name: "request_timeout", EnvVar: "SERVICETITAN_REQUEST_TIMEOUT", FileKey: "SERVICETITAN_REQUEST_TIMEOUT", Default: "30s",
		TokenRequest: true,
		Description:  "Time limit for each HTTP attempt, as a duration such as `30s` (at most `5m`).",
		apply: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 || d > MaxRequestTimeout {
				return fmt.Errorf("must be a positive duration such as \"30s\" or \"1m30s\", at most %s", MaxRequestTimeout)
			}
			c.requestTimeout = d
			return nil
		}})
	SettingMaxRetries = define(Setting{Name: "max_retries", EnvVar: "SERVICETITAN_MAX_RETRIES", FileKey: "SERVICETITAN_MAX_RETRIES", Default: "4",
		Kind: KindInt, TokenRequest: true,
		Description: "How many times a token request is retried after a connection error, 429 or 5xx (0 to 10).",
		apply: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > MaxMaxRetries {
				return fmt.Errorf("must be a whole number from 0 to %d", MaxMaxRetries)
			}
			c.maxRetries = n
			return nil
		}})
	SettingMinTokenLife = define(Setting{Name: "min_token_life", EnvVar: "SERVICETITAN_MIN_TOKEN_LIFE", FileKey: "SERVICETITAN_MIN_TOKEN_LIFE", Default: "60s",
		TokenRequest: true,
		Description:  "The least life a token must have left when it is handed out, as a duration such as `5m` (at most `10m`, below ServiceTitan's 15-minute tokens). A cached token with less is replaced. Raise it when what takes the token keeps it for long, such as a provider block configured from the ephemeral token at the start of a long apply.",
		apply: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Second || d > MaxMinTokenLife {
				return fmt.Errorf("must be a duration such as \"60s\" or \"5m\", from 1s to %s", MaxMinTokenLife)
			}
			c.minTokenLife = d
			return nil
		}})
	SettingTokenCacheDir = define(Setting{Name: "token_cache_dir", EnvVar: "SERVICETITAN_TOKEN_CACHE_DIR", FileKey: "SERVICETITAN_TOKEN_CACHE_DIR",
		TokenRequest: true,
		Description:  "Directory where tokens are kept, sealed with the client secret, for other provider processes and later runs on this machine to reuse while they are valid. An absolute path; a leading `~` is the user's home directory. Unset, tokens live only in the provider process.",
		apply: func(c *Config, v string) (err error) {
			c.tokenCacheDir, err = parseTokenCacheDir(v)
			return err
		}})
)

// table holds the rows in declaration order; byName and fileKeys index it.
var (
	table    []Setting
	byName   = map[string]Setting{}
	fileKeys = map[string]Setting{}
)

func define(s Setting) Setting {
	if _, dup := byName[s.Name]; dup {
		panic("servicetitan: setting " + s.Name + " is defined twice")
	}
	table = append(table, s)
	byName[s.Name] = s
	if s.FileKey != "" {
		fileKeys[s.FileKey] = s
	}
	return s
}

// Settings lists every setting in documentation order.
func Settings() []Setting { return append([]Setting(nil), table...) }

// ValidateSetting checks one setting's value the way Resolve does, so that a
// caller (a schema validator) can reject it before anything is resolved. It
// returns what is allowed; an empty value is always accepted (unset), and so
// is any value of a name that is no setting.
func ValidateSetting(name, value string) error {
	s, ok := byName[name]
	if !ok || value == "" || s.apply == nil {
		return nil
	}
	return s.apply(&Config{}, value)
}

// text is the apply of a setting taken as it is.
func text(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		*field(c) = v
		return nil
	}
}

// What travels to each root, and so what plain http to another host would
// expose: the token request carries the client secret; an API call carries
// the token and the app key.
const (
	authRootCarries = "the client secret"
	apiRootCarries  = "the access token and the app key"
)

// rootURL is the apply of a root URL override; carries is what travels to
// that root.
func rootURL(carries string, field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		u, err := validateRootURL(v, carries)
		if err == nil {
			*field(c) = u
		}
		return err
	}
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
// http is refused unless the host is loopback: what travels to the root
// (carries: the client secret to the auth root, the token and the app key
// to the API root) must never cross a network in clear text.
func validateRootURL(raw, carries string) (string, error) {
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
			return "", errors.New("must use https; plain http is allowed only for a loopback host (localhost, 127.0.0.1, ::1), since " + carries + " would travel in clear text")
		}
	default:
		return "", fmt.Errorf("must use https, not %q", u.Scheme)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// parseTokenCacheDir accepts an absolute path, or one starting with "~"
// for the user's home directory: a config file or an environment variable
// has no shell to expand it, and Terraform's pathexpand does the same.
func parseTokenCacheDir(v string) (string, error) {
	p := v
	if p == "~" || strings.HasPrefix(p, "~/") || (filepath.Separator == '\\' && strings.HasPrefix(p, `~\`)) {
		home, err := os.UserHomeDir()
		if err != nil || home == "" {
			return "", errors.New("starts with \"~\", but the user's home directory is not known; use an absolute path")
		}
		if !filepath.IsAbs(home) {
			return "", fmt.Errorf("starts with \"~\", but the user's home directory (%q) is not an absolute path; use an absolute path", home)
		}
		p = filepath.Join(home, p[1:])
	} else if strings.HasPrefix(p, "~") {
		return "", errors.New("only \"~\" for the current user's home directory is expanded, not \"~user\"; use an absolute path")
	}
	if !filepath.IsAbs(p) {
		return "", errors.New("must be an absolute path (or start with \"~/\"): a relative one would depend on the directory Terraform runs in")
	}
	return filepath.Clean(p), nil
}
