package servicetitan_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

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
	conn, warnings, err := servicetitan.Resolve(servicetitan.Input{"config_file": file}, servicetitan.Options{LookupEnv: env(nil)})
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
	conn, _, err := servicetitan.Resolve(servicetitan.Input{}, servicetitan.Options{LookupEnv: env(map[string]string{"SERVICETITAN_CONFIG_FILE": file})})
	if err != nil {
		t.Fatal(err)
	}
	if conn.TenantID() != "31" {
		t.Errorf("tenant_id %q, want 31 from the file named by SERVICETITAN_CONFIG_FILE", conn.TenantID())
	}
}

func TestUnknownConfigKeyIsAWarning(t *testing.T) {
	file := writeFile(t, "c.json", `{"SERVICETITAN_TENANT_ID": "1", "SERVICETITAN_REGION": "eu"}`)
	_, warnings, err := servicetitan.Resolve(servicetitan.Input{"config_file": file}, servicetitan.Options{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 {
		t.Fatalf("warnings = %v, want one", warnings)
	}
	wantContains(t, warnings[0].Detail, file, `unknown key "SERVICETITAN_REGION"`, `"SERVICETITAN_TENANT_ID"`)
}

// FuzzParseConfigFile: any file content yields values or an error, never a
// panic, and an error never quotes a value from the file.
func FuzzParseConfigFile(f *testing.F) {
	f.Add(`{"SERVICETITAN_CLIENT_ID":"c","SERVICETITAN_TENANT_ID":"1234","SERVICETITAN_API_ENVIRONMENT":"integration"}`)
	f.Add("\xef\xbb\xbf{\"SERVICETITAN_APP_KEY\":\"k\"}")
	f.Add(`{"SERVICETITAN_TENANT_ID":1234}`)
	f.Add(`{"SERVICETITAN_FOO":"bar"}`)
	f.Add("{\n\"SERVICETITAN_CLIENT_SECRET\": \"hunter2-secret\"\n,,}")
	f.Add(`{"SERVICETITAN_CLIENT_SECRET": "hunter2-secret" "SERVICETITAN_TENANT_ID": "1"}`)
	f.Add(`{"SERVICETITAN_CLIENT_SECRET": "hunter2-secret"`)
	f.Add(`{"SERVICETITAN_CLIENT_SECRET": "hunter2-secret", "SERVICETITAN_TENANT_ID": 12x}`)
	f.Add(`{"SERVICETITAN_APP_KEY": ["hunter2-secret"]}`)
	f.Add(`null`)
	f.Add(`[]`)
	f.Add(``)
	f.Fuzz(func(t *testing.T, data string) {
		values, warnings, err := servicetitan.ParseConfigFile([]byte(data))
		if err != nil {
			if values != nil || warnings != nil {
				t.Fatal("values returned with an error")
			}
			msg := err.Error()
			// A value long enough to be a credential must not be echoed,
			// whether the file is valid JSON or breaks right after it.
			for _, v := range fileValues(data) {
				if len(v) >= 8 && strings.Contains(msg, v) {
					t.Fatalf("error quotes a value from the file %q: %q", v, msg)
				}
			}
			return
		}
		for k := range values {
			if !strings.HasPrefix(k, "SERVICETITAN_") {
				t.Fatalf("unexpected key %q accepted", k)
			}
		}
	})
}

// fileValues lists what a config file holds as values, read leniently so
// that a file with a syntax error still yields them: every quoted string that
// is not followed by a colon (a key), and every bare run of other text.
// Strings that also occur as keys, or are a known key's name, are left out:
// an error may name a key.
func fileValues(data string) []string {
	keys := map[string]bool{}
	for _, s := range servicetitan.Settings() {
		if s.FileKey != "" {
			keys[s.FileKey] = true
		}
	}
	var values []string
	for _, loc := range quotedString.FindAllStringIndex(data, -1) {
		raw := data[loc[0]:loc[1]]
		v := strings.TrimSuffix(strings.TrimPrefix(raw, `"`), `"`)
		var decoded string
		if json.Unmarshal([]byte(raw), &decoded) == nil {
			v = decoded
		}
		if strings.HasPrefix(strings.TrimLeft(data[loc[1]:], " \t\r\n"), ":") {
			keys[v] = true
			continue
		}
		values = append(values, v)
	}
	values = append(values, strings.FieldsFunc(quotedString.ReplaceAllString(data, " "), func(r rune) bool {
		return strings.ContainsRune(" \t\r\n{}[],:", r)
	})...)
	out := values[:0]
	for _, v := range values {
		known := false
		for k := range keys {
			if strings.Contains(k, v) {
				known = true
				break
			}
		}
		if !known {
			out = append(out, v)
		}
	}
	return out
}
