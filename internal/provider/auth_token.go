package provider

import (
	"context"
	"time"

	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	eschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// authTokenModel is the attribute set shared by the servicetitan_auth_token
// data source and ephemeral resource.
type authTokenModel struct {
	AccessToken types.String `tfsdk:"access_token"`
	TokenType   types.String `tfsdk:"token_type"`
	ExpiresIn   types.Int64  `tfsdk:"expires_in"`
	ExpiresAt   types.String `tfsdk:"expires_at"`
	Scopes      types.List   `tfsdk:"scopes"`
	Headers     types.Map    `tfsdk:"headers"`
	TenantID    types.String `tfsdk:"tenant_id"`
	AppID       types.String `tfsdk:"app_id"`
	Environment types.String `tfsdk:"environment"`
	APIRootURL  types.String `tfsdk:"api_root_url"`
}

type tokenAttribute struct {
	name, description string
	kind              string // "string", "int64", "list", "map"
	sensitive         bool
}

// tokenAttributes are written once and turned into both schemas below.
var tokenAttributes = []tokenAttribute{
	{"access_token", "The bearer token (a JWT) issued by ServiceTitan's client-credentials grant.", "string", true},
	{"token_type", "Always `Bearer`.", "string", false},
	{"expires_in", "Seconds the token had left when it was read. Tokens live 900 seconds and are reused until less than a minute remains.", "int64", false},
	{"expires_at", "When the token expires, as an RFC 3339 timestamp in the provider's `timezone`.", "string", false},
	{"scopes", "API scopes granted to the token, such as `tn.jpm.jobs:r`.", "list", false},
	{"headers", "Headers every ServiceTitan API call needs, `Authorization` (with the `Bearer ` prefix) and `ST-App-Key`, ready for `request_headers` of the `http` data source.", "map", true},
	{"tenant_id", "Tenant ID of the provider configuration.", "string", false},
	{"app_id", "Application ID of the provider configuration, if set.", "string", false},
	{"environment", "ServiceTitan environment the token was issued for.", "string", false},
	{"api_root_url", "API root URL to which calls with this token go.", "string", false},
}

func authTokenDataSourceAttributes() map[string]dschema.Attribute {
	attrs := map[string]dschema.Attribute{}
	for _, a := range tokenAttributes {
		switch a.kind {
		case "int64":
			attrs[a.name] = dschema.Int64Attribute{Computed: true, Sensitive: a.sensitive, MarkdownDescription: a.description}
		case "list":
			attrs[a.name] = dschema.ListAttribute{Computed: true, Sensitive: a.sensitive, ElementType: types.StringType, MarkdownDescription: a.description}
		case "map":
			attrs[a.name] = dschema.MapAttribute{Computed: true, Sensitive: a.sensitive, ElementType: types.StringType, MarkdownDescription: a.description}
		default:
			attrs[a.name] = dschema.StringAttribute{Computed: true, Sensitive: a.sensitive, MarkdownDescription: a.description}
		}
	}
	return attrs
}

func authTokenEphemeralAttributes() map[string]eschema.Attribute {
	attrs := map[string]eschema.Attribute{}
	for _, a := range tokenAttributes {
		switch a.kind {
		case "int64":
			attrs[a.name] = eschema.Int64Attribute{Computed: true, Sensitive: a.sensitive, MarkdownDescription: a.description}
		case "list":
			attrs[a.name] = eschema.ListAttribute{Computed: true, Sensitive: a.sensitive, ElementType: types.StringType, MarkdownDescription: a.description}
		case "map":
			attrs[a.name] = eschema.MapAttribute{Computed: true, Sensitive: a.sensitive, ElementType: types.StringType, MarkdownDescription: a.description}
		default:
			attrs[a.name] = eschema.StringAttribute{Computed: true, Sensitive: a.sensitive, MarkdownDescription: a.description}
		}
	}
	return attrs
}

// readAuthToken gets a token from the provider configuration's shared cache
// and fills the model.
func readAuthToken(ctx context.Context, d *providerData, what string) (authTokenModel, diag.Diagnostics) {
	var m authTokenModel
	conn, diags := d.connection(what)
	if diags.HasError() {
		return m, diags
	}
	ctx = d.logContext(ctx)
	headers, err := conn.AuthHeaders(ctx)
	if err != nil {
		diags.AddError("Cannot get a ServiceTitan token", err.Error())
		return m, diags
	}
	tok, err := conn.AuthToken(ctx) // served from the cache AuthHeaders just filled
	if err != nil {
		diags.AddError("Cannot get a ServiceTitan token", err.Error())
		return m, diags
	}
	tflog.Debug(ctx, "ServiceTitan token ready", map[string]any{"expires_at": tok.Expiry.UTC().Format(time.RFC3339), "what": what})

	remaining := int64(time.Until(tok.Expiry) / time.Second)
	m.AccessToken = types.StringValue(tok.AccessToken)
	m.TokenType = types.StringValue(tok.TokenType)
	m.ExpiresIn = types.Int64Value(max(remaining, 0))
	m.ExpiresAt = types.StringValue(tok.Expiry.In(conn.Timezone()).Format(time.RFC3339))
	scopes, sd := types.ListValueFrom(ctx, types.StringType, tok.Scopes)
	diags.Append(sd...)
	m.Scopes = scopes
	hv, hd := types.MapValueFrom(ctx, types.StringType, headers)
	diags.Append(hd...)
	m.Headers = hv
	m.TenantID = stringOrNull(conn.TenantID())
	m.AppID = stringOrNull(conn.AppID())
	m.Environment = types.StringValue(string(conn.Environment()))
	m.APIRootURL = types.StringValue(conn.APIRootURL())
	return m, diags
}

func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
