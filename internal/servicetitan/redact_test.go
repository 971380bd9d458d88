package servicetitan_test

import (
	"strings"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// A root URL carrying credentials or a signed query is refused, and the
// refusal names the setting and its source without echoing the secret part,
// from whichever source it came.
func TestRefusedURLSettingsAreRedacted(t *testing.T) {
	for _, value := range []string{
		"https://user:PASSWORD@auth.example.com",
		"https://PASSWORD@auth.example.com",
		"https://auth.example.com/?sig=PASSWORD&expires=1",
		"https://auth.example.com#PASSWORD",
		"http://user:PASSWORD@example.com",
		"https://user:PASS%zzWORD@auth.example.com",
		"https://user:pass/PASSWORD@auth.example.com",
		"user:PASSWORD@auth.example.com",
	} {
		for _, src := range []struct {
			name string
			in   func(setting, v string) (servicetitan.Input, map[string]string)
			from string
		}{
			{"attribute", func(setting, v string) (servicetitan.Input, map[string]string) {
				if setting == "auth_root_url" {
					return servicetitan.Input{"auth_root_url": v}, nil
				}
				return servicetitan.Input{"api_root_url": v}, nil
			}, `attribute "%s"`},
			{"environment variable", func(setting, v string) (servicetitan.Input, map[string]string) {
				return servicetitan.Input{}, map[string]string{settingEnv(setting): v}
			}, "environment variable %s"},
			{"config file", func(setting, v string) (servicetitan.Input, map[string]string) {
				path := writeFile(t, "servicetitan.json", `{"`+settingEnv(setting)+`": "`+strings.ReplaceAll(v, `"`, `\"`)+`"}`)
				return servicetitan.Input{"config_file": path}, nil
			}, `key "%s"`},
		} {
			for _, setting := range []string{"auth_root_url", "api_root_url"} {
				t.Run(src.name+"/"+setting+"/"+value, func(t *testing.T) {
					in, vars := src.in(setting, value)
					_, _, err := servicetitan.Resolve(in, servicetitan.Options{LookupEnv: env(vars)})
					if err == nil {
						t.Fatalf("%s accepted", value)
					}
					name := setting
					if src.name != "attribute" {
						name = settingEnv(setting)
					}
					wantContains(t, err.Error(), "invalid "+setting, strings.ReplaceAll(src.from, "%s", name))
					if strings.Contains(err.Error(), "PASSWORD") || strings.Contains(err.Error(), "WORD") {
						t.Fatalf("the message echoes the secret: %s", err)
					}
				})
			}
		}
	}
}

func TestRedactURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://auth.servicetitan.io/connect/token", "https://auth.servicetitan.io/connect/token"},
		{"https://user:pw@host.example/x", "https://REDACTED@host.example/x"},
		{"https://user@host.example", "https://REDACTED@host.example"},
		{"https://host.example/p?sig=abc&exp=1", "https://host.example/p?sig=REDACTED&exp=REDACTED"},
		{"https://host.example/p?opaque", "https://host.example/p?REDACTED"},
		{"https://host.example/p#frag", "https://host.example/p#REDACTED"},
		{"https://u:p/w#x@host.example:8443/p?q=1#f", "https://REDACTED@host.example:8443/p?q=REDACTED#REDACTED"},
		{"u:pw@host.example", "REDACTED@host.example"},
		{"host.example?next=https://u:pw@evil.example", "host.example?next=REDACTED"},
		{"", ""},
	} {
		if got := servicetitan.RedactURL(tc.in); got != tc.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A TokenError prints its URL redacted, whoever built it.
func TestTokenErrorRedactsItsURL(t *testing.T) {
	err := &servicetitan.TokenError{TokenURL: "https://user:PASSWORD@auth.example.com/connect/token?sig=SIGNATURE", StatusCode: 400}
	msg := err.Error()
	wantContains(t, msg, "https://REDACTED@auth.example.com/connect/token?sig=REDACTED", "HTTP 400")
	mustNotLeak(t, msg, "PASSWORD", "SIGNATURE", "user:")
}

func TestErrorExcerptIsShortAndRedacted(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
	body := `{"token_type":"Bearer","id":"` + jwt + `", "note":"` + strings.Repeat("x", 500) + `"}`
	srv := acctest.StandIn(t)
	srv.InjectTokenFaults(fakeservicetitan.Fault{Status: 200, Body: body})
	conn := configFor(t, srv, servicetitan.Input{}, fastOptions())
	_, err := conn.AuthToken(t.Context())
	if err == nil {
		t.Fatal("no error")
	}
	mustNotLeak(t, err.Error(), jwt, "eyJzdWIiOiIxMjM0NTY3ODkwIn0")
	if len(err.Error()) > 400 {
		t.Errorf("error is %d bytes long: %s", len(err.Error()), err)
	}
}
