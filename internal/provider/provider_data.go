package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// providerData is what Configure hands to data sources and ephemeral
// resources: one connection, and so one token cache, per provider
// configuration.
type providerData struct {
	conn *servicetitan.Connection
	// unknown lists provider attributes whose values were not yet known.
	unknown []string
}

// jwtLike matches anything shaped like a JWT, so an issued token is masked
// in logs even where its exact value is not known to the masker.
var jwtLike = regexp.MustCompile(`[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+`)

// logContext masks the client secret, the app key, tokens and Authorization
// values in every log line written with the returned context, at every
// level. Masks live in the context, so each RPC must apply them again.
func (d *providerData) logContext(ctx context.Context) context.Context {
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "access_token", "client_secret", "app_key", "authorization", "Authorization", "headers")
	ctx = tflog.MaskAllFieldValuesRegexes(ctx, jwtLike)
	ctx = tflog.MaskMessageRegexes(ctx, jwtLike)
	if d != nil && d.conn != nil {
		if secrets := d.conn.Secrets(); len(secrets) > 0 {
			ctx = tflog.MaskAllFieldValuesStrings(ctx, secrets...)
			ctx = tflog.MaskMessageStrings(ctx, secrets...)
		}
	}
	return ctx
}

// connection returns the provider's connection, or a diagnostic explaining
// why there is none.
func (d *providerData) connection(what string) (*servicetitan.Connection, diag.Diagnostics) {
	var diags diag.Diagnostics
	switch {
	case d == nil:
		diags.AddError("ServiceTitan provider not configured",
			fmt.Sprintf("%s needs a configured servicetitan provider; this is a bug in the provider if the provider block is present.", what))
	case len(d.unknown) > 0:
		diags.AddError("ServiceTitan provider configuration is not known yet",
			fmt.Sprintf("%s needs a ServiceTitan token, but the provider attribute(s) %s depend on values that are known only after apply. "+
				"Set them from values known at plan time (variables, locals, data sources), or apply the resources they depend on first.",
				what, strings.Join(d.unknown, ", ")))
	case d.conn == nil:
		diags.AddError("ServiceTitan provider configuration is invalid", what+" cannot run because the provider configuration failed; see the error reported for the provider.")
	}
	if diags.HasError() {
		return nil, diags
	}
	return d.conn, nil
}
