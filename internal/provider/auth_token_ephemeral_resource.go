package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ ephemeral.EphemeralResourceWithConfigure = (*authTokenEphemeralResource)(nil)

// NewAuthTokenEphemeralResource returns the servicetitan_auth_token ephemeral resource.
func NewAuthTokenEphemeralResource() ephemeral.EphemeralResource {
	return &authTokenEphemeralResource{}
}

type authTokenEphemeralResource struct{ data *providerData }

func (e *authTokenEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_auth_token"
}

func (e *authTokenEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Issues a ServiceTitan access token that never reaches the plan or the state. " +
			"Use it for provider configurations and write-only attributes (for example a secret store's `*_wo` arguments). " +
			"It shares the cached token of its provider configuration with every data source.",
		Attributes: authTokenEphemeralAttributes(),
	}
}

func (e *authTokenEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, _ *ephemeral.ConfigureResponse) {
	if pd, ok := req.ProviderData.(*providerData); ok {
		e.data = pd
	}
}

// Open issues the token. There is no Renew or Close: ServiceTitan has no
// refresh tokens and no revocation endpoint, and Terraform re-opens the
// resource in every phase that needs it, each time from the shared cache.
func (e *authTokenEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var tenant types.String
	if resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("tenant"), &tenant)...); resp.Diagnostics.HasError() {
		return
	}
	token, diags := readAuthToken(ctx, e.data, tenant, "ephemeral.servicetitan_auth_token")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, token)...)
}
