package provider

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// TestAccTokenAttributesAreSensitive reads the schema as the CLI sees it.
// A token or its headers not marked sensitive would be printed in plans
// and outputs without anyone asking for it.
func TestAccTokenAttributesAreSensitive(t *testing.T) {
	acctest.SkipBelow(t, acctest.EphemeralResources)
	p := cliSchema(t)
	for kind, blocks := range map[string]map[string]schemaBlock{"data source": p.DataSourceSchemas, "ephemeral resource": p.EphemeralResourceSchemas} {
		b, ok := blocks["servicetitan_auth_token"]
		if !ok {
			t.Errorf("the CLI knows no %s servicetitan_auth_token", kind)
			continue
		}
		for _, name := range []string{"access_token", "headers"} {
			a, ok := b.Block.Attributes[name]
			if !ok {
				t.Errorf("%s servicetitan_auth_token has no attribute %s", kind, name)
			} else if !a.Sensitive {
				t.Errorf("%s servicetitan_auth_token.%s is not sensitive", kind, name)
			}
		}
		// The attributes around the token are not secret, and marking
		// them so would hide them from plans for no reason.
		for _, name := range []string{"expires_at", "tenant_id", "api_root_url"} {
			if b.Block.Attributes[name].Sensitive {
				t.Errorf("%s servicetitan_auth_token.%s is sensitive", kind, name)
			}
		}
	}
}

// TestTokenAndHeadersComeFromOneRead reads a token through a clock that
// jumps past every token's refresh margin between two looks, so each look
// at the cache brings a new token. access_token and the Authorization
// header must still be the same token: a read that asked the cache twice
// would pair a header with another token than the one beside it.
func TestTokenAndHeadersComeFromOneRead(t *testing.T) {
	srv := acctest.StandIn(t)
	var mu sync.Mutex
	now := time.Now()
	jumping := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Hour)
		return now
	}
	conn, _, err := servicetitan.Resolve(servicetitan.Input{
		"auth_root_url": srv.URL(), "client_id": acctest.ClientID, "client_secret": acctest.ClientSecret, "app_key": acctest.AppKey, "tenant_id": acctest.TenantID,
	}, servicetitan.Options{Now: jumping})
	if err != nil {
		t.Fatal(err)
	}
	d := &providerData{conn: conn, issued: &issuedTokens{}}
	obj, diags := readAuthToken(context.Background(), d, types.StringNull(), "the test")
	if diags.HasError() {
		t.Fatalf("reading a token: %v", diags)
	}
	attrs := obj.Attributes()
	token, _ := attrs["access_token"].(types.String)
	headers, _ := attrs["headers"].(types.Map)
	authorization, _ := headers.Elements()["Authorization"].(types.String)
	if token.ValueString() != srv.LastIssuedToken() {
		t.Error("access_token is not the token the stand-in issued last")
	}
	if authorization.ValueString() != "Bearer "+token.ValueString() {
		t.Errorf("the Authorization header carries another token than access_token (%d tokens issued for one read)", srv.Stats().TokensIssued)
	}
}
