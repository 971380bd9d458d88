package servicetitan_test

import (
	"sync"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

func TestCallAPIKeepsUnderTheRateLimit(t *testing.T) {
	srv := acctest.StandIn(t)
	c := configFor(t, srv, nil, fastOptions())
	var wg sync.WaitGroup
	for range 150 {
		wg.Go(func() {
			if _, err := c.CallAPI(t.Context(), servicetitan.APIRequest{Folder: "settings", Endpoint: "business-units"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := srv.Stats().RateLimited; got != 0 {
		t.Errorf("the stand-in answered %d requests with 429 for its 60 a second", got)
	}
}
