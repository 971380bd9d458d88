package servicetitan_test

import (
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

func TestRootURLs(t *testing.T) {
	for _, tc := range []struct {
		env, auth, api string
	}{
		{"production", "https://auth.servicetitan.io", "https://api.servicetitan.io"},
		{"integration", "https://auth-integration.servicetitan.io", "https://api-integration.servicetitan.io"},
	} {
		t.Run(tc.env, func(t *testing.T) {
			auth, err := servicetitan.AuthRootURL(tc.env)
			if err != nil || auth != tc.auth {
				t.Errorf("AuthRootURL(%q) = %q, %v; want %q", tc.env, auth, err, tc.auth)
			}
			api, err := servicetitan.APIRootURL(tc.env)
			if err != nil || api != tc.api {
				t.Errorf("APIRootURL(%q) = %q, %v; want %q", tc.env, api, err, tc.api)
			}
		})
	}
}

func TestUnknownEnvironmentListsValidOnes(t *testing.T) {
	for _, env := range []string{"Production", "staging", "", " integration"} {
		for name, f := range map[string]func(string) (string, error){"auth": servicetitan.AuthRootURL, "api": servicetitan.APIRootURL} {
			_, err := f(env)
			if err == nil {
				t.Fatalf("%s root of %q: no error", name, env)
			}
			wantContains(t, err.Error(), `"production"`, `"integration"`)
		}
	}
}

// A root URL stands for itself, checked like api_root_url; an environment
// name for its root.
func TestAPIRootFor(t *testing.T) {
	for in, want := range map[string]string{
		"production": "https://api.servicetitan.io", "integration": "https://api-integration.servicetitan.io",
		"https://st-proxy.example.com/": "https://st-proxy.example.com", "http://127.0.0.1:8080": "http://127.0.0.1:8080",
	} {
		if got, err := servicetitan.APIRootFor(in); err != nil || got != want {
			t.Errorf("APIRootFor(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"prod", "http://api.example.com", "https://u:p@api.example.com"} {
		if _, err := servicetitan.APIRootFor(bad); err == nil {
			t.Errorf("APIRootFor(%q) accepted it", bad)
		} else {
			mustNotLeak(t, err.Error(), "u:p")
		}
	}
}
