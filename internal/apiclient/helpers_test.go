package apiclient_test

import (
	"strings"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/apiclient"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// client is the API client of a configuration for srv with the
// credentials it accepts; in overrides any setting.
func client(t *testing.T, srv *fakeservicetitan.Server, in servicetitan.Input, opts servicetitan.Options) *apiclient.Client {
	t.Helper()
	return apiclient.New(acctest.ConfigFor(t, srv, in, opts))
}

func jobsRequest(all bool) apiclient.APIRequest {
	return apiclient.APIRequest{Folder: "jpm", Endpoint: "jobs", AllPages: all}
}

// mustNotLeak fails when s holds the client secret or any of secrets.
func mustNotLeak(t *testing.T, s string, secrets ...string) {
	t.Helper()
	for _, sec := range append(secrets, acctest.ClientSecret) {
		if sec != "" && strings.Contains(s, sec) {
			t.Fatalf("message leaks a secret %q: %s", sec, s)
		}
	}
}

func wantContains(t *testing.T, got string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(got, p) {
			t.Errorf("message %q\n  does not contain %q", got, p)
		}
	}
}
