package servicetitan_test

import (
	"fmt"
	"maps"
	"os"
	"slices"
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
	conn, warnings, err := servicetitan.Resolve(servicetitan.Input{
		"client_id":   "explicit-client",
		"config_file": file,
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
	conn, _, err := servicetitan.Resolve(servicetitan.Input{}, servicetitan.Options{LookupEnv: env(map[string]string{"SERVICETITAN_API_ENVIRONMENT": "integration"})})
	if err != nil {
		t.Fatal(err)
	}
	if conn.TokenURL() != "https://auth-integration.servicetitan.io/connect/token" || conn.APIRootURL() != "https://api-integration.servicetitan.io" {
		t.Errorf("got %s and %s", conn.TokenURL(), conn.APIRootURL())
	}
}

func TestEmptyStringCountsAsUnset(t *testing.T) {
	file := writeFile(t, "c.json", `{"SERVICETITAN_TENANT_ID": ""}`)
	conn, _, err := servicetitan.Resolve(servicetitan.Input{"tenant_id": "", "config_file": file},
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

func TestValidationErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   servicetitan.Input
		vars map[string]string
		file string // config file content, written to a temp file and passed explicitly
		want []string
	}{
		{name: "environment from attribute", in: servicetitan.Input{"environment": "Production"},
			want: []string{`invalid environment "Production"`, `from attribute "environment"`, `"production" and "integration"`}},
		{name: "environment from env var", vars: map[string]string{"SERVICETITAN_API_ENVIRONMENT": "staging"},
			want: []string{`invalid environment "staging"`, "from environment variable SERVICETITAN_API_ENVIRONMENT"}},
		{name: "environment from file", file: `{"SERVICETITAN_API_ENVIRONMENT": "prod"}`,
			want: []string{`invalid environment "prod"`, `key "SERVICETITAN_API_ENVIRONMENT"`}},
		{name: "timezone", in: servicetitan.Input{"timezone": "Mars/Olympus"},
			want: []string{`invalid timezone "Mars/Olympus"`, `attribute "timezone"`, "IANA"}},
		{name: "timezone Local", vars: map[string]string{"SERVICETITAN_TIMEZONE": "Local"},
			want: []string{`invalid timezone "Local"`, "SERVICETITAN_TIMEZONE", "IANA"}},
		{name: "tenant id letters", in: servicetitan.Input{"tenant_id": "12ab"},
			want: []string{`invalid tenant_id "12ab"`, `attribute "tenant_id"`, "digits only"}},
		{name: "tenant id from env", vars: map[string]string{"SERVICETITAN_TENANT_ID": "-5"},
			want: []string{`invalid tenant_id "-5"`, "SERVICETITAN_TENANT_ID", "digits only"}},
		{name: "auth root relative", in: servicetitan.Input{"auth_root_url": "auth.example.com"},
			want: []string{`invalid auth_root_url "auth.example.com"`, "absolute URL"}},
		{name: "auth root plain http remote", in: servicetitan.Input{"auth_root_url": "http://auth.example.com"},
			want: []string{`invalid auth_root_url`, "must use https", "loopback", "since the client secret would travel in clear text"}},
		{name: "api root plain http remote from env", vars: map[string]string{"SERVICETITAN_API_ROOT_URL": "http://10.1.2.3:8080"},
			want: []string{`invalid api_root_url`, "SERVICETITAN_API_ROOT_URL", "must use https", "since the access token and the app key would travel in clear text"}},
		{name: "root url with credentials", in: servicetitan.Input{"auth_root_url": "https://u:p@auth.example.com"},
			want: []string{"must not carry credentials"}},
		{name: "request timeout", in: servicetitan.Input{"request_timeout": "30"},
			want: []string{`invalid request_timeout "30"`, `"30s"`}},
		{name: "request timeout too long", vars: map[string]string{"SERVICETITAN_REQUEST_TIMEOUT": "2h"},
			want: []string{"at most 5m0s"}},
		{name: "max retries", vars: map[string]string{"SERVICETITAN_MAX_RETRIES": "many"},
			want: []string{`invalid max_retries "many"`, "0 to 10"}},
		{name: "enterprise hub", vars: map[string]string{"SERVICETITAN_ENTERPRISE_HUB": "yes please"},
			want: []string{"invalid enterprise_hub", `"true" or "false"`}},
		{name: "config file missing", in: servicetitan.Input{"config_file": "/nonexistent/servicetitan.json"},
			want: []string{`config file "/nonexistent/servicetitan.json"`, `from attribute "config_file"`, "does not exist"}},
		{name: "config file missing from env", vars: map[string]string{"SERVICETITAN_CONFIG_FILE": "/nonexistent/st.json"},
			want: []string{"from environment variable SERVICETITAN_CONFIG_FILE", "does not exist"}},
		{name: "config file is a directory", in: servicetitan.Input{"config_file": os.TempDir()},
			want: []string{"directory"}},
		{name: "config file not JSON", file: "{\n  \"SERVICETITAN_TENANT_ID\": \"1\",\n  oops\n}",
			want: []string{"is not valid JSON", "line 3, column 3"}},
		{name: "config file value not a string", file: `{"SERVICETITAN_TENANT_ID": 1234}`,
			want: []string{`key "SERVICETITAN_TENANT_ID" must be a JSON string, not a number`}},
		{name: "config file is an array", file: `["SERVICETITAN_TENANT_ID"]`,
			want: []string{"one JSON object"}},
		{name: "token cache dir relative", in: servicetitan.Input{"token_cache_dir": "cache/servicetitan"},
			want: []string{`invalid token_cache_dir "cache/servicetitan"`, `from attribute "token_cache_dir"`, "absolute path"}},
		{name: "token cache dir of another user", vars: map[string]string{"SERVICETITAN_TOKEN_CACHE_DIR": "~someone/cache"},
			want: []string{"invalid token_cache_dir", "SERVICETITAN_TOKEN_CACHE_DIR", `not "~user"`}},
		{name: "token cache dir from file", file: `{"SERVICETITAN_TOKEN_CACHE_DIR": "./tokens"}`,
			want: []string{"invalid token_cache_dir", `key "SERVICETITAN_TOKEN_CACHE_DIR"`, "absolute path"}},
		{name: "several at once", in: servicetitan.Input{"environment": "dev", "tenant_id": "x"},
			want: []string{"invalid environment", "invalid tenant_id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := maps.Clone(tc.in)
			if in == nil {
				in = servicetitan.Input{}
			}
			if tc.file != "" {
				in["config_file"] = writeFile(t, "servicetitan.json", tc.file)
			}
			in["client_secret"] = testSecret
			_, _, err := servicetitan.Resolve(in, servicetitan.Options{LookupEnv: env(tc.vars)})
			if err == nil {
				t.Fatal("Resolve accepted it")
			}
			wantContains(t, err.Error(), tc.want...)
			mustNotLeak(t, err.Error())
		})
	}
}

func TestSecretValuesAreNeverEchoed(t *testing.T) {
	// A config file whose JSON breaks right after a secret must not quote it.
	file := writeFile(t, "c.json", `{"SERVICETITAN_CLIENT_SECRET": "`+testSecret+`" "SERVICETITAN_TENANT_ID": "1"}`)
	_, _, err := servicetitan.Resolve(servicetitan.Input{"config_file": file}, servicetitan.Options{LookupEnv: env(nil)})
	if err == nil {
		t.Fatal("broken file accepted")
	}
	mustNotLeak(t, err.Error())
	wantContains(t, err.Error(), "line 1")
}

// A credential pasted with a newline gets a warning that names it and its
// source, never its value.
func TestWhiteSpaceAroundACredentialIsAWarning(t *testing.T) {
	_, warnings, err := servicetitan.Resolve(servicetitan.Input{"client_id": " cid", "app_key": testAppKey},
		servicetitan.Options{LookupEnv: env(map[string]string{"SERVICETITAN_CLIENT_SECRET": testSecret + "\n"})})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 2 {
		t.Fatalf("warnings %q, want one for client_id and one for client_secret", warnings)
	}
	wantContains(t, warnings[0].Detail, `client_id (from attribute "client_id") begins or ends with white space`)
	wantContains(t, warnings[1].Detail, "client_secret (from environment variable SERVICETITAN_CLIENT_SECRET) begins or ends with white space", "invalid_client")
	for _, w := range warnings {
		if w.Summary != "ServiceTitan setting with surrounding white space" {
			t.Errorf("warning titled %q", w.Summary)
		}
		mustNotLeak(t, w.Detail, " cid")
	}
}
