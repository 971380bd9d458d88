package apiclient_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/apiclient"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/catalogue"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// endpointOf fills an operation's path templates, as a user's endpoint
// argument names a parent record.
func endpointOf(op catalogue.Operation) string {
	segs := strings.Split(op.Path, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			segs[i] = "1"
		}
	}
	return strings.Join(segs, "/")
}

// ids lists the id of every item, failing on items without one.
func ids(t *testing.T, op catalogue.Operation, itemsJSON string) []any {
	t.Helper()
	var items []map[string]any
	if err := json.Unmarshal([]byte(itemsJSON), &items); err != nil {
		t.Fatalf("%s: items_json is not an array of objects: %v", op, err)
	}
	var out []any
	seen := map[string]bool{}
	for _, it := range items {
		key := fmt.Sprint(it["id"])
		if seen[key] {
			t.Errorf("%s: item %s read twice", op, key)
		}
		seen[key] = true
		out = append(out, it["id"])
	}
	return out
}

// Every GET operation ServiceTitan publishes that answers with items (a
// list, an export, an array or {"data": […]}), and report data, read with
// all_pages against the stand-in through the client's own code: every
// item arrives once, and no request carries a query parameter its
// operation does not define.
func TestEveryCataloguedReadGetsEveryItem(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) {
		c.Jobs, c.Customers, c.ExportBatch, c.ReportRows, c.ReportRuns = 30, 30, 4, 2500, -1
	})
	c := client(t, srv, nil, acctest.FastOptions())
	read := func(req apiclient.APIRequest) *apiclient.APIResponse {
		t.Helper()
		resp, err := c.Call(t.Context(), req)
		if err != nil {
			t.Errorf("%+v: %v", req, err)
			return nil
		}
		if resp.HasMore {
			t.Errorf("%+v: more to come after all_pages", req)
		}
		return resp
	}
	read1 := func(op catalogue.Operation) apiclient.APIRequest {
		return apiclient.APIRequest{Folder: op.Folder, Version: op.Version, Endpoint: endpointOf(op), Method: op.Method, AllPages: true}
	}
	counts := map[catalogue.Kind]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, op := range catalogue.Operations() {
		report := op.Kind == catalogue.Report && op.ReadsByPost()
		if !report && (op.Method != "GET" || (op.Kind != catalogue.List && op.Kind != catalogue.Export && op.Kind != catalogue.Array && op.Kind != catalogue.DataArray)) {
			continue
		}
		wg.Go(func() {
			req := read1(op)
			switch op.Kind {
			case catalogue.List:
				// Pages small enough that every list takes several,
				// against one page that holds them all.
				// A few lists take no page size and answer in one.
				one := apiclient.APIRequest{Folder: op.Folder, Version: op.Version, Endpoint: endpointOf(op)}
				if _, sized := op.QueryName("pageSize"); sized {
					req.PageSize, one.PageSize = 7, op.PageSizeCap()
				}
				all, whole := read(req), read(one)
				if all == nil || whole == nil {
					return
				}
				if got, want := len(ids(t, op, all.ItemsJSON)), whole.ItemCount; got != want || got == 0 {
					t.Errorf("%s: %d items in pages of 7, %d in one page", op, got, want)
				}
			case catalogue.Report:
				req.Body = `{"parameters":[]}`
				req.Endpoint = "report-category/operations/reports/7/data"
				req.PageSize = 1000
				resp := read(req)
				if resp == nil {
					return
				}
				var rows []map[string]any
				if err := json.Unmarshal([]byte(resp.ItemsJSON), &rows); err != nil || len(rows) != 2500 || rows[0]["Date"] == nil {
					t.Errorf("%s: %d rows keyed by name (%v), want 2500 with a Date", op, len(rows), err)
				}
			default:
				resp := read(req)
				if resp == nil {
					return
				}
				if len(ids(t, op, resp.ItemsJSON)) == 0 {
					t.Errorf("%s: no items", op)
				}
			}
			mu.Lock()
			counts[op.Kind]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if counts[catalogue.List] != 160 || counts[catalogue.Export] != 53 || counts[catalogue.Array] != 8 || counts[catalogue.DataArray] != 4 || counts[catalogue.Report] != 1 {
		t.Errorf("read in full: %v", counts)
	}
	for _, r := range srv.APIRequestLog() {
		if len(r.Undefined) > 0 {
			t.Errorf("%s %s carried %q, which %s does not define", r.Method, r.Path, r.Undefined, r.Operation)
		}
	}
	t.Logf("read in full: %v", counts)
}

// A 50,000-row report under ServiceTitan's limit of one run a minute
// (shortened here to a few seconds): 2 runs of 25000 rows, the wait
// between them sat out, and every row keyed by its columns' names.
func TestAReportWaitsOutTheRunLimit(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) {
		c.ReportRows, c.ReportRuns, c.ReportWindow = 50000, 1, 3*time.Second
	})
	rec := &recorder{}
	opts := acctest.FastOptions()
	opts.Log = rec.log
	c := client(t, srv, nil, opts)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	resp, err := c.Call(ctx, apiclient.APIRequest{Folder: "reporting", Endpoint: "report-category/operations/reports/7/data", Method: "POST",
		Body: `{"parameters":[{"name":"From","value":"2023-01-01"}]}`, AllPages: true})
	if err != nil {
		t.Fatal(err)
	}
	st := srv.Stats()
	if st.ReportRuns != 2 || resp.PageCount != 2 || resp.ItemCount != 50000 {
		t.Errorf("%d runs, %d pages, %d rows; want 2 runs, 2 pages, 50000 rows", st.ReportRuns, resp.PageCount, resp.ItemCount)
	}
	if st.ReportRunsLimited != 1 || !strings.Contains(rec.text(), "waiting for the report's run limit") {
		t.Errorf("%d runs refused by the limit, want 1 waited out with a log line saying so:\n%s", st.ReportRunsLimited, rec.text())
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(resp.ItemsJSON), &rows); err != nil || len(rows) == 0 {
		t.Fatal(err)
	}
	for _, col := range []string{"Date", "BusinessUnit", "JobType", "CompletedJobs", "Revenue"} {
		if _, ok := rows[len(rows)-1][col]; !ok {
			t.Errorf("the last row has no %s: %v", col, rows[len(rows)-1])
		}
	}
}

