package apiclient

import (
	"net/http"
	"sync"

	"golang.org/x/time/rate"
)

// The pace of API requests: ServiceTitan allows 60 a second per app and
// tenant, and every request of a process waits its turn under one pace.

const (
	// APIRequestsPerSecond is the pace of API requests per tenant in one
	// process, well below ServiceTitan's limit of 60 a second per app and
	// tenant: requests paced apart can arrive closer together (a slow
	// connection, then a fast one), and a plan of hundreds of lookups must
	// never meet the limit.
	APIRequestsPerSecond = 40
	// apiBurst is how many requests may go at once after a pause: more than
	// Terraform's parallelism of 10, so that a plan's lookups wait for none
	// of the pace, while the pace and the burst together stay at 55 in any
	// second.
	apiBurst = 15
)

// pacedTransport waits for the tenant's pace before every attempt, retries
// included.
type pacedTransport struct {
	base    http.RoundTripper
	limiter *rate.Limiter
}

func (t *pacedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := t.limiter.Wait(r.Context()); err != nil {
		return nil, err
	}
	return t.base.RoundTrip(r)
}

// apiPaces holds one limiter per API root and tenant for the whole process:
// ServiceTitan counts requests per app and tenant, whichever data source or
// configuration sends them.
var apiPaces = struct {
	sync.Mutex
	m map[string]*rate.Limiter
}{m: map[string]*rate.Limiter{}}

func apiPace(root, tenant string) *rate.Limiter {
	apiPaces.Lock()
	defer apiPaces.Unlock()
	key := root + "\x00" + tenant
	l, ok := apiPaces.m[key]
	if !ok {
		// At most apiBurst+APIRequestsPerSecond go in any second, leaving
		// room under ServiceTitan's 60 for requests that arrive bunched.
		l = rate.NewLimiter(APIRequestsPerSecond, apiBurst)
		apiPaces.m[key] = l
	}
	return l
}
