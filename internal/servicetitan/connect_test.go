package servicetitan_test

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

func TestPrecedenceExplicitThenFileThenEnvThenDefault(t *testing.T) {
	// Every source sets something, and some settings are set by all three
	// at once, so each rung of the ladder is observed.
	file := writeFile(t, "servicetitan.json", `{
  "SERVICETITAN_CLIENT_ID": "file-client",
  "SERVICETITAN_TENANT_ID": "2222",
  "SERVICETITAN_APP_KEY": "file-app-key",
  "SERVICETITAN_API_ENVIRONMENT": "integration"
}`)
	vars := map[string]string{
		"SERVICETITAN_CLIENT_ID":       "env-client",
		"SERVICETITAN_TENANT_ID":       "3333",
		"SERVICETITAN_APP_KEY":         "env-app-key",
		"SERVICETITAN_CLIENT_SECRET":   "env-secret",
		"SERVICETITAN_APP_ID":          "env-app-id",
		"SERVICETITAN_API_ENVIRONMENT": "production",
		"SERVICETITAN_CONFIG_FILE":     "/nonexistent/ignored-because-explicit.json",
	}
	conn, warnings, err := servicetitan.Connect(servicetitan.Input{
		ClientID:   "explicit-client",
		ConfigFile: file,
	}, servicetitan.Options{LookupEnv: env(vars)})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("unexpected warnings %v", warnings)
	}
	for _, tc := range []struct {
		setting, got, want string
		kind               servicetitan.SourceKind
	}{
		{"client_id", conn.ClientID(), "explicit-client", servicetitan.SourceExplicit},
		{"tenant_id", conn.TenantID(), "2222", servicetitan.SourceFile},
		{"app_key", conn.AppKey(), "file-app-key", servicetitan.SourceFile},
		{"environment", string(conn.Environment()), "integration", servicetitan.SourceFile},
		{"app_id", conn.AppID(), "env-app-id", servicetitan.SourceEnv},
		{"client_secret", fmt.Sprint(slices.Contains(conn.Secrets(), "env-secret")), "true", servicetitan.SourceEnv},
		{"timezone", conn.Timezone().String(), "UTC", servicetitan.SourceDefault},
		{"config_file", conn.ConfigFile(), file, servicetitan.SourceExplicit},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.setting, tc.got, tc.want)
		}
		if k := conn.Source(tc.setting).Kind; k != tc.kind {
			t.Errorf("%s came from %s, want kind %d", tc.setting, conn.Source(tc.setting), tc.kind)
		}
	}
	// The environment came from the file, and the root URLs follow it.
	if conn.AuthRootURL() != "https://auth-integration.servicetitan.io" || conn.APIRootURL() != "https://api-integration.servicetitan.io" {
		t.Errorf("root URLs %s, %s do not follow the file's environment", conn.AuthRootURL(), conn.APIRootURL())
	}
	if got := conn.Source("tenant_id").String(); got != `config file "`+file+`", key "SERVICETITAN_TENANT_ID"` {
		t.Errorf("tenant_id source described as %s", got)
	}
}

func TestEnvironmentFromEnvVarMovesRootURLs(t *testing.T) {
	conn, _, err := servicetitan.Connect(servicetitan.Input{}, servicetitan.Options{LookupEnv: env(map[string]string{"SERVICETITAN_API_ENVIRONMENT": "integration"})})
	if err != nil {
		t.Fatal(err)
	}
	if conn.TokenURL() != "https://auth-integration.servicetitan.io/connect/token" || conn.APIRootURL() != "https://api-integration.servicetitan.io" {
		t.Errorf("got %s and %s", conn.TokenURL(), conn.APIRootURL())
	}
}

func TestEmptyStringCountsAsUnset(t *testing.T) {
	file := writeFile(t, "c.json", `{"SERVICETITAN_TENANT_ID": ""}`)
	conn, _, err := servicetitan.Connect(servicetitan.Input{TenantID: "", ConfigFile: file},
		servicetitan.Options{LookupEnv: env(map[string]string{"SERVICETITAN_TENANT_ID": "777", "SERVICETITAN_TIMEZONE": ""})})
	if err != nil {
		t.Fatal(err)
	}
	if conn.TenantID() != "777" || conn.Source("tenant_id").Kind != servicetitan.SourceEnv {
		t.Errorf("tenant_id %q from %s, want 777 from the environment", conn.TenantID(), conn.Source("tenant_id"))
	}
	if conn.Timezone().String() != "UTC" {
		t.Errorf("empty SERVICETITAN_TIMEZONE should fall back to UTC, got %s", conn.Timezone())
	}
}

