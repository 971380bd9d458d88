package fakeservicetitan

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestRevokedTokensAreRefused(t *testing.T) {
	s := startServer(t, nil)
	old := getToken(t, s)
	older := getToken(t, s)
	minted := s.MintToken(Claims{Exp: time.Now().Add(time.Hour).Unix(), ClientID: "cid", Tenant: testTenant, Scope: DefaultScopes, JTI: "minted"})
	path := "/jpm/v2/tenant/" + testTenant + "/jobs"
	if r := getList(t, s, path, old, nil); r.status != http.StatusOK {
		t.Fatalf("before revocation: %d", r.status)
	}

	s.RevokeTokens()
	for _, tok := range []string{old, older} {
		r := getList(t, s, path, tok, nil)
		if r.status != http.StatusUnauthorized || errorOf(t, r.body) != "access token revoked" {
			t.Errorf("revoked token: %d %s, want 401 access token revoked", r.status, r.body)
		}
		if r.header.Get("WWW-Authenticate") == "" {
			t.Error("401 without WWW-Authenticate")
		}
	}
	if _, err := s.VerifyToken(old); !errors.Is(err, ErrTokenRevoked) {
		t.Errorf("VerifyToken: %v, want ErrTokenRevoked", err)
	}
	fresh := getToken(t, s)
	if r := getList(t, s, path, fresh, nil); r.status != http.StatusOK {
		t.Errorf("token issued after the revocation: %d %s", r.status, r.body)
	}
	if r := getList(t, s, path, minted, nil); r.status != http.StatusOK {
		t.Errorf("minted token: %d, want it untouched (it was never issued)", r.status)
	}

	// A second revocation reaches the tokens issued since the first.
	s.RevokeTokens()
	if r := getList(t, s, path, fresh, nil); r.status != http.StatusUnauthorized {
		t.Errorf("after a second revocation: %d", r.status)
	}

	s.Reset()
	if r := getList(t, s, path, old, nil); r.status != http.StatusOK {
		t.Errorf("after Reset: %d, want revocations forgotten", r.status)
	}
	s.RevokeTokens()
	if r := getList(t, s, path, old, nil); r.status != http.StatusUnauthorized {
		t.Errorf("revoked again after Reset: %d", r.status)
	}
}

func TestRevocationForgetsExpiredTokens(t *testing.T) {
	clk := newTestClock()
	s := startServer(t, func(c *Config) { c.Now = clk.Now; c.TokenLifetime = time.Minute })
	expired := getToken(t, s)
	clk.Advance(2 * time.Minute)
	live := getToken(t, s)
	s.RevokeTokens()
	if _, err := s.VerifyToken(expired); !errors.Is(err, ErrTokenExpired) {
		t.Errorf("expired token: %v, want ErrTokenExpired, which says more than revoked", err)
	}
	if _, err := s.VerifyToken(live); !errors.Is(err, ErrTokenRevoked) {
		t.Errorf("live token: %v", err)
	}
	s.mu.Lock()
	remembered, revoked := len(s.issued), len(s.revoked)
	s.mu.Unlock()
	if remembered != 1 || revoked != 1 {
		t.Errorf("remembers %d issued and %d revoked tokens, want only the live one", remembered, revoked)
	}
}
