package servicetitan

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Setting describes one connection setting and the three places it can come
// from. Keeping the names in one table means an error, the docs and the
// provider schema can never disagree about what a setting is called.
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
	// Description is one sentence for docs and schemas.
	Description string
}

// The settings, in the order users meet them.
var (
	SettingEnvironment = Setting{Name: "environment", EnvVar: "SERVICETITAN_API_ENVIRONMENT", FileKey: "SERVICETITAN_API_ENVIRONMENT", Default: string(DefaultEnvironment),
		Description: "ServiceTitan environment: `production` or `integration`. It chooses the auth and API root URLs."}
	SettingAppKey = Setting{Name: "app_key", EnvVar: "SERVICETITAN_APP_KEY", FileKey: "SERVICETITAN_APP_KEY", Secret: true,
		Description: "Application key of your ServiceTitan app, sent as the `ST-App-Key` header."}
	SettingTenantID = Setting{Name: "tenant_id", EnvVar: "SERVICETITAN_TENANT_ID", FileKey: "SERVICETITAN_TENANT_ID",
		Description: "ServiceTitan tenant ID (digits only)."}
	SettingClientID = Setting{Name: "client_id", EnvVar: "SERVICETITAN_CLIENT_ID", FileKey: "SERVICETITAN_CLIENT_ID",
		Description: "OAuth client ID of the app's installation on the tenant."}
	SettingClientSecret = Setting{Name: "client_secret", EnvVar: "SERVICETITAN_CLIENT_SECRET", FileKey: "SERVICETITAN_CLIENT_SECRET", Secret: true,
		Description: "OAuth client secret of the app's installation on the tenant."}
	SettingAppID = Setting{Name: "app_id", EnvVar: "SERVICETITAN_APP_ID", FileKey: "SERVICETITAN_APP_ID",
		Description: "ServiceTitan application ID (informational; not sent when requesting tokens)."}
	SettingTimezone = Setting{Name: "timezone", EnvVar: "SERVICETITAN_TIMEZONE", FileKey: "SERVICETITAN_TIMEZONE", Default: "UTC",
		Description: "IANA time zone, such as `America/Los_Angeles`, in which token expiry times are reported."}
	SettingConfigFile = Setting{Name: "config_file", EnvVar: "SERVICETITAN_CONFIG_FILE",
		Description: "Path to a servicepytan-format JSON config file whose keys are the `SERVICETITAN_*` names."}
	SettingAuthRootURL = Setting{Name: "auth_root_url", EnvVar: "SERVICETITAN_AUTH_ROOT_URL", FileKey: "SERVICETITAN_AUTH_ROOT_URL",
		Description: "Overrides the environment's auth root URL. Must be `https`, except on a loopback host."}
	SettingAPIRootURL = Setting{Name: "api_root_url", EnvVar: "SERVICETITAN_API_ROOT_URL", FileKey: "SERVICETITAN_API_ROOT_URL",
		Description: "Overrides the environment's API root URL. Must be `https`, except on a loopback host."}
	SettingEnterpriseHub = Setting{Name: "enterprise_hub", EnvVar: "SERVICETITAN_ENTERPRISE_HUB", FileKey: "SERVICETITAN_ENTERPRISE_HUB", Default: "false",
		Description: "Set for Enterprise Hub apps: the token request then also carries the tenant ID."}
	SettingRequestTimeout = Setting{Name: "request_timeout", EnvVar: "SERVICETITAN_REQUEST_TIMEOUT", FileKey: "SERVICETITAN_REQUEST_TIMEOUT", Default: "30s",
		Description: "Time limit for each HTTP attempt, as a duration such as `30s` (at most `5m`)."}
	SettingMaxRetries = Setting{Name: "max_retries", EnvVar: "SERVICETITAN_MAX_RETRIES", FileKey: "SERVICETITAN_MAX_RETRIES", Default: "4",
		Description: "How many times a token request is retried after a connection error, 429 or 5xx (0 to 10)."}
)

// Settings lists every setting in documentation order.
func Settings() []Setting {
	return []Setting{
		SettingEnvironment, SettingAppKey, SettingTenantID, SettingClientID, SettingClientSecret, SettingAppID,
		SettingTimezone, SettingConfigFile, SettingAuthRootURL, SettingAPIRootURL, SettingEnterpriseHub,
		SettingRequestTimeout, SettingMaxRetries,
	}
}

// fileKeys maps every key a config file may hold to its setting.
var fileKeys = func() map[string]Setting {
	m := map[string]Setting{}
	for _, s := range Settings() {
		if s.FileKey != "" {
			m[s.FileKey] = s
		}
	}
	return m
}()

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
}

func (s Source) String() string {
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

// Input holds explicit values, the highest-precedence source. An empty
// string, a nil pointer or a zero duration counts as unset, as in servicepytan.
type Input struct {
	Environment    string
	AppKey         string
	TenantID       string
	ClientID       string
	ClientSecret   string
	AppID          string
	Timezone       string
	ConfigFile     string
	AuthRootURL    string
	APIRootURL     string
	EnterpriseHub  *bool
	RequestTimeout string
	MaxRetries     *int64
}

// fields pairs each setting with its field of Input. It is the one place
// where the table's names meet Go's; TestInputHasOneFieldPerSetting holds
// the two together.
func (in *Input) fields() map[string]any {
	return map[string]any{
		SettingEnvironment.Name: &in.Environment, SettingAppKey.Name: &in.AppKey, SettingTenantID.Name: &in.TenantID,
		SettingClientID.Name: &in.ClientID, SettingClientSecret.Name: &in.ClientSecret, SettingAppID.Name: &in.AppID,
		SettingTimezone.Name: &in.Timezone, SettingConfigFile.Name: &in.ConfigFile, SettingAuthRootURL.Name: &in.AuthRootURL,
		SettingAPIRootURL.Name: &in.APIRootURL, SettingEnterpriseHub.Name: &in.EnterpriseHub,
		SettingRequestTimeout.Name: &in.RequestTimeout, SettingMaxRetries.Name: &in.MaxRetries,
	}
}

// Field returns a pointer to the field of in that holds the named setting:
// a *string, a **bool or a **int64, or nil for a name that is no setting.
// A program that reads settings by name, walking Settings(), fills Input
// through it without spelling each name again; the field's type is also
// the setting's type.
func (in *Input) Field(name string) any { return in.fields()[name] }

func (in Input) explicit() map[string]string {
	m := map[string]string{}
	for name, f := range in.fields() {
		switch f := f.(type) {
		case *string:
			m[name] = *f
		case **bool:
			if *f != nil {
				m[name] = strconv.FormatBool(**f)
			}
		case **int64:
			if *f != nil {
				m[name] = strconv.FormatInt(**f, 10)
			}
		}
	}
	return m
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
func resolve(in Input, lookupEnv func(string) (string, bool)) (map[string]resolved, *configFile, []string, error) {
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	explicit := in.explicit()
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
	var warnings []string
	if cf := out[SettingConfigFile.Name]; cf.value != "" {
		var err error
		file, warnings, err = loadConfigFile(cf.value, cf.source)
		if err != nil {
			return nil, nil, nil, err
		}
	}
	for _, s := range Settings() {
		if s.Name != SettingConfigFile.Name {
			pick(s, file)
		}
	}
	return out, file, warnings, nil
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
