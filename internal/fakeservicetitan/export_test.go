package fakeservicetitan

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

type batch struct {
	Data []struct {
		ID int64 `json:"id"`
	} `json:"data"`
	HasMore      bool    `json:"hasMore"`
	ContinueFrom *string `json:"continueFrom"`
}

func (b batch) ids() []int64 {
	ids := make([]int64, 0, len(b.Data))
	for _, d := range b.Data {
		ids = append(ids, d.ID)
	}
	return ids
}

func export(t *testing.T, s *Server, path, tok, from string) batch {
	t.Helper()
	q := url.Values{}
	if from != "" {
		q.Set("from", from)
	}
	r := getList(t, s, path, tok, q)
	if r.status != http.StatusOK {
		t.Fatalf("export from %q: %d %s", from, r.status, r.body)
	}
	var b batch
	if err := json.Unmarshal(r.body, &b); err != nil {
		t.Fatal(err)
	}
	if b.ContinueFrom == nil || *b.ContinueFrom == "" {
		t.Fatalf("export from %q: no continueFrom: %s", from, r.body)
	}
	return b
}

func idRange(from, n int64) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = from + int64(i)
	}
	return ids
}

func TestExportBatchesAndResume(t *testing.T) {
	s := startServer(t, func(c *Config) { c.Jobs, c.ExportBatch = 2500, 1000 })
	tok := getToken(t, s)
	path := "/jpm/v2/tenant/" + testTenant + "/export/jobs"

	var got []int64
	from := ""
	var sizes []int
	for {
		b := export(t, s, path, tok, from)
		sizes = append(sizes, len(b.Data))
		got = append(got, b.ids()...)
		from = *b.ContinueFrom
		if !b.HasMore {
			break
		}
		if len(sizes) > 3 {
			t.Fatal("export does not end")
		}
	}
	if !slices.Equal(sizes, []int{1000, 1000, 500}) || !slices.Equal(got, idRange(10001, 2500)) {
		t.Fatalf("batches of %v with %d jobs, want 1000, 1000, 500 with ids 10001 to 12500", sizes, len(got))
	}

	// A later run with nothing new gets nothing, and may come back again.
	b := export(t, s, path, tok, from)
	if len(b.Data) != 0 || b.HasMore || *b.ContinueFrom != from {
		t.Errorf("resumed with nothing new: %d jobs, hasMore %v, continueFrom %q (was %q)", len(b.Data), b.HasMore, *b.ContinueFrom, from)
	}

	s.AddJobs(3)
	b = export(t, s, path, tok, from)
	if !slices.Equal(b.ids(), []int64{12501, 12502, 12503}) || b.HasMore {
		t.Errorf("resumed after AddJobs(3): ids %v hasMore %v, want the 3 new jobs only", b.ids(), b.HasMore)
	}
	if again := export(t, s, path, tok, *b.ContinueFrom); len(again.Data) != 0 {
		t.Errorf("resumed once more: %v, want nothing", again.ids())
	}

	// The new jobs show in the list too.
	r := getList(t, s, "/jpm/v2/tenant/"+testTenant+"/jobs", tok, url.Values{"includeTotal": {"true"}, "pageSize": {"1"}})
	if total, _ := jsonField(t, r.body, "totalCount").(float64); total != 2503 {
		t.Errorf("list totalCount %v after AddJobs, want 2503", total)
	}
}

func TestExportOfTheSamples(t *testing.T) {
	s := startServer(t, nil)
	tok := getToken(t, s)
	jobs := export(t, s, "/jpm/v2/tenant/"+testTenant+"/export/jobs", tok, "")
	customers := export(t, s, "/crm/v2/tenant/"+testTenant+"/export/customers", tok, "")
	if !slices.Equal(jobs.ids(), []int64{10001, 10002}) || jobs.HasMore ||
		!slices.Equal(customers.ids(), []int64{20001, 20002, 20003}) || customers.HasMore {
		t.Errorf("jobs %v customers %v, want the samples in one batch each", jobs.ids(), customers.ids())
	}
	s.AddJobs(1)
	if b := export(t, s, "/jpm/v2/tenant/"+testTenant+"/export/jobs", tok, *jobs.ContinueFrom); !slices.Equal(b.ids(), []int64{10003}) {
		t.Errorf("after AddJobs(1) on the samples: %v, want job 10003", b.ids())
	}
}

func TestExportRefusesABadFrom(t *testing.T) {
	s := startServer(t, nil)
	tok := getToken(t, s)
	customersEnd := *export(t, s, "/crm/v2/tenant/"+testTenant+"/export/customers", tok, "").ContinueFrom
	for _, from := range []string{
		"not a token!",
		base64.RawURLEncoding.EncodeToString([]byte("jobs:-1")),
		base64.RawURLEncoding.EncodeToString([]byte("jobs:99")), // past the end
		base64.RawURLEncoding.EncodeToString([]byte("jobs:01")),
		base64.RawURLEncoding.EncodeToString([]byte("jobs")),
		customersEnd, // another export's token
	} {
		r := getList(t, s, "/jpm/v2/tenant/"+testTenant+"/export/jobs", tok, url.Values{"from": {from}})
		if r.status != http.StatusBadRequest {
			t.Errorf("from=%q: %d %s, want 400", from, r.status, r.body)
			continue
		}
		if msgs := problemOf(t, r).Errors["from"]; len(msgs) != 1 || !strings.Contains(msgs[0], "continueFrom") {
			t.Errorf("from=%q: %s, want errors.from", from, r.body)
		}
	}
}

func TestExportNeedsTheEntityScope(t *testing.T) {
	s := startServer(t, nil)
	f := goodForm()
	f.Set("scope", "tn.crm.customers:r")
	tok := tokenFor(t, s, f)
	r := getList(t, s, "/jpm/v2/tenant/"+testTenant+"/export/jobs", tok, nil)
	if r.status != http.StatusForbidden || !strings.Contains(errorOf(t, r.body), jobsScope) {
		t.Errorf("customers-only token on the jobs export: %d %s", r.status, r.body)
	}
}

func TestEndlessExport(t *testing.T) {
	s := startServer(t, func(c *Config) { c.EndlessLists, c.ExportBatch = true, 2 })
	tok := getToken(t, s)
	from := ""
	var got []int64
	for range 4 {
		b := export(t, s, "/crm/v2/tenant/"+testTenant+"/export/customers", tok, from)
		if !b.HasMore {
			t.Fatal("an endless export ended")
		}
		got = append(got, b.ids()...)
		from = *b.ContinueFrom
	}
	if want := []int64{20001, 20002, 20003, 20001, 20002, 20003}; !slices.Equal(got, want) {
		t.Errorf("ids %v, want the customers over and over: %v", got, want)
	}
}
