package fakeservicetitan

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
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
				msg := errorOf(t, r.body)
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
			// Without includeTotal ServiceTitan sends no count.
			if page.Page != 1 || page.PageSize != 50 || page.HasMore || page.TotalCount != nil || len(page.Data) != 2 ||
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
			// The count is asked for so that every case can check it;
			// TestTotalCountOnlyWhenAsked covers its absence.
			q := url.Values{"includeTotal": {"true"}}
			for k, v := range tt.query {
				q[k] = v
			}
			r := getList(t, s, tt.path, tok, q)
			if tt.wantErrContains != "" {
				msg := errorOf(t, r.body)
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
	for _, p := range []string{"/crm/v2/tenant/1001/no-such-thing", "/jpm/v2/tenant/1001/jobs/1/no-such-thing", "/"} {
		req, _ := http.NewRequest(http.MethodGet, s.URL()+p, nil)
		r := do(t, req)
		if r.status != http.StatusNotFound || errorOf(t, r.body) == "" {
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

func TestLargeListPagesToTheEnd(t *testing.T) {
	s := startServer(t, func(c *Config) { c.Jobs = 12345 })
	tok := getToken(t, s)
	path := "/jpm/v2/tenant/" + testTenant + "/jobs"
	var ids []int64
	pages := 0
	for number := 1; ; number++ {
		r := getList(t, s, path, tok, url.Values{"page": {strconv.Itoa(number)}, "pageSize": {"5000"}})
		if r.status != http.StatusOK {
			t.Fatalf("page %d: %d %s", number, r.status, r.body)
		}
		var p listPage
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		pages++
		ids = append(ids, p.ids()...)
		if !p.HasMore {
			break
		}
		if pages > 3 {
			t.Fatal("more than 3 pages of 5000 for 12,345 jobs")
		}
	}
	if pages != 3 || len(ids) != 12345 {
		t.Fatalf("%d pages, %d jobs; want 3 pages and 12,345 jobs", pages, len(ids))
	}
	for i, id := range ids {
		if id != int64(10001+i) {
			t.Fatalf("job %d has id %d, want consecutive ids from 10001", i, id)
		}
	}
}

func TestPageSizeAboveTheLimitIsAValidationError(t *testing.T) {
	s := startServer(t, nil)
	tok := getToken(t, s)
	r := getList(t, s, "/jpm/v2/tenant/"+testTenant+"/jobs", tok, url.Values{"pageSize": {"5001"}})
	if r.status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400: %s", r.status, r.body)
	}
	p := problemOf(t, r)
	if msgs := p.Errors["pageSize"]; len(msgs) != 1 || !strings.Contains(msgs[0], "5000") {
		t.Errorf("errors %v, want errors.pageSize naming the limit of 5000", p.Errors)
	}
	if len(p.Errors) != 1 {
		t.Errorf("errors %v name more than pageSize", p.Errors)
	}
}

func TestTotalCountOnlyWhenAsked(t *testing.T) {
	s := startServer(t, func(c *Config) { c.Customers = 7 })
	tok := getToken(t, s)
	path := "/crm/v2/tenant/" + testTenant + "/customers"
	for _, tt := range []struct {
		includeTotal string
		want         string
	}{
		{"", "null"}, {"false", "null"}, {"true", "7"}, {"True", "7"},
	} {
		q := url.Values{"pageSize": {"2"}}
		if tt.includeTotal != "" {
			q.Set("includeTotal", tt.includeTotal)
		}
		r := getList(t, s, path, tok, q)
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(r.body, &raw); err != nil || r.status != http.StatusOK {
			t.Fatalf("includeTotal=%q: %d %s", tt.includeTotal, r.status, r.body)
		}
		if got := string(raw["totalCount"]); got != tt.want {
			t.Errorf("includeTotal=%q: totalCount %s, want %s", tt.includeTotal, got, tt.want)
		}
	}
	r := getList(t, s, path, tok, url.Values{"includeTotal": {"yes"}})
	if r.status != http.StatusBadRequest || problemOf(t, r).Errors["includeTotal"] == nil {
		t.Errorf("includeTotal=yes: %d %s, want 400 naming includeTotal", r.status, r.body)
	}
}

func TestSyntheticDataIsDeterministic(t *testing.T) {
	bodies := make([]string, 2)
	for i := range bodies {
		s := startServer(t, func(c *Config) { c.Jobs, c.Customers = 300, 40 })
		tok := getToken(t, s)
		var b strings.Builder
		for _, path := range []string{"/jpm/v2/tenant/" + testTenant + "/jobs", "/crm/v2/tenant/" + testTenant + "/customers"} {
			r := getList(t, s, path, tok, url.Values{"pageSize": {"5000"}})
			if r.status != http.StatusOK {
				t.Fatalf("%s: %d %s", path, r.status, r.body)
			}
			b.Write(r.body)
		}
		bodies[i] = b.String()
	}
	if bodies[0] != bodies[1] {
		t.Error("two servers with the same settings serve different data")
	}

	s := startServer(t, func(c *Config) { c.Jobs, c.Customers = 300, 40 })
	tok := getToken(t, s)
	var jobs struct {
		Data []struct {
			ID             int64  `json:"id"`
			JobNumber      string `json:"jobNumber"`
			CustomerID     int64  `json:"customerId"`
			JobStatus      string `json:"jobStatus"`
			BusinessUnitID int64  `json:"businessUnitId"`
			JobTypeID      int64  `json:"jobTypeId"`
			CreatedOn      string `json:"createdOn"`
			ModifiedOn     string `json:"modifiedOn"`
		} `json:"data"`
	}
	r := getList(t, s, "/jpm/v2/tenant/"+testTenant+"/jobs", tok, url.Values{"pageSize": {"5000"}})
	if err := json.Unmarshal(r.body, &jobs); err != nil || len(jobs.Data) != 300 {
		t.Fatalf("jobs: %v, %d of 300", err, len(jobs.Data))
	}
	units := map[int64]bool{401: true, 402: true, 403: true, 404: true}
	types := map[int64]bool{501: true, 502: true, 503: true, 504: true, 505: true}
	statuses := map[string]bool{}
	prev := ""
	for _, j := range jobs.Data {
		if j.JobNumber != strconv.FormatInt(j.ID, 10) || j.CustomerID < 20001 || j.CustomerID > 20040 ||
			!units[j.BusinessUnitID] || !types[j.JobTypeID] {
			t.Fatalf("job %+v refers to something the stand-in does not serve", j)
		}
		if j.ModifiedOn <= j.CreatedOn || j.ModifiedOn <= prev {
			t.Fatalf("job %d: modifiedOn %s, created %s, previous job modified %s; want it after both", j.ID, j.ModifiedOn, j.CreatedOn, prev)
		}
		prev = j.ModifiedOn
		statuses[j.JobStatus] = true
	}
	if len(statuses) < 4 {
		t.Errorf("only statuses %v among 300 jobs", statuses)
	}
}

func TestSettingsLists(t *testing.T) {
	s := startServer(t, nil)
	// A token with the jobs scope only: these routes ask for none.
	f := goodForm()
	f.Set("scope", "tn.jpm.jobs:r")
	tok := tokenFor(t, s, f)
	for _, tt := range []struct {
		path string
		ids  []int64
	}{
		{"/settings/v2/tenant/" + testTenant + "/business-units", []int64{401, 402, 403, 404}},
		{"/jpm/v2/tenant/" + testTenant + "/job-types", []int64{501, 502, 503, 504, 505}},
	} {
		r := getList(t, s, tt.path, tok, url.Values{"includeTotal": {"true"}})
		var p struct {
			listPage
			Data []struct {
				ID     int64  `json:"id"`
				Name   string `json:"name"`
				Active *bool  `json:"active"`
			} `json:"data"`
		}
		if err := json.Unmarshal(r.body, &p); err != nil || r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", tt.path, r.status, r.body)
		}
		var ids []int64
		for _, d := range p.Data {
			if d.Name == "" || d.Active == nil {
				t.Errorf("%s: entry %+v lacks name or active", tt.path, d)
			}
			ids = append(ids, d.ID)
		}
		if !slices.Equal(ids, tt.ids) || p.TotalCount != len(tt.ids) || p.HasMore {
			t.Errorf("%s: ids %v total %d hasMore %v, want %v", tt.path, ids, p.TotalCount, p.HasMore, tt.ids)
		}
		r = getList(t, s, tt.path, tok, url.Values{"pageSize": {"3"}, "page": {"2"}})
		if err := json.Unmarshal(r.body, &p); err != nil || len(p.Data) != len(tt.ids)-3 || p.HasMore {
			t.Errorf("%s page 2 of 3: %s", tt.path, r.body)
		}
	}
}

func TestEndlessListsAlwaysHaveMore(t *testing.T) {
	s := startServer(t, func(c *Config) { c.EndlessLists = true })
	tok := getToken(t, s)
	path := "/crm/v2/tenant/" + testTenant + "/customers"
	for _, tt := range []struct {
		page string
		ids  []int64
	}{
		{"1", []int64{20001, 20002}}, {"2", []int64{20003}}, {"3", []int64{20001, 20002}}, {"1001", []int64{20001, 20002}},
	} {
		r := getList(t, s, path, tok, url.Values{"pageSize": {"2"}, "page": {tt.page}})
		var p listPage
		if err := json.Unmarshal(r.body, &p); err != nil || r.status != http.StatusOK {
			t.Fatalf("page %s: %d %s", tt.page, r.status, r.body)
		}
		if !p.HasMore || !slices.Equal(p.ids(), tt.ids) {
			t.Errorf("page %s: hasMore %v ids %v, want true and %v", tt.page, p.HasMore, p.ids(), tt.ids)
		}
	}
}

// TestEveryRouteGuardsItsTenant sends a valid token to another tenant's path
// on every API route: each must refuse it, whatever scope the route needs.
func TestEveryRouteGuardsItsTenant(t *testing.T) {
	s := startServer(t, nil)
	tok := getToken(t, s)
	for _, tt := range []struct{ method, route string }{
		{"GET", "/jpm/v2/tenant/%s/jobs"},
		{"GET", "/crm/v2/tenant/%s/customers"},
		{"GET", "/settings/v2/tenant/%s/business-units"},
		{"GET", "/jpm/v2/tenant/%s/job-types"},
		{"GET", "/jpm/v2/tenant/%s/export/jobs"},
		{"GET", "/crm/v2/tenant/%s/export/customers"},
		{"POST", "/reporting/v2/tenant/%s/report-category/operations/reports/42/data"},
	} {
		body := ""
		if tt.method == "POST" {
			body = `{"parameters":[]}`
		}
		if r := callAPI(t, s, tt.method, fmt.Sprintf(tt.route, testTenant), tok, nil, body); r.status != http.StatusOK {
			t.Errorf("%s on its own tenant: %d %s", tt.route, r.status, r.body)
		}
		r := callAPI(t, s, tt.method, fmt.Sprintf(tt.route, "9999"), tok, nil, body)
		if r.status != http.StatusForbidden || !strings.Contains(problemOf(t, r).Title, "tenant 9999") {
			t.Errorf("%s on tenant 9999: %d %s, want 403 naming the tenant", tt.route, r.status, r.body)
		}
		if r := callAPI(t, s, tt.method, fmt.Sprintf(tt.route, testTenant), "", nil, body); r.status != http.StatusUnauthorized {
			t.Errorf("%s without a token: %d %s", tt.route, r.status, r.body)
		}
	}
}

func TestErrorsAreProblemDetails(t *testing.T) {
	s := startServer(t, nil)
	tok := getToken(t, s)
	for _, tt := range []struct {
		name   string
		method string
		path   string
		token  string
		status int
	}{
		{"no token", "GET", "/jpm/v2/tenant/" + testTenant + "/jobs", "", 401},
		{"other tenant", "GET", "/jpm/v2/tenant/9999/jobs", tok, 403},
		{"unknown route", "GET", "/jpm/v2/tenant/" + testTenant + "/nothing", tok, 404},
		{"wrong method", "DELETE", "/jpm/v2/tenant/" + testTenant + "/jobs", tok, 405},
	} {
		r := callAPI(t, s, tt.method, tt.path, tt.token, nil, "")
		if r.status != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, r.status, tt.status)
			continue
		}
		if p := problemOf(t, r); p.Errors != nil {
			t.Errorf("%s: errors %v on an error that is no validation error", tt.name, p.Errors)
		}
	}
}

