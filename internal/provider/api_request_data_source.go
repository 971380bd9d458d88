package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
)

var (
	_ datasource.DataSourceWithConfigure      = (*apiRequestDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*apiRequestDataSource)(nil)
)

// NewAPIRequestDataSource returns the servicetitan_api_request data source.
func NewAPIRequestDataSource() datasource.DataSource { return &apiRequestDataSource{} }

type apiRequestDataSource struct{ data *providerData }

func (d *apiRequestDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_request"
}

func (d *apiRequestDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads from the ServiceTitan API with the provider's own token, which never leaves the provider: one request, " +
			"or every page of a list or an export. The response is stored in the state; the token and the app key are not. " +
			"For personal data (customers, contacts) use the `servicetitan_api_request` ephemeral resource, which keeps the response out of the plan and the state too. " +
			"It only reads: the one POST allowed is reporting data, which ServiceTitan reads by POST.",
		Attributes: apiRequestDataSourceAttributes(),
	}
}

func (d *apiRequestDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, _ *datasource.ConfigureResponse) {
	if pd, ok := req.ProviderData.(*providerData); ok {
		d.data = pd
	}
}

func (d *apiRequestDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var m apiRequestModel
	if resp.Diagnostics.Append(req.Config.Get(ctx, &m)...); resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validateAPIRequest(&m)...)
}

func (d *apiRequestDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m apiRequestModel
	if resp.Diagnostics.Append(req.Config.Get(ctx, &m)...); resp.Diagnostics.HasError() {
		return
	}
	if resp.Diagnostics.Append(readAPIRequest(ctx, d.data, &m, "data.servicetitan_api_request")...); resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
