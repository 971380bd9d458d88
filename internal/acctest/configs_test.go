package acctest

import (
	"strings"
	"testing"
)

func TestTokenReadsDeclaresAndUsesEveryToken(t *testing.T) {
	cfg := TokenReads(20, 5)
	if n := strings.Count(cfg, `data "servicetitan_auth_token"`); n != 20 {
		t.Errorf("%d token data sources, want 20", n)
	}
	if n := strings.Count(cfg, `ephemeral "servicetitan_auth_token"`); n != 5 {
		t.Errorf("%d ephemeral tokens, want 5", n)
	}
	for _, ref := range []string{"data.servicetitan_auth_token.d0.token_type", "data.servicetitan_auth_token.d19.token_type",
		"ephemeral.servicetitan_auth_token.e0.token_type", "ephemeral.servicetitan_auth_token.e4.token_type"} {
		if !strings.Contains(cfg, ref) {
			t.Errorf("config does not use %s:\n%s", ref, cfg)
		}
	}
	if strings.Contains(TokenReads(1, 0), "provisioner") {
		t.Error("a config without ephemeral tokens needs no provisioner")
	}
}
