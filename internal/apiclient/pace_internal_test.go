package apiclient

import "testing"

// ServiceTitan counts requests per app and tenant: each tenant of one API
// root has a pace of its own, and every client of one tenant shares it.
func TestEachTenantHasItsOwnPace(t *testing.T) {
	root := "https://api.example"
	if apiPace(root, "1") == apiPace(root, "2") {
		t.Error("two tenants share one pace: one tenant's reads would slow the other's")
	}
	if first, again := apiPace(root, "1"), apiPace(root, "1"); first != again {
		t.Error("one tenant has two paces: together they could pass ServiceTitan's limit")
	}
}
