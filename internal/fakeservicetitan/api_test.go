package fakeservicetitan

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestJobs(t *testing.T) {
	s := startServer(t, nil)
	good := getToken(t, s)
	other := startServer(t, nil)
	foreign := getToken(t, other)
	expired := s.MintToken(Claims{
		Exp: time.Now().Add(-time.Minute).Unix(), Iat: time.Now().Add(-16 * time.Minute).Unix(),
		ClientID: "cid", Tenant: testTenant, Scope: DefaultScopes, JTI: "old",
	})
	narrow := s.MintToken(Claims{
		Exp: time.Now().Add(time.Hour).Unix(), Iat: time.Now().Unix(),
		ClientID: "narrow", Tenant: testTenant, Scope: []string{"tn.crm.customers:r"}, JTI: "narrow",
	})
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(
		[]byte(`{"exp":9999999999,"iat":1,"client_id":"cid","tenant":"1001","scope":["tn.jpm.jobs:r"],"jti":"x"}`)) + "." + parts[2]
	algNone := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."

	tests := []struct {
		name   string
		tenant string
		auth   string
		appKey string
		status int
		errSub string
	}{
		{name: "good", auth: "Bearer " + good, status: 200},
		{name: "missing Authorization", status: 401, errSub: "missing Authorization"},
		{name: "no Bearer prefix", auth: good, status: 401, errSub: "Bearer"},
		{name: "lowercase scheme", auth: "bearer " + good, status: 401, errSub: "Bearer"},
		{name: "empty token", auth: "Bearer ", status: 401, errSub: "Bearer"},
		{name: "garbage token", auth: "Bearer not-a-jwt", status: 401, errSub: "invalid access token"},
		{name: "expired", auth: "Bearer " + expired, status: 401, errSub: "expired"},
		{name: "issued by another server", auth: "Bearer " + foreign, status: 401, errSub: "invalid access token"},
		{name: "tampered payload", auth: "Bearer " + tampered, status: 401, errSub: "invalid access token"},
		{name: "alg none", auth: "Bearer " + algNone, status: 401, errSub: "invalid access token"},
		{name: "missing app key", auth: "Bearer " + good, appKey: "-", status: 401, errSub: "ST-App-Key"},
		{name: "wrong app key", auth: "Bearer " + good, appKey: "wrong-key", status: 401, errSub: "ST-App-Key"},
		{name: "wrong tenant", tenant: "9999", auth: "Bearer " + good, status: 403, errSub: "tenant 9999"},
		{name: "insufficient scope", auth: "Bearer " + narrow, status: 403, errSub: "scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tenant := tt.tenant
			if tenant == "" {
				tenant = testTenant
			}
			h := map[string]string{"ST-App-Key": testAppKey}
			switch tt.appKey {
			case "":
			case "-":
				delete(h, "ST-App-Key")
			default:
				h["ST-App-Key"] = tt.appKey
			}
			if tt.auth != "" {
				h["Authorization"] = tt.auth
			}
			r := getJobs(t, s.URL(), tenant, h)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.status != 200 {
				msg, _ := jsonField(t, r.body, "error").(string)
				if !strings.Contains(msg, tt.errSub) {
					t.Errorf("error %q, want it to mention %q", msg, tt.errSub)
				}
				if bytes.Contains(r.body, []byte(testAppKey)) || (len(good) > 0 && bytes.Contains(r.body, []byte(good))) {
					t.Errorf("error body echoes a credential: %s", r.body)
				}
				return
			}
			var page jobsPage
			if err := json.Unmarshal(r.body, &page); err != nil {
				t.Fatal(err)
			}
			if page.Page != 1 || page.PageSize != 50 || page.HasMore || page.TotalCount != 2 || len(page.Data) != 2 ||
				page.Data[0].JobStatus != "Scheduled" || page.Data[0].JobNumber == "" {
				t.Errorf("page %s", r.body)
			}
		})
	}
	if got, want := s.Stats().APIRequests, len(tests); got != want {
		t.Errorf("APIRequests %d, want %d", got, want)
	}
}

