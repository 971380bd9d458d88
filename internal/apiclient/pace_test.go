package apiclient_test

import (
	"sync"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/apiclient"
)

func TestCallKeepsUnderTheRateLimit(t *testing.T) {
	srv := acctest.StandIn(t)
	c := client(t, srv, nil, acctest.FastOptions())
	var wg sync.WaitGroup
	for range 150 {
		wg.Go(func() {
			if _, err := c.Call(t.Context(), apiclient.APIRequest{Folder: "settings", Endpoint: "business-units"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := srv.Stats().RateLimited; got != 0 {
		t.Errorf("the stand-in answered %d requests with 429 for its 60 a second", got)
	}
}
