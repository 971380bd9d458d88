package servicetitan

import (
	"errors"
	"fmt"
	"strconv"
)

// Many tenants from one provider configuration: each entry of tenants is
// resolved like a configuration of its own, its values first, then its
// config file, then the provider's own resolved settings, so that an
// Enterprise Hub app's entries share one credential pair and a standard
// app's entries each bring their installation's.

// TenantSettings are the settings an entry of tenants may set.
var TenantSettings = []Setting{SettingTenantID, SettingClientID, SettingClientSecret, SettingAppKey, SettingEnvironment, SettingEnterpriseHub, SettingConfigFile}

// EntryName is how messages name an entry: tenants["north"].
func EntryName(key string) string { return fmt.Sprintf("tenants[%q]", key) }

// EntrySetting is how messages name an entry's setting: tenants["north"].client_id.
func EntrySetting(key, setting string) string { return EntryName(key) + "." + setting }

// TenantError is an entry of tenants that cannot serve its tenant.
type TenantError struct {
	Key     string
	Setting string // "" when the entry as a whole is meant
	Reason  string
}

func (e *TenantError) Error() string {
	what := EntryName(e.Key)
	if e.Setting != "" {
		what = EntrySetting(e.Key, e.Setting)
	}
	return what + " " + e.Reason
}

// Tenant resolves the entry key of tenants, with the values in. The
// resolved configuration has a token source of its own, shared through
// Options.SharedTokens with any configuration of the same token settings.
func (c *Config) Tenant(key string, in Input) (*Config, []Warning, error) {
	allowed := map[string]bool{}
	for _, s := range TenantSettings {
		allowed[s.Name] = true
	}
	for _, name := range sortedKeys(in) {
		if !allowed[name] {
			return nil, nil, &TenantError{Key: key, Setting: name, Reason: "is not a setting of an entry: an entry of tenants sets only " + quotedList(tenantSettingNames())}
		}
	}
	var file *configFile
	var warnings []Warning
	if path := in[SettingConfigFile.Name]; path != "" {
		var err error
		file, warnings, err = loadConfigFile(path, Source{Kind: SourceExplicit, Setting: SettingConfigFile, Entry: key})
		if err != nil {
			return nil, nil, err
		}
	}
	vals := map[string]resolved{}
	for _, s := range table {
		switch {
		case allowed[s.Name] && in[s.Name] != "":
			vals[s.Name] = resolved{in[s.Name], Source{Kind: SourceExplicit, Setting: s, Entry: key}}
		case allowed[s.Name] && file != nil && s.FileKey != "" && file.values[s.FileKey] != "":
			vals[s.Name] = resolved{file.values[s.FileKey], Source{Kind: SourceFile, Setting: s, File: file.path, Entry: key}}
		default:
			vals[s.Name] = resolved{c.values[s.Name], c.sources[s.Name]}
		}
	}
	var errs []error
	fromEntry := func(s Setting) bool { return vals[s.Name].source.Entry == key }
	if !fromEntry(SettingTenantID) {
		errs = append(errs, &TenantError{Key: key, Setting: SettingTenantID.Name,
			Reason: "is not set: each entry names its tenant, in the entry or in its config file (key \"SERVICETITAN_TENANT_ID\")"})
	}
	// A standard app's credentials belong to one installation, on one
	// tenant: inheriting the provider's would send every entry's requests
	// with one tenant's credentials.
	if hub, _ := strconv.ParseBool(vals[SettingEnterpriseHub.Name].value); !hub {
		for _, s := range []Setting{SettingClientID, SettingClientSecret} {
			if !fromEntry(s) {
				errs = append(errs, &TenantError{Key: key, Setting: s.Name,
					Reason: fmt.Sprintf("is not set: an entry of a standard app sets its own %s, in the entry or in its config file (key %q), because a standard app's credentials belong to one tenant's installation; for an Enterprise Hub app, whose one credential pair serves its tenants, set enterprise_hub = true", s.Name, s.FileKey)})
			}
		}
	}
	if len(errs) > 0 {
		return nil, warnings, errors.Join(errs...)
	}
	path := c.configFile
	if file != nil {
		path = file.path
	}
	t, err := build(vals, path, c.opts)
	return t, append(warnings, whiteSpaceWarnings(vals)...), err
}

func tenantSettingNames() []string {
	names := make([]string, len(TenantSettings))
	for i, s := range TenantSettings {
		names[i] = s.Name
	}
	return names
}
