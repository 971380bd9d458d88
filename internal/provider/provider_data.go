package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/apiclient"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// providerData is what Configure hands to data sources and ephemeral
// resources: one connection, and so one token cache, per provider
// configuration.
type providerData struct {
	conn *servicetitan.Config
	// api reads the API with conn's token: one transport, and so one
	// pace and token source, per provider configuration.
	api *apiclient.Client
	// unknown lists provider attributes whose values were not yet known.
	// conn is then built only when none of them decides the endpoints,
	// and serves the endpoints alone: its credentials may not be the ones
	// the configuration will have.
	unknown []string
	// interrupted is done once the user has pressed Ctrl-C; nil in a
	// provider that is not a program of its own.
	interrupted context.Context
	// issued holds the tokens this provider has handed out, for masking.
	issued *issuedTokens
	// proxies are the servicetitan_api_proxy endpoints open in this
	// configuration, until Terraform closes them.
	proxies openProxies
	// tenants are the entries of the tenants attribute; tenantsUnknown
	// says the map itself is not known yet.
	tenants        map[string]*tenantEntry
	tenantsUnknown bool
}

// issuedTokens are the access tokens a provider process has handed out.
// ServiceTitan issues a token every quarter of an hour at most per
// configuration, so the list stays a few entries long.
type issuedTokens struct {
	mu     sync.Mutex
	tokens []string
}

func (t *issuedTokens) add(token string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, have := range t.tokens {
		if have == token {
			return
		}
	}
	t.tokens = append(t.tokens, token)
}

func (t *issuedTokens) list() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.tokens...)
}

// logContext masks the client secret, the app key, every token this
// provider has handed out and Authorization values in every log line
// written with the returned context, at every level. Masks live in the
// context, so each RPC must apply them again.
func (d *providerData) logContext(ctx context.Context) context.Context {
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, servicetitan.MaskedFieldKeys...)
	ctx = tflog.MaskAllFieldValuesRegexes(ctx, servicetitan.JWTPattern, servicetitan.BearerPattern)
	ctx = tflog.MaskMessageRegexes(ctx, servicetitan.JWTPattern, servicetitan.BearerPattern)
	if d == nil {
		return ctx
	}
	var values []string
	if d.conn != nil {
		values = d.conn.Secrets()
	}
	for _, e := range d.tenants {
		values = append(values, e.secrets...)
		if e.conn != nil {
			values = append(values, e.conn.Secrets()...)
		}
	}
	if d.issued != nil {
		values = append(values, d.issued.list()...)
	}
	if len(values) > 0 {
		ctx = tflog.MaskAllFieldValuesStrings(ctx, values...)
		ctx = tflog.MaskMessageStrings(ctx, values...)
	}
	return ctx
}

// maskToken records a token as handed out and masks it, by value, in every
// later line of ctx and of every later RPC.
func (d *providerData) maskToken(ctx context.Context, token string) context.Context {
	if token == "" {
		return ctx
	}
	if d.issued != nil {
		d.issued.add(token)
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, token)
	return tflog.MaskMessageStrings(ctx, token)
}

// untilInterrupted returns ctx, also cancelled with the cause
// servicetitan.ErrInterrupted when the user presses Ctrl-C. Terraform
// does not stop providers during the planning phase of `terraform apply`,
// so the request's own context would wait out a Retry-After or backoff.
// stop must be called when the request is done.
func (d *providerData) untilInterrupted(ctx context.Context) (_ context.Context, stop func()) {
	if d == nil || d.interrupted == nil {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	unregister := context.AfterFunc(d.interrupted, func() { cancel(context.Cause(d.interrupted)) })
	return ctx, func() {
		unregister()
		cancel(nil)
	}
}

// connection returns the provider's connection for a token, or a
// diagnostic explaining why there is none.
func (d *providerData) connection(what string) (*servicetitan.Config, diag.Diagnostics) {
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

// endpoints returns the provider's connection for looking up its
// environment and root URLs, which need no credentials: unknown credential
// attributes do not stand in the way.
func (d *providerData) endpoints(what string) (*servicetitan.Config, diag.Diagnostics) {
	switch {
	case d != nil && d.conn != nil:
		return d.conn, nil
	case d == nil || len(d.unknown) == 0:
		return d.connection(what)
	}
	var diags diag.Diagnostics
	diags.AddError("ServiceTitan provider configuration is not known yet",
		fmt.Sprintf("%s needs the provider's environment and root URLs, but the provider attribute(s) %s depend on values that are known only after apply. "+
			"Set them from values known at plan time, or give the data source its own environment.",
			what, strings.Join(d.unknown, ", ")))
	return nil, diags
}
