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

// attributeFlags is what a schema attribute is besides its value type: an
// argument (required or optional) or a computed result, sensitive or not,
// and its description.
type attributeFlags struct {
	required, optional, computed, sensitive bool
	description                             string
}

// attributeKind is one kind of attribute, with its value type and its
// attribute in each of the two schemas. Data source and ephemeral resource
// schema attributes are different Go types in the framework, so a schema
// written once as a table (tokenAttributes, apiRequestAttributes) is turned
// into each through these.
type attributeKind struct {
	valueType  attr.Type
	dataSource func(attributeFlags) dschema.Attribute
	ephemeral  func(attributeFlags) eschema.Attribute
}

var (
	stringAttribute = attributeKind{
		valueType: types.StringType,
		dataSource: func(f attributeFlags) dschema.Attribute {
			return dschema.StringAttribute{Required: f.required, Optional: f.optional, Computed: f.computed, Sensitive: f.sensitive, MarkdownDescription: f.description}
		},
		ephemeral: func(f attributeFlags) eschema.Attribute {
			return eschema.StringAttribute{Required: f.required, Optional: f.optional, Computed: f.computed, Sensitive: f.sensitive, MarkdownDescription: f.description}
		},
	}
	int64Attribute = attributeKind{
		valueType: types.Int64Type,
		dataSource: func(f attributeFlags) dschema.Attribute {
			return dschema.Int64Attribute{Required: f.required, Optional: f.optional, Computed: f.computed, Sensitive: f.sensitive, MarkdownDescription: f.description}
		},
		ephemeral: func(f attributeFlags) eschema.Attribute {
			return eschema.Int64Attribute{Required: f.required, Optional: f.optional, Computed: f.computed, Sensitive: f.sensitive, MarkdownDescription: f.description}
		},
	}
	boolAttribute = attributeKind{
		valueType: types.BoolType,
		dataSource: func(f attributeFlags) dschema.Attribute {
			return dschema.BoolAttribute{Required: f.required, Optional: f.optional, Computed: f.computed, Sensitive: f.sensitive, MarkdownDescription: f.description}
		},
		ephemeral: func(f attributeFlags) eschema.Attribute {
			return eschema.BoolAttribute{Required: f.required, Optional: f.optional, Computed: f.computed, Sensitive: f.sensitive, MarkdownDescription: f.description}
		},
	}
	stringListAttribute = attributeKind{
		valueType: types.ListType{ElemType: types.StringType},
		dataSource: func(f attributeFlags) dschema.Attribute {
			return dschema.ListAttribute{Required: f.required, Optional: f.optional, Computed: f.computed, Sensitive: f.sensitive, ElementType: types.StringType, MarkdownDescription: f.description}
		},
		ephemeral: func(f attributeFlags) eschema.Attribute {
			return eschema.ListAttribute{Required: f.required, Optional: f.optional, Computed: f.computed, Sensitive: f.sensitive, ElementType: types.StringType, MarkdownDescription: f.description}
		},
	}
	stringMapAttribute = attributeKind{
		valueType: types.MapType{ElemType: types.StringType},
		dataSource: func(f attributeFlags) dschema.Attribute {
			return dschema.MapAttribute{Required: f.required, Optional: f.optional, Computed: f.computed, Sensitive: f.sensitive, ElementType: types.StringType, MarkdownDescription: f.description}
		},
		ephemeral: func(f attributeFlags) eschema.Attribute {
			return eschema.MapAttribute{Required: f.required, Optional: f.optional, Computed: f.computed, Sensitive: f.sensitive, ElementType: types.StringType, MarkdownDescription: f.description}
		},
	}
)

type tokenAttribute struct {
	name, description string
	kind              attributeKind
	sensitive         bool
}

// flags: every token attribute is computed.
func (a tokenAttribute) flags() attributeFlags {
	return attributeFlags{computed: true, sensitive: a.sensitive, description: a.description}
}

