package fakeservicetitan

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func getList(t *testing.T, s *Server, path, token string, query url.Values) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL()+path+"?"+query.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("ST-App-Key", testAppKey)
	return do(t, req)
}

type listPage struct {
	Page       int  `json:"page"`
	PageSize   int  `json:"pageSize"`
	HasMore    bool `json:"hasMore"`
	TotalCount int  `json:"totalCount"`
	Data       []struct {
		ID int64 `json:"id"`
	} `json:"data"`
}

func (p listPage) ids() []int64 {
	ids := make([]int64, 0, len(p.Data))
	for _, d := range p.Data {
		ids = append(ids, d.ID)
	}
	return ids
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

func TestRepeatedFaultAnswersEveryRequestUntilReset(t *testing.T) {
	s := startServer(t, nil)
	s.InjectTokenFaults(
		Fault{Status: 429, Headers: map[string]string{"Retry-After": "3600"}, Repeat: true},
		Fault{Status: 500},
	)
	for i := range 3 {
		r := postToken(t, s.URL(), goodForm())
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "3600" {
			t.Fatalf("request %d: status %d Retry-After %q, want 429 and 3600", i+1, r.status, r.header.Get("Retry-After"))
		}
	}
	if got := s.Stats().PendingFaults; got != 2 {
		t.Errorf("PendingFaults %d, want both faults still queued", got)
	}
	s.Reset()
	if r := postToken(t, s.URL(), goodForm()); r.status != http.StatusOK {
		t.Errorf("after Reset: status %d: %s", r.status, r.body)
	}
}

func errorOf(t *testing.T, body []byte) string {
	t.Helper()
	msg, _ := jsonField(t, body, "error").(string)
	return msg
}
