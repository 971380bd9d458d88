package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
)

var (
	_ ephemeral.EphemeralResourceWithConfigure      = (*apiRequestEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithValidateConfig = (*apiRequestEphemeralResource)(nil)
)

// NewAPIRequestEphemeralResource returns the servicetitan_api_request ephemeral resource.
func NewAPIRequestEphemeralResource() ephemeral.EphemeralResource {
	return &apiRequestEphemeralResource{}
}

type apiRequestEphemeralResource struct{ data *providerData }

func (e *apiRequestEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_request"
}

func (e *apiRequestEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads from the ServiceTitan API with the provider's own token, and keeps everything, the response included, " +
			"out of the plan and the state. Use it for personal data (customers, contacts) that feeds provider blocks, write-only arguments, " +
			"locals and provisioners. Same arguments and results as the data source.",
		Attributes: apiRequestEphemeralAttributes(),
	}
}

func (e *apiRequestEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, _ *ephemeral.ConfigureResponse) {
	if pd, ok := req.ProviderData.(*providerData); ok {
		e.data = pd
	}
}

func (e *apiRequestEphemeralResource) ValidateConfig(ctx context.Context, req ephemeral.ValidateConfigRequest, resp *ephemeral.ValidateConfigResponse) {
	var m apiRequestModel
	if resp.Diagnostics.Append(req.Config.Get(ctx, &m)...); resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validateAPIRequest(&m)...)
}

// Open makes the request. There is no Renew or Close: a read has nothing
// to keep alive or to undo.
func (e *apiRequestEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m apiRequestModel
	if resp.Diagnostics.Append(req.Config.Get(ctx, &m)...); resp.Diagnostics.HasError() {
		return
	}
	if resp.Diagnostics.Append(readAPIRequest(ctx, e.data, &m, "ephemeral.servicetitan_api_request")...); resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}
