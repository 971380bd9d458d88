package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	eschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

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

// tokenAttributeTypes is the object type of the shared attribute set.
var tokenAttributeTypes = func() map[string]attr.Type {
	attrTypes := map[string]attr.Type{}
	for _, a := range tokenAttributes {
		switch a.kind {
		case "int64":
			attrTypes[a.name] = types.Int64Type
		case "list":
			attrTypes[a.name] = types.ListType{ElemType: types.StringType}
		case "map":
			attrTypes[a.name] = types.MapType{ElemType: types.StringType}
		default:
			attrTypes[a.name] = types.StringType
		}
	}
	return attrTypes
}()

// readAuthToken gets a token from the provider configuration's shared cache
// and returns the attribute values. It builds the object directly rather
// than through a tagged struct: the framework's struct reflection was the
// largest part of a read's cost, and a plan may read hundreds of these.
func readAuthToken(ctx context.Context, d *providerData, what string) (types.Object, diag.Diagnostics) {
	conn, diags := d.connection(what)
	if diags.HasError() {
		return types.ObjectNull(tokenAttributeTypes), diags
	}
	ctx = d.logContext(ctx)
	headers, err := conn.AuthHeaders(ctx)
	if err != nil {
		diags.AddError("Cannot get a ServiceTitan token", err.Error())
		return types.ObjectNull(tokenAttributeTypes), diags
	}
	tok, err := conn.AuthToken(ctx) // served from the cache AuthHeaders just filled
	if err != nil {
		diags.AddError("Cannot get a ServiceTitan token", err.Error())
		return types.ObjectNull(tokenAttributeTypes), diags
	}
	tflog.Debug(ctx, "ServiceTitan token ready", map[string]any{"expires_at": tok.Expiry.UTC().Format(time.RFC3339), "what": what})

	scopes := make([]attr.Value, len(tok.Scopes))
	for i, s := range tok.Scopes {
		scopes[i] = types.StringValue(s)
	}
	headerValues := make(map[string]attr.Value, len(headers))
	for k, v := range headers {
		headerValues[k] = types.StringValue(v)
	}
	remaining := max(int64(time.Until(tok.Expiry)/time.Second), 0)
	obj, od := types.ObjectValue(tokenAttributeTypes, map[string]attr.Value{
		"access_token": types.StringValue(tok.AccessToken),
		"token_type":   types.StringValue(tok.TokenType),
		"expires_in":   types.Int64Value(remaining),
		"expires_at":   types.StringValue(tok.Expiry.In(conn.Timezone()).Format(time.RFC3339)),
		"scopes":       types.ListValueMust(types.StringType, scopes),
		"headers":      types.MapValueMust(types.StringType, headerValues),
		"tenant_id":    stringOrNull(conn.TenantID()),
		"app_id":       stringOrNull(conn.AppID()),
		"environment":  types.StringValue(string(conn.Environment())),
		"api_root_url": types.StringValue(conn.APIRootURL()),
	})
	diags.Append(od...)
	return obj, diags
}

func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
