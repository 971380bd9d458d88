package servicetitan_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// Every setting of the table is read from its attribute, its environment
// variable and its config-file key, and its source says which: the table
// alone makes a setting.
func TestEverySettingResolvesFromEachOfItsSources(t *testing.T) {
	sample := map[string]string{"environment": "integration", "tenant_id": "42", "timezone": "Europe/Kyiv", "auth_root_url": "http://127.0.0.1:1",
		"api_root_url": "http://127.0.0.1:2", "enterprise_hub": "true", "request_timeout": "2s", "max_retries": "3", "token_cache_dir": "/tmp/tokens", "min_token_life": "5m"}
	value := func(s servicetitan.Setting) string {
		if v, ok := sample[s.Name]; ok {
			return v
		}
		return "value-of-" + s.Name
	}
	for _, s := range servicetitan.Settings() {
		if s.Name == servicetitan.SettingConfigFile.Name {
			continue // its value is a file to read: TestConfigFileFromEnvVar and the precedence test cover it
		}
		t.Run(s.Name, func(t *testing.T) {
			check := func(kind servicetitan.SourceKind, in servicetitan.Input, vars map[string]string) {
				t.Helper()
				c, _, err := servicetitan.Resolve(in, servicetitan.Options{LookupEnv: env(vars)})
				if err != nil {
					t.Fatalf("Resolve: %v", err)
				}
				if got := c.Source(s.Name); got.Kind != kind || got.Setting.Name != s.Name {
					t.Errorf("came from %s (kind %d), want kind %d", got, got.Kind, kind)
				}
			}
			check(servicetitan.SourceExplicit, servicetitan.Input{s.Name: value(s)}, nil)
			check(servicetitan.SourceEnv, nil, map[string]string{s.EnvVar: value(s)})
			if s.FileKey != "" {
				file := writeFile(t, "servicetitan.json", `{"`+s.FileKey+`": "`+value(s)+`"}`)
				check(servicetitan.SourceFile, servicetitan.Input{"config_file": file}, nil)
			}
		})
	}
}

// A name in Input that is no setting is a mistake of the calling program,
// which must hear of it rather than see the value dropped.
func TestResolveRefusesANameThatIsNoSetting(t *testing.T) {
	_, _, err := servicetitan.Resolve(servicetitan.Input{"client_identifier": "c"}, servicetitan.Options{LookupEnv: env(nil)})
	if err == nil {
		t.Fatal("Resolve accepted an unknown setting name")
	}
	wantContains(t, err.Error(), `no ServiceTitan setting is named "client_identifier"`, `"client_id"`)
}

// The configuration tables users read, in the registry docs' template and
// the README, are written by hand; each row must match the settings table,
// every setting must have its row, and no row may name a variable that is
// no setting's.
func TestDocsTablesListEverySetting(t *testing.T) {
	known := map[string]bool{}
	for _, s := range servicetitan.Settings() {
		known[s.EnvVar], known[s.FileKey] = true, true
	}
	variable := regexp.MustCompile("`(SERVICETITAN_[A-Z_]+)`")
	for _, doc := range []string{"templates/index.md.tmpl", "README.md"} {
		t.Run(doc, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "..", doc))
			if err != nil {
				t.Fatal(err)
			}
			var rows [][]string
			for _, line := range strings.Split(string(data), "\n") {
				if strings.HasPrefix(line, "|") {
					rows = append(rows, strings.Split(strings.Trim(line, "| "), " | "))
				}
			}
			for _, s := range servicetitan.Settings() {
				var cells []string
				for _, r := range rows {
					if slices.Contains(r, "`"+s.Name+"`") {
						cells = r
					}
				}
				if cells == nil {
					t.Errorf("%s has no row for setting %q", doc, s.Name)
					continue
				}
				text := strings.Join(cells, " | ")
				wantEnv := 1
				if s.FileKey == s.EnvVar {
					wantEnv = 2 // the same name in the environment and config-file columns
				} else if s.FileKey != "" && !slices.Contains(cells, "`"+s.FileKey+"`") {
					t.Errorf("%s: the row of %q, %q, lacks its config-file key %s", doc, s.Name, text, s.FileKey)
				}
				if n := strings.Count(text, "`"+s.EnvVar+"`"); n != wantEnv {
					t.Errorf("%s: the row of %q, %q, names %s %d times, want %d", doc, s.Name, text, s.EnvVar, n, wantEnv)
				}
				if s.Default != "" && !strings.Contains(text, "`"+s.Default+"`") {
					t.Errorf("%s: the row of %q, %q, lacks its default `%s`", doc, s.Name, text, s.Default)
				}
			}
			for _, r := range rows {
				for _, m := range variable.FindAllStringSubmatch(strings.Join(r, " | "), -1) {
					if !known[m[1]] && !strings.HasPrefix(m[1], "SERVICETITAN_INTEGRATION_") {
						t.Errorf("%s: a table names %s, which is no setting's", doc, m[1])
					}
				}
			}
		})
	}
}

