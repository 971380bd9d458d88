package apiclient_test

import (
	"encoding/json"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

// The items of every page come out as one array, each item as it came and
// counted once, whatever its strings and nesting hold.
func TestItemsOfEveryPageFormOneArray(t *testing.T) {
	srv := acctest.StandIn(t, func(c *fakeservicetitan.Config) { c.Jobs = 7 })
	c := client(t, srv, nil, acctest.FastOptions())
	req := jobsRequest(true)
	req.PageSize = 3
	resp, err := c.Call(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	var items []map[string]any
	if err := json.Unmarshal([]byte(resp.ItemsJSON), &items); err != nil {
		t.Fatalf("items_json is not a JSON array: %v\n%s", err, resp.ItemsJSON)
	}
	if len(items) != 7 || resp.ItemCount != 7 || resp.PageCount != 3 {
		t.Fatalf("%d items (counted %d) in %d pages, want 7 in 3", len(items), resp.ItemCount, resp.PageCount)
	}
	for i, it := range items {
		if it["id"] != float64(10001+i) {
			t.Errorf("item %d has id %v, want %d", i, it["id"], 10001+i)
		}
	}
}
