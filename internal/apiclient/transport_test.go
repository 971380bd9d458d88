package apiclient_test

import (
	"net/http"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/apiclient"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

// transportClient is a plain http.Client over the API transport of a
// configuration for srv, as the API proxy and any other caller use it.
func transportClient(t *testing.T, srv *fakeservicetitan.Server) *http.Client {
	t.Helper()
	conn := acctest.ConfigFor(t, srv, nil, acctest.FastOptions())
	return &http.Client{Transport: apiclient.NewTransport(conn)}
}

// The transport's credentials replace whatever the caller put on the
// request: a consumer's stale token or another app's key never reaches
// ServiceTitan.
func TestTransportReplacesTheCallersCredentials(t *testing.T) {
	srv := acctest.StandIn(t)
	c := transportClient(t, srv)
	header := http.Header{"Authorization": {"Bearer stale"}, "St-App-Key": {"another-app"}}
	if got, _ := do(t, c, t.Context(), http.MethodGet, srv.URL()+"/jpm/v2/tenant/"+acctest.TenantID+"/jobs", header); got != http.StatusOK {
		t.Errorf("status %d, want 200 with the transport's own token and app key", got)
	}
}

// A fault that leaves unknown whether ServiceTitan acted is retried only
// where sending twice is harmless: a GET, or a POST marked as a read. A
// 429 is retried for every method, since ServiceTitan did not act.
func TestTransportRetriesByMethod(t *testing.T) {
	for _, tc := range []struct {
		name     string
		method   string
		read     bool
		fault    int
		want     int
		requests int
	}{
		{"GET after 503", http.MethodGet, false, 503, 200, 2},
		{"POST after 503", http.MethodPost, false, 503, 503, 1},
		{"POST read after 503", http.MethodPost, true, 503, 404, 2},
		{"POST after 429", http.MethodPost, false, 429, 404, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := acctest.StandIn(t)
			srv.InjectAPIFaults(fakeservicetitan.Fault{Status: tc.fault})
			c := transportClient(t, srv)
			ctx := t.Context()
			if tc.read {
				ctx = apiclient.AsRead(ctx)
			}
			// The stand-in has no POST route for jobs: a resent POST
			// reaches its 404, which is enough to count.
			got, _ := do(t, c, ctx, tc.method, srv.URL()+"/jpm/v2/tenant/"+acctest.TenantID+"/jobs", nil)
			// The stand-in answers a POST to a list with 404 or 405.
			if got != tc.want && (tc.want != 404 || got != 405) {
				t.Errorf("status %d, want %d", got, tc.want)
			}
			if n := srv.Stats().APIRequests; n != tc.requests {
				t.Errorf("the stand-in received %d requests, want %d", n, tc.requests)
			}
		})
	}
}
