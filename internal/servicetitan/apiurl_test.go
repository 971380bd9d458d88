package servicetitan_test

import (
	"strings"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

func TestAPIURL(t *testing.T) {
	for _, tc := range []struct {
		name, env, folder, tenant, endpoint, want, wantErr string
	}{
		{"documented example", "production", "jpm", "1234", "jobs", "https://api.servicetitan.io/jpm/v2/tenant/1234/jobs", ""},
		{"integration", "integration", "crm", "42", "customers/7", "https://api-integration.servicetitan.io/crm/v2/tenant/42/customers/7", ""},
		{"slashes trimmed", "production", "/jpm/", "1234", "/jobs", "https://api.servicetitan.io/jpm/v2/tenant/1234/jobs", ""},
		{"bad environment", "prod", "jpm", "1234", "jobs", "", `valid environments are "production" and "integration"`},
		{"tenant not digits", "production", "jpm", "12a4", "jobs", "", `invalid tenant_id "12a4": a tenant ID is digits only`},
		{"folder with slash", "production", "jpm/v2", "1234", "jobs", "", `invalid folder "jpm/v2"`},
		{"empty endpoint", "production", "jpm", "1234", "", "", "invalid endpoint"},
		{"query kept as given", "production", "jpm", "1234", "jobs?page=2&pageSize=50", "https://api.servicetitan.io/jpm/v2/tenant/1234/jobs?page=2&pageSize=50", ""},
		{"space is escaped", "production", "jpm", "1234", "jobs list", "https://api.servicetitan.io/jpm/v2/tenant/1234/jobs%20list", ""},
		{"hash is escaped", "production", "crm", "1234", "customers/a#b", "https://api.servicetitan.io/crm/v2/tenant/1234/customers/a%23b", ""},
		{"parent segments", "production", "jpm", "1234", "../../x", "", `invalid endpoint "../../x": a path segment may not be ".."`},
		{"parent segment later", "production", "jpm", "1234", "jobs/../../../settings", "", `may not be ".."`},
		{"dot segment", "production", "jpm", "1234", "./jobs", "", `may not be "."`},
		{"empty segment", "production", "jpm", "1234", "jobs//42", "", "empty path segment"},
		{"trailing slash", "production", "jpm", "1234", "jobs/", "", "empty path segment"},
		{"encoded parent", "production", "jpm", "1234", "%2e%2e/x", "", `may not contain "%"`},
		{"query only", "production", "jpm", "1234", "?page=2", "", "invalid endpoint"},
		{"query with a space", "production", "jpm", "1234", "jobs?sig=SIGNATURE&name=a b", "", `invalid endpoint "jobs?sig=REDACTED&name=REDACTED": the query after "?" must be URL-encoded`},
		{"folder dot dot", "production", "..", "1234", "jobs", "", `invalid folder ".."`},
		{"folder dot", "production", ".", "1234", "jobs", "", `invalid folder "."`},
		{"folder with space", "production", "jp m", "1234", "jobs", "", `invalid folder "jp m"`},
		{"backslash parents", "production", "jpm", "1234", `..\..\x`, "", `invalid endpoint "..\\..\\x": it holds a backslash`},
		{"backslash host", "production", "jpm", "1234", `\\127.0.0.2:18081\x`, "", "it holds a backslash"},
		{"backslash folder", "production", `jpm\x`, "1234", "jobs", "", `invalid folder "jpm\\x": it holds a backslash`},
		{"full-width dots", "production", "jpm", "1234", "．．/x", "", `invalid endpoint "．．/x": it holds '．', which some servers read as a dot`},
		{"one-dot leaders", "production", "jpm", "1234", "‥/x", "", "which some servers read as a dot"},
		{"long endpoint", "production", "jpm", "1234", strings.Repeat("a/", 6000) + "a", "", "12001 characters long, more than the 512"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := servicetitan.APIURL(tc.env, tc.folder, tc.tenant, tc.endpoint)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("got %q, want error containing %q", got, tc.wantErr)
				}
				wantContains(t, err.Error(), tc.wantErr)
				if len(err.Error()) > 300 {
					t.Errorf("the error is %d bytes long: an endpoint's error quotes a bounded part of it", len(err.Error()))
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