func TestServicepytanConfigFileAcceptedUnchanged(t *testing.T) {
	// Exactly the seven keys servicepytan documents, as its users write them.
	file := writeFile(t, "servicepytan.json", `{
    "SERVICETITAN_APP_KEY": "ak_1",
    "SERVICETITAN_TENANT_ID": "1234",
    "SERVICETITAN_CLIENT_ID": "cid.abc",
    "SERVICETITAN_CLIENT_SECRET": "cs1.xyz",
    "SERVICETITAN_APP_ID": "app-9",
    "SERVICETITAN_TIMEZONE": "America/Los_Angeles",
    "SERVICETITAN_API_ENVIRONMENT": "integration"
}`)
	conn, warnings, err := servicetitan.Connect(servicetitan.Input{ConfigFile: file}, servicetitan.Options{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) > 0 {
		t.Errorf("servicepytan's own keys produced warnings: %v", warnings)
	}
	if conn.AppKey() != "ak_1" || conn.TenantID() != "1234" || conn.ClientID() != "cid.abc" || conn.AppID() != "app-9" ||
		conn.Timezone().String() != "America/Los_Angeles" || conn.Environment() != servicetitan.Integration {
		t.Errorf("file not read as servicepytan does: %+v", conn)
	}
}

func TestConfigFileFromEnvVar(t *testing.T) {
	file := writeFile(t, "c.json", `{"SERVICETITAN_TENANT_ID": "31"}`)
	conn, _, err := servicetitan.Connect(servicetitan.Input{}, servicetitan.Options{LookupEnv: env(map[string]string{"SERVICETITAN_CONFIG_FILE": file})})
	if err != nil {
		t.Fatal(err)
	}
	if conn.TenantID() != "31" {
		t.Errorf("tenant_id %q, want 31 from the file named by SERVICETITAN_CONFIG_FILE", conn.TenantID())
	}
}

func TestUnknownConfigKeyIsAWarning(t *testing.T) {
	file := writeFile(t, "c.json", `{"SERVICETITAN_TENANT_ID": "1", "SERVICETITAN_REGION": "eu"}`)
	_, warnings, err := servicetitan.Connect(servicetitan.Input{ConfigFile: file}, servicetitan.Options{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 {
		t.Fatalf("warnings = %v, want one", warnings)
	}
	wantContains(t, warnings[0], file, `unknown key "SERVICETITAN_REGION"`, `"SERVICETITAN_TENANT_ID"`)
}

func TestValidationErrors(t *testing.T) {
	unreadable := writeFile(t, "locked.json", `{}`)
	if err := os.Chmod(unreadable, 0o000); err != nil {
		t.Fatal(err)
	}
	rootCanRead := runtime.GOOS != "windows" && os.Geteuid() == 0

	for _, tc := range []struct {
		name  string
		in    servicetitan.Input
		vars  map[string]string
		file  string // config file content, written to a temp file and passed explicitly
		want  []string
		skipf bool
	}{
		{name: "environment from attribute", in: servicetitan.Input{Environment: "Production"},
			want: []string{`invalid environment "Production"`, `from attribute "environment"`, `"production" and "integration"`}},
		{name: "environment from env var", vars: map[string]string{"SERVICETITAN_API_ENVIRONMENT": "staging"},
			want: []string{`invalid environment "staging"`, "from environment variable SERVICETITAN_API_ENVIRONMENT"}},
		{name: "environment from file", file: `{"SERVICETITAN_API_ENVIRONMENT": "prod"}`,
			want: []string{`invalid environment "prod"`, `key "SERVICETITAN_API_ENVIRONMENT"`}},
		{name: "timezone", in: servicetitan.Input{Timezone: "Mars/Olympus"},
			want: []string{`invalid timezone "Mars/Olympus"`, `attribute "timezone"`, "IANA"}},
		{name: "timezone Local", vars: map[string]string{"SERVICETITAN_TIMEZONE": "Local"},
			want: []string{`invalid timezone "Local"`, "SERVICETITAN_TIMEZONE", "IANA"}},
		{name: "tenant id letters", in: servicetitan.Input{TenantID: "12ab"},
			want: []string{`invalid tenant_id "12ab"`, `attribute "tenant_id"`, "digits only"}},
		{name: "tenant id from env", vars: map[string]string{"SERVICETITAN_TENANT_ID": "-5"},
			want: []string{`invalid tenant_id "-5"`, "SERVICETITAN_TENANT_ID", "digits only"}},
		{name: "auth root relative", in: servicetitan.Input{AuthRootURL: "auth.example.com"},
			want: []string{`invalid auth_root_url "auth.example.com"`, "absolute URL"}},
		{name: "auth root plain http remote", in: servicetitan.Input{AuthRootURL: "http://auth.example.com"},
			want: []string{`invalid auth_root_url`, "must use https", "loopback", "clear text"}},
		{name: "api root plain http remote from env", vars: map[string]string{"SERVICETITAN_API_ROOT_URL": "http://10.1.2.3:8080"},
			want: []string{`invalid api_root_url`, "SERVICETITAN_API_ROOT_URL", "must use https"}},
		{name: "root url with credentials", in: servicetitan.Input{AuthRootURL: "https://u:p@auth.example.com"},
			want: []string{"must not carry credentials"}},
		{name: "request timeout", in: servicetitan.Input{RequestTimeout: "30"},
			want: []string{`invalid request_timeout "30"`, `"30s"`}},
		{name: "request timeout too long", vars: map[string]string{"SERVICETITAN_REQUEST_TIMEOUT": "2h"},
			want: []string{"at most 5m0s"}},
		{name: "max retries", vars: map[string]string{"SERVICETITAN_MAX_RETRIES": "many"},
			want: []string{`invalid max_retries "many"`, "0 to 10"}},
		{name: "enterprise hub", vars: map[string]string{"SERVICETITAN_ENTERPRISE_HUB": "yes please"},
			want: []string{"invalid enterprise_hub", `"true" or "false"`}},
		{name: "config file missing", in: servicetitan.Input{ConfigFile: "/nonexistent/servicetitan.json"},
			want: []string{`config file "/nonexistent/servicetitan.json"`, `from attribute "config_file"`, "does not exist"}},
		{name: "config file missing from env", vars: map[string]string{"SERVICETITAN_CONFIG_FILE": "/nonexistent/st.json"},
			want: []string{"from environment variable SERVICETITAN_CONFIG_FILE", "does not exist"}},
		{name: "config file is a directory", in: servicetitan.Input{ConfigFile: os.TempDir()},
			want: []string{"directory"}},
		{name: "config file unreadable", in: servicetitan.Input{ConfigFile: unreadable},
			want: []string{"cannot be read", "permission denied"}, skipf: rootCanRead},
		{name: "config file not JSON", file: "{\n  \"SERVICETITAN_TENANT_ID\": \"1\",\n  oops\n}",
			want: []string{"is not valid JSON", "line 3, column 3"}},
		{name: "config file value not a string", file: `{"SERVICETITAN_TENANT_ID": 1234}`,
			want: []string{`key "SERVICETITAN_TENANT_ID" must be a JSON string, not a number`}},
		{name: "config file is an array", file: `["SERVICETITAN_TENANT_ID"]`,
			want: []string{"one JSON object"}},
		{name: "several at once", in: servicetitan.Input{Environment: "dev", TenantID: "x"},
			want: []string{"invalid environment", "invalid tenant_id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skipf {
				t.Skip("running as root, which reads any file: the permission case is observable only on ordinary accounts")
			}
			in := tc.in
			if tc.file != "" {
				in.ConfigFile = writeFile(t, "servicetitan.json", tc.file)
			}
			in.ClientSecret = testSecret
			_, _, err := servicetitan.Connect(in, servicetitan.Options{LookupEnv: env(tc.vars)})
			if err == nil {
				t.Fatal("Connect accepted it")
			}
			wantContains(t, err.Error(), tc.want...)
			mustNotLeak(t, err.Error())
		})
	}
}

func TestSecretValuesAreNeverEchoed(t *testing.T) {
	// A config file whose JSON breaks right after a secret must not quote it.
	file := writeFile(t, "c.json", `{"SERVICETITAN_CLIENT_SECRET": "`+testSecret+`" "SERVICETITAN_TENANT_ID": "1"}`)
	_, _, err := servicetitan.Connect(servicetitan.Input{ConfigFile: file}, servicetitan.Options{LookupEnv: env(nil)})
	if err == nil {
		t.Fatal("broken file accepted")
	}
	mustNotLeak(t, err.Error())
	wantContains(t, err.Error(), "line 1")
}

func TestMissingCredentialsReportedOnlyWhenATokenIsNeeded(t *testing.T) {
	conn, _, err := servicetitan.Connect(servicetitan.Input{Environment: "integration"}, servicetitan.Options{LookupEnv: env(nil)})
	if err != nil {
		t.Fatalf("no credentials should not fail Connect: %v", err)
	}
	_, err = conn.AuthToken(t.Context())
	var miss *servicetitan.MissingSettingError
	if !errors.As(err, &miss) {
		t.Fatalf("got %v, want a MissingSettingError", err)
	}
	wantContains(t, err.Error(),
		`client_id is not set: set the attribute "client_id", the environment variable SERVICETITAN_CLIENT_ID, or the key "SERVICETITAN_CLIENT_ID"`,
		`client_secret is not set`, "SERVICETITAN_CLIENT_SECRET")

	_, err = conn.AuthHeaders(t.Context())
	wantContains(t, err.Error(), "app_key is not set", "SERVICETITAN_APP_KEY", "client_id is not set")
}

func TestEnterpriseHubNeedsTenant(t *testing.T) {
	hub := true
	conn, _, err := servicetitan.Connect(servicetitan.Input{ClientID: "c", ClientSecret: testSecret, EnterpriseHub: &hub}, servicetitan.Options{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.AuthToken(t.Context())
	if err == nil {
		t.Fatal("no error")
	}
	wantContains(t, err.Error(), "tenant_id is not set", "SERVICETITAN_TENANT_ID")
}

func TestValidateSettingMatchesConnect(t *testing.T) {
	for _, s := range servicetitan.Settings() {
		if err := servicetitan.ValidateSetting(s.Name, ""); err != nil {
			t.Errorf("%s: empty value rejected: %v", s.Name, err)
		}
	}
	bad := map[string]string{"environment": "Prod", "tenant_id": "1.5", "timezone": "Nowhere/City", "auth_root_url": "ftp://x",
		"api_root_url": "http://example.com", "request_timeout": "-1s", "max_retries": "11", "enterprise_hub": "maybe"}
	for name, v := range bad {
		if servicetitan.ValidateSetting(name, v) == nil {
			t.Errorf("ValidateSetting(%s, %q) accepted it", name, v)
		}
		if _, _, err := servicetitan.Connect(servicetitan.Input{}, servicetitan.Options{LookupEnv: env(map[string]string{settingEnv(name): v})}); err == nil {
			t.Errorf("Connect accepted %s=%q", name, v)
		}
	}
	good := map[string]string{"environment": "integration", "tenant_id": "0042", "timezone": "Europe/Kyiv", "auth_root_url": "http://127.0.0.1:8080/",
		"api_root_url": "http://[::1]:9", "request_timeout": "250ms", "max_retries": "0", "enterprise_hub": "true"}
	for name, v := range good {
		if err := servicetitan.ValidateSetting(name, v); err != nil {
			t.Errorf("ValidateSetting(%s, %q): %v", name, v, err)
		}
	}
}

func settingEnv(name string) string {
	for _, s := range servicetitan.Settings() {
		if s.Name == name {
			return s.EnvVar
		}
	}
	return ""
}

func TestSettingsTableIsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range servicetitan.Settings() {
		if seen[s.Name] || !strings.HasPrefix(s.EnvVar, "SERVICETITAN_") || s.Description == "" {
			t.Errorf("setting %+v is duplicated or incomplete", s)
		}
		seen[s.Name] = true
	}
	if len(seen) != 13 {
		t.Errorf("%d settings, the contract names 13", len(seen))
	}
}
