package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ datasource.DataSourceWithConfigure = (*authTokenDataSource)(nil)

// NewAuthTokenDataSource returns the servicetitan_auth_token data source.
func NewAuthTokenDataSource() datasource.DataSource { return &authTokenDataSource{} }

type authTokenDataSource struct{ data *providerData }

func (d *authTokenDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_auth_token"
}

func (d *authTokenDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Issues a ServiceTitan access token with the provider's client credentials, and the headers an API call needs. " +
			"The token is stored in the Terraform state (marked sensitive); prefer the `servicetitan_auth_token` ephemeral resource " +
			"where the consumer accepts ephemeral values. All data sources and ephemeral resources of one provider configuration share one cached token.",
		Attributes: authTokenDataSourceAttributes(),
	}
}

func (d *authTokenDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, _ *datasource.ConfigureResponse) {
	if pd, ok := req.ProviderData.(*providerData); ok {
		d.data = pd
	}
}

func (d *authTokenDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var tenant types.String
	if resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("tenant"), &tenant)...); resp.Diagnostics.HasError() {
		return
	}
	token, diags := readAuthToken(ctx, d.data, tenant, "data.servicetitan_auth_token")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, token)...)
}