// tokenAttributes are written once and turned into both schemas below.
var tokenAttributes = []tokenAttribute{
	{"access_token", "The bearer token (a JWT) issued by ServiceTitan's client-credentials grant.", stringAttribute, true},
	{"token_type", "Always `Bearer`.", stringAttribute, false},
	{"expires_in", "Seconds the token had left when it was read. Tokens live 900 seconds and are reused until less than a minute remains.", int64Attribute, false},
	{"expires_at", "When the token expires, as an RFC 3339 timestamp in the provider's `timezone`.", stringAttribute, false},
	{"scopes", "API scopes granted to the token, such as `tn.jpm.jobs:r`.", stringListAttribute, false},
	{"headers", "Headers every ServiceTitan API call needs, `Authorization` (with the `Bearer ` prefix) and `ST-App-Key`. The ephemeral resource's headers go to what takes ephemeral values: provider blocks, write-only arguments, provisioners and other ephemeral resources; Terraform refuses them in the `http` data source's `request_headers`, which is not write-only. To call the API, prefer `servicetitan_api_request`, which keeps the token inside the provider.", stringMapAttribute, true},
	{"tenant_id", "Tenant ID of the provider configuration.", stringAttribute, false},
	{"app_id", "Application ID of the provider configuration, if set.", stringAttribute, false},
	{"environment", "ServiceTitan environment the token was issued for.", stringAttribute, false},
	{"api_root_url", "API root URL to which calls with this token go: the provider's `api_root_url`, or its environment's. Build API URLs on it (`provider::servicetitan::api_url(<this>, ...)`) so that the token never goes to another host. In the ephemeral resource it is ephemeral too, like every attribute; `servicetitan_endpoints` gives it as an ordinary value.", stringAttribute, false},
}

func authTokenDataSourceAttributes() map[string]dschema.Attribute {
	attrs := map[string]dschema.Attribute{"tenant": dschema.StringAttribute{Optional: true, MarkdownDescription: tenantArgumentDescription}}
	for _, a := range tokenAttributes {
		attrs[a.name] = a.kind.dataSource(a.flags())
	}
	return attrs
}

func authTokenEphemeralAttributes() map[string]eschema.Attribute {
	attrs := map[string]eschema.Attribute{"tenant": eschema.StringAttribute{Optional: true, MarkdownDescription: tenantArgumentDescription}}
	for _, a := range tokenAttributes {
		attrs[a.name] = a.kind.ephemeral(a.flags())
	}
	return attrs
}

// tokenAttributeTypes is the object type of the shared attribute set.
var tokenAttributeTypes = func() map[string]attr.Type {
	attrTypes := map[string]attr.Type{"tenant": types.StringType}
	for _, a := range tokenAttributes {
		attrTypes[a.name] = a.kind.valueType
	}
	return attrTypes
}()

// readAuthToken gets a token from the provider configuration's shared cache
// and returns the attribute values. It builds the object directly rather
// than through a tagged struct: the framework's struct reflection was the
// largest part of a read's cost, and a plan may read hundreds of these.
func readAuthToken(ctx context.Context, d *providerData, tenant types.String, what string) (types.Object, diag.Diagnostics) {
	conn, diags := d.connectionFor(tenant, what)
	if diags.HasError() {
		return types.ObjectNull(tokenAttributeTypes), diags
	}
	ctx, stop := d.untilInterrupted(ctx)
	defer stop()
	ctx = d.logContext(ctx)
	tok, headers, err := conn.AuthTokenWithHeaders(ctx)
	if err != nil {
		// The core says in words why a wait ended (Ctrl-C, a cancelled run).
		diags.AddError("Cannot get a ServiceTitan token", err.Error())
		return types.ObjectNull(tokenAttributeTypes), diags
	}
	ctx = d.maskToken(ctx, tok.AccessToken)
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
		"tenant":       tenant,
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
