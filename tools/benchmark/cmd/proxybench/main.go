// Command proxybench measures what the API proxy (servicetitan_api_proxy)
// costs a consumer: in each round, one HTTP client makes N GETs of the job
// list straight to a stand-in ServiceTitan, with a token and the app key it
// holds itself, and N GETs of the same list through the proxy, which puts
// them on; the stand-in answers every API request after an injected
// latency, as the real API takes time. The two sides alternate, which one
// goes first alternating too, so that drift in the machine's load falls on
// both. It prints the median time of each side and their ratio. Nothing is
// asserted.
//
//	go run -C tools/benchmark ./cmd/proxybench -rounds 15 -requests 200 -latency 20ms
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/apiclient"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

func main() {
	rounds := flag.Int("rounds", 15, "rounds; in each, both sides once")
	requests := flag.Int("requests", 200, "GETs per side per round")
	latency := flag.Duration("latency", 20*time.Millisecond, "the stand-in's latency on every API request")
	flag.Parse()
	if err := run(*rounds, *requests, *latency); err != nil {
		fmt.Fprintln(os.Stderr, "proxybench:", err)
		os.Exit(1)
	}
}

func run(rounds, requests int, latency time.Duration) error {
	srv, err := fakeservicetitan.Start(fakeservicetitan.Config{
		Clients:    []fakeservicetitan.Client{{ID: acctest.ClientID, Secret: acctest.ClientSecret, Tenant: acctest.TenantID}},
		AppKey:     acctest.AppKey,
		APILatency: latency,
		// The sides are sequential, well under ServiceTitan's 60 a second;
		// no 429 may blur the comparison.
		APIRateLimit: -1,
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	conn, _, err := servicetitan.Resolve(servicetitan.Input{
		"environment": "integration", "auth_root_url": srv.URL(), "api_root_url": srv.URL(),
		"client_id": acctest.ClientID, "client_secret": acctest.ClientSecret, "app_key": acctest.AppKey, "tenant_id": acctest.TenantID,
	}, servicetitan.Options{LookupEnv: acctest.LookupEnv(nil)})
	if err != nil {
		return err
	}
	ctx := context.Background()
	headers, err := conn.AuthHeaders(ctx)
	if err != nil {
		return err
	}
	proxy, err := apiclient.NewProxy(ctx, conn, nil)
	if err != nil {
		return err
	}
	defer proxy.Close()

	path := "/jpm/v2/tenant/" + acctest.TenantID + "/jobs"
	client := &http.Client{Timeout: time.Minute}
	side := func(root string, h map[string]string) (time.Duration, error) {
		start := time.Now()
		for range requests {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, root+path, nil)
			if err != nil {
				return 0, err
			}
			for k, v := range h {
				req.Header.Set(k, v)
			}
			resp, err := client.Do(req)
			if err != nil {
				return 0, err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return 0, fmt.Errorf("GET %s answered %s", root+path, resp.Status)
			}
		}
		return time.Since(start), nil
	}
	direct := func() (time.Duration, error) { return side(srv.URL(), headers) }
	proxied := func() (time.Duration, error) { return side(proxy.URL, nil) }

	// One warm-up of each: connections, the proxy's first token.
	if _, err := direct(); err != nil {
		return err
	}
	if _, err := proxied(); err != nil {
		return err
	}
	before := srv.Stats()
	var ds, ps []time.Duration
	for i := range rounds {
		first, second := direct, proxied
		if i%2 == 1 {
			first, second = proxied, direct
		}
		a, err := first()
		if err != nil {
			return err
		}
		b, err := second()
		if err != nil {
			return err
		}
		if i%2 == 1 {
			a, b = b, a
		}
		ds, ps = append(ds, a), append(ps, b)
	}
	after := srv.Stats()
	d, p := median(ds), median(ps)
	fmt.Printf("%d rounds of %d GETs a side, stand-in API latency %s, one client\n", rounds, requests, latency)
	fmt.Printf("| side | median of %d GETs | per GET | min | max |\n|---|---|---|---|---|\n", requests)
	row := func(name string, m time.Duration, all []time.Duration) {
		fmt.Printf("| %s | %s | %s | %s | %s |\n", name, m.Round(time.Millisecond), (m / time.Duration(requests)).Round(10*time.Microsecond),
			slices.Min(all).Round(time.Millisecond), slices.Max(all).Round(time.Millisecond))
	}
	row("straight to the stand-in", d, ds)
	row("through the proxy", p, ps)
	fmt.Printf("ratio (proxy / straight, medians): %.3f; per GET the proxy adds %s\n", float64(p)/float64(d), ((p - d) / time.Duration(requests)).Round(10*time.Microsecond))
	fmt.Printf("stand-in during the rounds: %d API requests, %d token requests\n", after.APIRequests-before.APIRequests, after.TokenRequests-before.TokenRequests)
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