func TestAppKeyPerClient(t *testing.T) {
	s := startServer(t, func(c *Config) {
		c.Clients = append(c.Clients, Client{ID: "vendor-b", Secret: "vendor-b-secret", Tenant: testTenant, AppKey: "vendor-b-key"})
	})
	own := getToken(t, s)
	other := tokenFor(t, s, url.Values{"grant_type": {"client_credentials"}, "client_id": {"vendor-b"}, "client_secret": {"vendor-b-secret"}})
	for _, tt := range []struct {
		name, token, appKey string
		status              int
	}{
		{"own key", other, "vendor-b-key", 200},
		{"the config's key", other, testAppKey, 401},
		{"config client with its key", own, testAppKey, 200},
		{"config client with another app's key", own, "vendor-b-key", 401},
	} {
		r := getJobs(t, s.URL(), testTenant, map[string]string{"Authorization": "Bearer " + tt.token, "ST-App-Key": tt.appKey})
		if r.status != tt.status {
			t.Errorf("%s: %d %s, want %d", tt.name, r.status, r.body, tt.status)
		}
		if tt.status == 401 && !strings.Contains(errorOf(t, r.body), "ST-App-Key") {
			t.Errorf("%s: %s does not name ST-App-Key", tt.name, r.body)
		}
	}
}