func TestListsArePaged(t *testing.T) {
	s := startServer(t, nil)
	tok := getToken(t, s)
	customers := "/crm/v2/tenant/" + testTenant + "/customers"
	jobs := "/jpm/v2/tenant/" + testTenant + "/jobs"
	tests := []struct {
		name, path      string
		query           url.Values
		page, size      int
		hasMore         bool
		total           int
		ids             []int64
		wantErrContains string
	}{
		{name: "customers default page", path: customers, page: 1, size: 50, total: 3, ids: []int64{20001, 20002, 20003}},
		{name: "customers first of two", path: customers, query: url.Values{"pageSize": {"2"}}, page: 1, size: 2, hasMore: true, total: 3, ids: []int64{20001, 20002}},
		{name: "customers last page", path: customers, query: url.Values{"page": {"2"}, "pageSize": {"2"}}, page: 2, size: 2, total: 3, ids: []int64{20003}},
		{name: "past the end", path: customers, query: url.Values{"page": {"9"}}, page: 9, size: 50, total: 3, ids: []int64{}},
		{name: "jobs one per page", path: jobs, query: url.Values{"pageSize": {"1"}, "page": {"2"}}, page: 2, size: 1, total: 2, ids: []int64{10002}},
		{name: "page zero", path: jobs, query: url.Values{"page": {"0"}}, wantErrContains: "page must be an integer from 1"},
		{name: "page size too large", path: customers, query: url.Values{"pageSize": {"5001"}}, wantErrContains: "pageSize must be an integer from 1 to 5000"},
		{name: "page size not a number", path: customers, query: url.Values{"pageSize": {"ten"}}, wantErrContains: "pageSize"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := getList(t, s, tt.path, tok, tt.query)
			if tt.wantErrContains != "" {
				msg, _ := jsonField(t, r.body, "error").(string)
				if r.status != http.StatusBadRequest || !strings.Contains(msg, tt.wantErrContains) {
					t.Fatalf("status %d body %s, want 400 mentioning %q", r.status, r.body, tt.wantErrContains)
				}
				return
			}
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			// The envelope's fields are all present, even on an empty page.
			var raw map[string]json.RawMessage
			if err := json.Unmarshal(r.body, &raw); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"page", "pageSize", "hasMore", "totalCount", "data"} {
				if _, ok := raw[k]; !ok {
					t.Errorf("envelope lacks %q: %s", k, r.body)
				}
			}
			var p listPage
			if err := json.Unmarshal(r.body, &p); err != nil {
				t.Fatal(err)
			}
			if p.Page != tt.page || p.PageSize != tt.size || p.HasMore != tt.hasMore || p.TotalCount != tt.total {
				t.Errorf("envelope %+v, want page %d size %d hasMore %v total %d", p, tt.page, tt.size, tt.hasMore, tt.total)
			}
			if got := p.ids(); !slices.Equal(got, tt.ids) {
				t.Errorf("ids %v, want %v", got, tt.ids)
			}
		})
	}
}

func TestCustomersNeedTheirScopeAndCredentials(t *testing.T) {
	s := startServer(t, nil)
	path := "/crm/v2/tenant/" + testTenant + "/customers"

	// A token for jobs only must not read customers.
	f := goodForm()
	f.Set("scope", "tn.jpm.jobs:r")
	r := postToken(t, s.URL(), f)
	jobsOnly, _ := jsonField(t, r.body, "access_token").(string)
	if r := getList(t, s, path, jobsOnly, nil); r.status != http.StatusForbidden || !strings.Contains(errorOf(t, r.body), "tn.crm.customers:r") {
		t.Errorf("jobs-only token on customers: %d %s", r.status, r.body)
	}

	req, _ := http.NewRequest(http.MethodGet, s.URL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+getToken(t, s))
	if r := do(t, req); r.status != http.StatusUnauthorized || !strings.Contains(errorOf(t, r.body), "ST-App-Key") {
		t.Errorf("no app key: %d %s", r.status, r.body)
	}
	req, _ = http.NewRequest(http.MethodGet, s.URL()+path, nil)
	req.Header.Set("ST-App-Key", testAppKey)
	if r := do(t, req); r.status != http.StatusUnauthorized {
		t.Errorf("no Authorization: %d %s", r.status, r.body)
	}
}

func TestAPINotFoundAndMethod(t *testing.T) {
	s := startServer(t, nil)
	for _, p := range []string{"/crm/v2/tenant/1001/locations", "/jpm/v2/tenant/1001/jobs/1", "/"} {
		req, _ := http.NewRequest(http.MethodGet, s.URL()+p, nil)
		r := do(t, req)
		if r.status != http.StatusNotFound || jsonField(t, r.body, "error") == nil {
			t.Errorf("%s: %d %s", p, r.status, r.body)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/jpm/v2/tenant/1001/jobs", nil)
	if r := do(t, req); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST jobs: %d", r.status)
	}
	if got := s.Stats().APIRequests; got != 4 {
		t.Errorf("APIRequests %d, want 4", got)
	}
}

func TestAppKeyOptional(t *testing.T) {
	s := startServer(t, func(c *Config) { c.AppKey = "" })
	tok := getToken(t, s)
	if r := getJobs(t, s.URL(), testTenant, map[string]string{"Authorization": "Bearer " + tok, "ST-App-Key": "anything"}); r.status != 200 {
		t.Errorf("any app key: %d %s", r.status, r.body)
	}
	if r := getJobs(t, s.URL(), testTenant, map[string]string{"Authorization": "Bearer " + tok}); r.status != 401 {
		t.Errorf("no app key: %d %s", r.status, r.body)
	}
}
