package fakeservicetitan

import (
	"log"
	"strings"
	"testing"
)

func TestRequestLogOmitsSecrets(t *testing.T) {
	var buf syncBuffer
	s := startServer(t, func(c *Config) { c.Logger = log.New(&buf, "", 0) })
	tok := getToken(t, s)
	getJobs(t, s.URL(), testTenant, map[string]string{"Authorization": "Bearer " + tok, "ST-App-Key": testAppKey})
	// The line is written after the response, so it may trail the client.
	waitFor(t, func() bool { return strings.Contains(buf.String(), "GET /jpm/v2/tenant/1001/jobs 200") })
	out := buf.String()
	if !strings.Contains(out, "POST /connect/token 200") {
		t.Errorf("log lacks the token request:\n%s", out)
	}
	for _, secret := range []string{testSecret, testAppKey, tok} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains a credential:\n%s", out)
		}
	}
}
