package servicetitan

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Warning is something worth a user's notice about the settings that is
// no error: an ignored config-file key, a credential with white space at an
// end. Summary titles it; Detail names the setting or key and its source.
type Warning struct {
	Summary, Detail string
}

func (w Warning) String() string { return w.Detail }

// Input holds explicit values by setting name, the highest-precedence
// source. An empty string counts as unset, as in servicepytan. Values of
// every kind are text: "true", "4", "30s".
type Input map[string]string

// SourceKind says where a resolved value came from.
type SourceKind int

const (
	// SourceUnset means no source supplied a value and there is no default.
	SourceUnset SourceKind = iota
	// SourceExplicit is a value the caller passed in (a provider attribute).
	SourceExplicit
	// SourceFile is a key of the config file.
	SourceFile
	// SourceEnv is an environment variable.
	SourceEnv
	// SourceDefault is the setting's default.
	SourceDefault
)

// Source records where one setting's value came from, so that an error can
// send the user to the exact place to fix it.
type Source struct {
	Kind    SourceKind
	Setting Setting
	// File is the config file's path when Kind is SourceFile.
	File string
	// Entry is the key of the tenants entry that gave the value, "" for
	// the provider's own settings.
	Entry string
}

func (s Source) String() string {
	switch {
	case s.Kind == SourceExplicit && s.Entry != "":
		return "attribute " + EntrySetting(s.Entry, s.Setting.Name)
	case s.Kind == SourceFile && s.Entry != "":
		return fmt.Sprintf("config file %q of %s, key %q", s.File, EntryName(s.Entry), s.Setting.FileKey)
	}
	switch s.Kind {
	case SourceExplicit:
		return fmt.Sprintf("attribute %q", s.Setting.Name)
	case SourceFile:
		return fmt.Sprintf("config file %q, key %q", s.File, s.Setting.FileKey)
	case SourceEnv:
		return "environment variable " + s.Setting.EnvVar
	case SourceDefault:
		return "default"
	}
	return "not set"
}

// SettingError is a setting whose value is not allowed. It names the
// setting, where the value came from and what is allowed; the value itself
// is shown only when the setting is not secret.
type SettingError struct {
	Source  Source
	Value   string
	Allowed string
}

func (e *SettingError) Error() string {
	var b strings.Builder
	b.WriteString("invalid ")
	b.WriteString(e.Source.Setting.Name)
	if !e.Source.Setting.Secret {
		fmt.Fprintf(&b, " %q", DisplayValue(e.Source.Setting, e.Value))
	}
	fmt.Fprintf(&b, " (from %s): %s", e.Source, e.Allowed)
	return b.String()
}

// DisplayValue is how a setting's value may appear in a message or a log:
// nothing of a secret setting, and URL settings redacted (RedactURL), since
// their user info or query may carry credentials.
func DisplayValue(s Setting, v string) string {
	switch {
	case s.Secret:
		return ""
	case s.Name == SettingAuthRootURL.Name || s.Name == SettingAPIRootURL.Name:
		return RedactURL(v)
	}
	return v
}

// MissingSettingError reports settings needed for a token that no source supplied.
type MissingSettingError struct {
	Settings []Setting
	// ConfigFile is the config file that was read, if any, so the message can
	// say it was consulted.
	ConfigFile string
}

func (e *MissingSettingError) Error() string {
	var b strings.Builder
	for i, s := range e.Settings {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s is not set: set the attribute %q, the environment variable %s, or the key %q in a config file", s.Name, s.Name, s.EnvVar, s.FileKey)
	}
	if e.ConfigFile != "" {
		fmt.Fprintf(&b, " (config file %q was read and does not set it)", e.ConfigFile)
	}
	return b.String()
}

// Config is a resolved, validated set of settings (servicepytan's conn
// dictionary) together with the token source that belongs to it. Like
// oauth2's clientcredentials.Config it describes how to get a token; unlike
// it, every value has a known source.
type Config struct {
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
	minTokenLife   time.Duration

	values  map[string]string
	sources map[string]Source
	opts    Options
	tokens  *TokenSource
}

// Resolve resolves every setting from in, the config file and the
// environment (servicepytan_connect), and validates them all. It returns
// warnings (unknown config-file keys, credentials with white space at an
// end) and, when anything is invalid, one
// error per bad setting joined together. Missing credentials are not an
// error here: they are reported when a token is actually needed, so that
// credential-free uses (endpoint lookups) work without them. Nothing is
// sent anywhere until a token is asked for.
func Resolve(in Input, opts Options) (*Config, []Warning, error) {
	opts = opts.withDefaults()
	for _, name := range sortedKeys(in) {
		if _, ok := byName[name]; !ok {
			return nil, nil, fmt.Errorf("no ServiceTitan setting is named %q; the settings are %s", name, quotedList(settingNames()))
		}
	}
	vals, file, warnings, err := resolve(in, opts.LookupEnv)
	if err != nil {
		return nil, nil, err
	}
	path := ""
	if file != nil {
		path = file.path
	}
	c, err := build(vals, path, opts)
	return c, append(warnings, whiteSpaceWarnings(vals)...), err
}

// whiteSpaceWarnings name the credentials that carry white space at either
// end, a newline copied with a secret, say: ServiceTitan compares them
// exactly and answers only invalid_client. The value itself is never shown.
func whiteSpaceWarnings(vals map[string]resolved) []Warning {
	var out []Warning
	for _, s := range []Setting{SettingClientID, SettingClientSecret, SettingAppKey, SettingTenantID} {
		if v := vals[s.Name]; v.value != "" && strings.TrimSpace(v.value) != v.value {
			out = append(out, Warning{Summary: "ServiceTitan setting with surrounding white space",
				Detail: fmt.Sprintf("%s (from %s) begins or ends with white space, such as a newline copied with it; "+
					"ServiceTitan compares it exactly, so remove the white space if requests fail with invalid_client", s.Name, v.source)})
		}
	}
	return out
}