func TestValidateSettingMatchesResolve(t *testing.T) {
	for _, s := range servicetitan.Settings() {
		if err := servicetitan.ValidateSetting(s.Name, ""); err != nil {
			t.Errorf("%s: empty value rejected: %v", s.Name, err)
		}
	}
	bad := map[string]string{"environment": "Prod", "tenant_id": "1.5", "timezone": "Nowhere/City", "auth_root_url": "ftp://x",
		"api_root_url": "http://example.com", "request_timeout": "-1s", "max_retries": "11", "enterprise_hub": "maybe",
		"token_cache_dir": "relative/dir", "min_token_life": "11m"}
	for name, v := range bad {
		if servicetitan.ValidateSetting(name, v) == nil {
			t.Errorf("ValidateSetting(%s, %q) accepted it", name, v)
		}
		if _, _, err := servicetitan.Resolve(servicetitan.Input{}, servicetitan.Options{LookupEnv: env(map[string]string{settingEnv(name): v})}); err == nil {
			t.Errorf("Resolve accepted %s=%q", name, v)
		}
	}
	good := map[string]string{"environment": "integration", "tenant_id": "0042", "timezone": "Europe/Kyiv", "auth_root_url": "http://127.0.0.1:8080/",
		"api_root_url": "http://[::1]:9", "request_timeout": "250ms", "max_retries": "0", "enterprise_hub": "true",
		"token_cache_dir": "~/.cache/servicetitan", "min_token_life": "10m"}
	for name, v := range good {
		if err := servicetitan.ValidateSetting(name, v); err != nil {
			t.Errorf("ValidateSetting(%s, %q): %v", name, v, err)
		}
	}
}

// Plain http is allowed only to the machine itself. A host that merely
// begins like a loopback name is anyone's host on the network, and the
// client secret (auth root) or the token and app key (API root) would
// cross it in clear text.
func TestPlainHTTPOnlyForLoopbackHosts(t *testing.T) {
	refused := []string{"http://localhost.evil.example", "http://localhostevil", "http://localhost.evil.example:8080/auth",
		"http://127.0.0.1.evil.example", "http://127.0.0.1evil"}
	allowed := []string{"http://localhost", "http://LocalHost:8080", "http://127.0.0.1:9", "http://127.12.0.1", "http://[::1]:9"}
	for _, name := range []string{"auth_root_url", "api_root_url"} {
		for _, v := range refused {
			if err := servicetitan.ValidateSetting(name, v); err == nil {
				t.Errorf("ValidateSetting(%s, %q) allowed plain http to a host that is not loopback", name, v)
			}
			_, _, err := servicetitan.Resolve(servicetitan.Input{}, servicetitan.Options{LookupEnv: env(map[string]string{settingEnv(name): v})})
			if err == nil {
				t.Errorf("Resolve allowed %s=%q, plain http to a host that is not loopback", name, v)
				continue
			}
			wantContains(t, err.Error(), "invalid "+name, "must use https")
			// The message says what would cross the network: the secret
			// goes to the auth root, the token and the app key to the API root.
			carried, other := "the client secret", "token"
			if name == "api_root_url" {
				carried, other = "the access token and the app key", "secret"
			}
			if !strings.Contains(err.Error(), carried+" would travel in clear text") || strings.Contains(err.Error(), other) {
				t.Errorf("%s=%q: %v; want it to say that %s would travel in clear text, and nothing of the %s", name, v, err, carried, other)
			}
		}
		for _, v := range allowed {
			if err := servicetitan.ValidateSetting(name, v); err != nil {
				t.Errorf("ValidateSetting(%s, %q) refused a loopback host: %v", name, v, err)
			}
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
}
