package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

var _ datasource.DataSourceWithConfigure = (*endpointsDataSource)(nil)

// NewEndpointsDataSource returns the servicetitan_endpoints data source.
func NewEndpointsDataSource() datasource.DataSource { return &endpointsDataSource{} }

type endpointsDataSource struct{ data *providerData }

type endpointsModel struct {
	Environment types.String `tfsdk:"environment"`
	AuthRootURL types.String `tfsdk:"auth_root_url"`
	APIRootURL  types.String `tfsdk:"api_root_url"`
	TokenURL    types.String `tfsdk:"token_url"`
}

func (d *endpointsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_endpoints"
}

func (d *endpointsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up ServiceTitan's root URLs for an environment. Needs no credentials and makes no network request, " +
			"so its values are known at plan time even when the provider's credentials come from resources not created yet.",
		Attributes: map[string]schema.Attribute{
			"environment": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "`production` or `integration`. When omitted, the provider's environment, with its `auth_root_url` and `api_root_url` overrides.",
				Validators:          []validator.String{settingValidator{servicetitan.SettingEnvironment}},
			},
			"auth_root_url": schema.StringAttribute{Computed: true, MarkdownDescription: "Root URL of ServiceTitan's auth server."},
			"api_root_url":  schema.StringAttribute{Computed: true, MarkdownDescription: "Root URL of ServiceTitan's API."},
			"token_url":     schema.StringAttribute{Computed: true, MarkdownDescription: "URL of the client-credentials token endpoint."},
		},
	}
}

func (d *endpointsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, _ *datasource.ConfigureResponse) {
	if pd, ok := req.ProviderData.(*providerData); ok {
		d.data = pd
	}
}

func (d *endpointsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m endpointsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}

	var authRoot, apiRoot string
	if env := m.Environment.ValueString(); env != "" {
		// An explicit environment means ServiceTitan's own URLs for it; the
		// provider's overrides belong to the provider's environment.
		var err error
		if authRoot, err = servicetitan.AuthRootURL(env); err == nil {
			apiRoot, err = servicetitan.APIRootURL(env)
		}
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("environment"), "Unknown ServiceTitan environment", err.Error())
			return
		}
	} else {
		conn, diags := d.data.endpoints("data.servicetitan_endpoints without an environment")
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		m.Environment = types.StringValue(string(conn.Environment()))
		authRoot, apiRoot = conn.AuthRootURL(), conn.APIRootURL()
	}
	m.AuthRootURL = types.StringValue(authRoot)
	m.APIRootURL = types.StringValue(apiRoot)
	m.TokenURL = types.StringValue(servicetitan.TokenURL(authRoot))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