// Ctrl-C while a report's next page waits out a minute of the run limit
// stops the read at once.
func TestAReportWaitEndsWithCtrlC(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.ReportRows, c.ReportRuns = 50000, 1 })
	rec := &recorder{}
	opts := acctest.FastOptions()
	opts.Log = rec.log
	c := client(t, srv, nil, opts)
	ctx, cancel := context.WithCancelCause(t.Context())
	var interrupted time.Time
	var once sync.Once
	rec.saw = func(msg string) {
		if msg == "ServiceTitan API request waiting before its next attempt" {
			once.Do(func() { interrupted = time.Now(); cancel(servicetitan.ErrInterrupted) })
		}
	}
	bound, stop := context.WithTimeout(ctx, 30*time.Second)
	defer stop()
	_, err := c.Call(bound, apiclient.APIRequest{Folder: "reporting", Endpoint: "report-category/operations/reports/7/data", Method: "POST", AllPages: true})
	var stopped *servicetitan.StoppedError
	if !errors.As(err, &stopped) || !strings.Contains(err.Error(), "waiting for the report's run limit") {
		t.Fatalf("got %v, want the read interrupted while waiting for the report's run limit", err)
	}
	took := time.Since(interrupted)
	t.Logf("the read ended %s after Ctrl-C", took.Round(time.Millisecond))
	if took > 10*time.Second {
		t.Errorf("the read ended %s after Ctrl-C, during a wait of up to a minute", took)
	}
}