func TestRateLimitPerTenant(t *testing.T) {
	clk := newTestClock()
	s := startServer(t, func(c *Config) {
		c.Now = clk.Now
		c.Clients = append(c.Clients, Client{ID: "south", Secret: "south-secret", Tenant: "3003"})
	})
	north := getToken(t, s)
	south := tokenFor(t, s, url.Values{"grant_type": {"client_credentials"}, "client_id": {"south"}, "client_secret": {"south-secret"}})
	jobs := func(tenant, tok string) response {
		return getList(t, s, "/jpm/v2/tenant/"+tenant+"/jobs", tok, nil)
	}

	limited := 0
	for i := range 61 {
		r := jobs(testTenant, north)
		switch r.status {
		case http.StatusOK:
		case http.StatusTooManyRequests:
			limited++
			if r.header.Get("Retry-After") != "1" || !strings.Contains(problemOf(t, r).Title, "60 requests per second") {
				t.Errorf("request %d: 429 with Retry-After %q: %s", i+1, r.header.Get("Retry-After"), r.body)
			}
		default:
			t.Fatalf("request %d: %d %s", i+1, r.status, r.body)
		}
	}
	// The clock stood still, so all 61 fell within one second.
	if limited != 1 {
		t.Errorf("%d of 61 requests in one second refused, want 1", limited)
	}
	if r := jobs("3003", south); r.status != http.StatusOK {
		t.Errorf("another tenant within the same second: %d, want its own budget", r.status)
	}
	clk.Advance(999 * time.Millisecond)
	if r := jobs(testTenant, north); r.status != http.StatusTooManyRequests {
		t.Errorf("within the second: %d, want 429", r.status)
	}
	clk.Advance(time.Millisecond)
	if r := jobs(testTenant, north); r.status != http.StatusOK {
		t.Errorf("a second later: %d %s", r.status, r.body)
	}
	if st := s.Stats(); st.RateLimited != 2 || st.APIRequests != 64 {
		t.Errorf("stats %+v, want 2 rate-limited of 64 API requests", st)
	}
}

func TestRateLimitSettings(t *testing.T) {
	for _, tt := range []struct {
		limit, ok int
	}{
		{limit: 3, ok: 3}, {limit: -1, ok: 100},
	} {
		clk := newTestClock()
		s := startServer(t, func(c *Config) { c.Now = clk.Now; c.APIRateLimit = tt.limit })
		tok := getToken(t, s)
		ok := 0
		for range 100 {
			if r := getList(t, s, "/jpm/v2/tenant/"+testTenant+"/job-types", tok, nil); r.status == http.StatusOK {
				ok++
			}
		}
		if ok != tt.ok {
			t.Errorf("APIRateLimit %d: %d of 100 requests in one second answered, want %d", tt.limit, ok, tt.ok)
		}
	}
}
