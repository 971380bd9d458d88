package fakeservicetitan

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testSecret    = "s3cr3t-value-9f2c"
	testHubSecret = "hub-s3cr3t-71ab"
	testAppKey    = "app-key-5521"
	testTenant    = "1001"
	testHubTenant = "2002"
)

func testConfig() Config {
	return Config{
		Clients: []Client{
			{ID: "cid", Secret: testSecret, Tenant: testTenant},
			{ID: "hub", Secret: testHubSecret, Tenant: testHubTenant, EnterpriseHub: true},
			{ID: "narrow", Secret: "narrow-secret", Tenant: testTenant, Scopes: []string{"tn.crm.customers:r"}},
		},
		AppKey: testAppKey,
	}
}

func startServer(t *testing.T, mod func(*Config)) *Server {
	t.Helper()
	cfg := testConfig()
	if mod != nil {
		mod(&cfg)
	}
	s, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

var httpClient = &http.Client{Timeout: 5 * time.Second}

func goodForm() url.Values {
	return url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {"cid"},
		"client_secret": {testSecret},
	}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func do(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

func postToken(t *testing.T, base string, form url.Values) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/connect/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "provider-test/1.0")
	return do(t, req)
}

func getToken(t *testing.T, s *Server) string {
	t.Helper()
	r := postToken(t, s.URL(), goodForm())
	if r.status != http.StatusOK {
		t.Fatalf("token status %d: %s", r.status, r.body)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(r.body, &tr); err != nil {
		t.Fatal(err)
	}
	return tr.AccessToken
}

func getJobs(t *testing.T, base, tenant string, headers map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/jpm/v2/tenant/"+tenant+"/jobs", nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

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

func jsonField(t *testing.T, body []byte, field string) any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %q", err, body)
	}
	return m[field]
}

// errorOf is an API error's message: the title of its problem details.
func errorOf(t *testing.T, body []byte) string {
	t.Helper()
	msg, _ := jsonField(t, body, "title").(string)
	return msg
}

// decodePayload reads the JWT payload the way a client would, without the key.
func decodePayload(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// drain lets the transport reuse the connection; errors are irrelevant here.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// callAPI sends an API request with the test app key and, unless token is
// empty, a bearer token; body, when not empty, goes as JSON.
func callAPI(t *testing.T, s *Server, method, path, token string, query url.Values, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL()+path+"?"+query.Encode(), rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("ST-App-Key", testAppKey)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return do(t, req)
}

// tokenFor asks for a token with form and fails the test unless one comes.
func tokenFor(t *testing.T, s *Server, form url.Values) string {
	t.Helper()
	r := postToken(t, s.URL(), form)
	tok, _ := jsonField(t, r.body, "access_token").(string)
	if r.status != http.StatusOK || tok == "" {
		t.Fatalf("token for %s: %d %s", form.Get("client_id"), r.status, r.body)
	}
	return tok
}

// problemOf decodes an API error body, checking the parts of the problem
// details shape that every API error has.
func problemOf(t *testing.T, r response) Problem {
	t.Helper()
	var p Problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("API error is not problem details: %v: %s", err, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	if p.Status != r.status || p.Title == "" || p.Type == "" || p.TraceID == "" {
		t.Errorf("problem details %+v for status %d", p, r.status)
	}
	return p
}

// testClock is a server clock that tests move by hand, so that windows of a
// second or a minute pass without sleeping.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock { return &testClock{now: time.Now()} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