// build applies every setting's resolved value and makes the token source.
func build(vals map[string]resolved, configFile string, opts Options) (*Config, error) {
	c := &Config{values: map[string]string{}, sources: map[string]Source{}, opts: opts, configFile: configFile}
	var errs []error
	for _, s := range table {
		v := vals[s.Name]
		c.values[s.Name], c.sources[s.Name] = v.value, v.source
		if v.value == "" || s.apply == nil {
			continue
		}
		if err := s.apply(c, v.value); err != nil {
			errs = append(errs, &SettingError{Source: v.source, Value: v.value, Allowed: err.Error()})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c.tokens = c.tokenSource()
	return c, nil
}

// resolved is one setting's winning value and its source.
type resolved struct {
	value  string
	source Source
}

// resolve picks each setting's value: explicit, then config file, then
// environment variable, then default. servicepytan let a file or variable
// override an explicit parameter, the reverse of its docs; here the more
// specific source always wins.
func resolve(explicit Input, lookupEnv func(string) (string, bool)) (map[string]resolved, *configFile, []Warning, error) {
	env := func(s Setting) string {
		v, _ := lookupEnv(s.EnvVar)
		return v
	}

	out := map[string]resolved{}
	pick := func(s Setting, file *configFile) {
		switch {
		case explicit[s.Name] != "":
			out[s.Name] = resolved{explicit[s.Name], Source{Kind: SourceExplicit, Setting: s}}
		case file != nil && s.FileKey != "" && file.values[s.FileKey] != "":
			out[s.Name] = resolved{file.values[s.FileKey], Source{Kind: SourceFile, Setting: s, File: file.path}}
		case env(s) != "":
			out[s.Name] = resolved{env(s), Source{Kind: SourceEnv, Setting: s}}
		case s.Default != "":
			out[s.Name] = resolved{s.Default, Source{Kind: SourceDefault, Setting: s}}
		default:
			out[s.Name] = resolved{"", Source{Kind: SourceUnset, Setting: s}}
		}
	}

	// The config file's path is itself a setting, so resolve it first.
	pick(SettingConfigFile, nil)
	var file *configFile
	var warnings []Warning
	if cf := out[SettingConfigFile.Name]; cf.value != "" {
		var err error
		file, warnings, err = loadConfigFile(cf.value, cf.source)
		if err != nil {
			return nil, nil, nil, err
		}
	}
	for _, s := range table {
		if s.Name != SettingConfigFile.Name {
			pick(s, file)
		}
	}
	return out, file, warnings, nil
}

// Environment is the resolved environment.
func (c *Config) Environment() Environment { return c.environment }

// AppKey returns the application key (get_app_key).
func (c *Config) AppKey() string { return c.appKey }

// TenantID returns the tenant ID (get_tenant_id).
func (c *Config) TenantID() string { return c.tenantID }

// ClientID returns the OAuth client ID.
func (c *Config) ClientID() string { return c.clientID }

// AppID returns the application ID.
func (c *Config) AppID() string { return c.appID }

// Timezone is the location in which expiry times are reported.
func (c *Config) Timezone() *time.Location { return c.timezone }

// AuthRootURL is the auth root, the environment's or the override.
func (c *Config) AuthRootURL() string { return c.authRootURL }

// APIRootURL is the API root, the environment's or the override.
func (c *Config) APIRootURL() string { return c.apiRootURL }

// TokenURL is where this configuration requests tokens.
func (c *Config) TokenURL() string { return TokenURL(c.authRootURL) }

// TokenCacheDir is the directory of the cross-process token cache, as an
// absolute path, or "" when tokens are kept in the process only.
func (c *Config) TokenCacheDir() string { return c.tokenCacheDir }

// RequestTimeout bounds each attempt of a request (request_timeout).
func (c *Config) RequestTimeout() time.Duration { return c.requestTimeout }

// Options are the options the configuration was resolved with, defaults
// filled in.
func (c *Config) Options() Options { return c.opts }

// ConfigFile is the config file that was read, or "".
func (c *Config) ConfigFile() string { return c.configFile }

// Source says where a setting's value came from.
func (c *Config) Source(setting string) Source { return c.sources[setting] }

// Secrets lists the secret values this configuration holds, so that a
// logger can mask them wherever they might appear.
func (c *Config) Secrets() []string {
	var s []string
	for _, setting := range table {
		if v := c.values[setting.Name]; setting.Secret && v != "" {
			s = append(s, v)
		}
	}
	return s
}

// APIURL builds {api_root}/{folder}/v2/tenant/{tenant_id}/{endpoint} for this
// configuration's API root and tenant.
func (c *Config) APIURL(folder, endpoint string) (string, error) {
	if c.tenantID == "" {
		return "", &MissingSettingError{Settings: []Setting{SettingTenantID}, ConfigFile: c.configFile}
	}
	return BuildAPIURL(c.apiRootURL, folder, c.tenantID, endpoint)
}

// missing reports the settings in want that no source supplied.
func (c *Config) missing(want ...Setting) error {
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

func settingNames() []string {
	names := make([]string, len(table))
	for i, s := range table {
		names[i] = s.Name
	}
	return names
}

// sortedKeys returns a map's keys in order, for deterministic messages.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
