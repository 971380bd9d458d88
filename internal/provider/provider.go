// Package provider adapts the ServiceTitan auth core to Terraform. It maps
// schemas onto internal/servicetitan and holds no ServiceTitan knowledge of
// its own.
package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// Address is the provider's registry source address.
const Address = "registry.terraform.io/servicetitan-tf/servicetitan"

var (
	_ provider.Provider                       = (*ServiceTitanProvider)(nil)
	_ provider.ProviderWithFunctions          = (*ServiceTitanProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*ServiceTitanProvider)(nil)
)

// ServiceTitanProvider is the servicetitan provider.
type ServiceTitanProvider struct {
	version string
	// options lets tests shorten retry waits; production leaves it zero.
	options servicetitan.Options
	// tokens outlives Configure: Terraform may configure the same provider
	// more than once in one process (debug and test servers are reused
	// across phases), and that must not cost another token request.
	tokens *servicetitan.TokenCache
}

// New returns a constructor for the provider, as providerserver expects.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &ServiceTitanProvider{version: version, tokens: servicetitan.NewTokenCache()}
	}
}

type providerModel struct {
	Environment    types.String `tfsdk:"environment"`
	AppKey         types.String `tfsdk:"app_key"`
	TenantID       types.String `tfsdk:"tenant_id"`
	ClientID       types.String `tfsdk:"client_id"`
	ClientSecret   types.String `tfsdk:"client_secret"`
	AppID          types.String `tfsdk:"app_id"`
	Timezone       types.String `tfsdk:"timezone"`
	ConfigFile     types.String `tfsdk:"config_file"`
	AuthRootURL    types.String `tfsdk:"auth_root_url"`
	APIRootURL     types.String `tfsdk:"api_root_url"`
	EnterpriseHub  types.Bool   `tfsdk:"enterprise_hub"`
	RequestTimeout types.String `tfsdk:"request_timeout"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
	TokenCacheDir  types.String `tfsdk:"token_cache_dir"`
}

// Metadata names the provider.
func (p *ServiceTitanProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "servicetitan"
	resp.Version = p.version
}

// Schema builds one optional attribute per setting of the core, with its
// environment variable, config-file key and default in the description.
func (p *ServiceTitanProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	attrs := map[string]schema.Attribute{}
	for _, s := range servicetitan.Settings() {
		desc := settingDescription(s)
		switch s.Name {
		case servicetitan.SettingEnterpriseHub.Name:
			attrs[s.Name] = schema.BoolAttribute{Optional: true, MarkdownDescription: desc}
		case servicetitan.SettingMaxRetries.Name:
			attrs[s.Name] = schema.Int64Attribute{Optional: true, MarkdownDescription: desc,
				Validators: []validator.Int64{int64validator.Between(0, servicetitan.MaxMaxRetries)}}
		default:
			attrs[s.Name] = schema.StringAttribute{Optional: true, Sensitive: s.Secret, MarkdownDescription: desc,
				Validators: []validator.String{settingValidator{s}}}
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Authenticates to the ServiceTitan API. Every setting can come from this block, " +
			"a servicepytan-format config file (`config_file`) or `SERVICETITAN_*` environment variables, in that order of precedence.",
		Attributes: attrs,
	}
}

func settingDescription(s servicetitan.Setting) string {
	var b strings.Builder
	b.WriteString(s.Description)
	fmt.Fprintf(&b, " Environment variable `%s`", s.EnvVar)
	if s.FileKey != "" {
		fmt.Fprintf(&b, "; config-file key `%s`", s.FileKey)
	}
	b.WriteString(".")
	if s.Default != "" {
		fmt.Fprintf(&b, " Defaults to `%s`.", s.Default)
	}
	return b.String()
}

// settingValidator checks a literal attribute value with the core's own
// rules, so that `terraform validate` catches a bad value before any
// network access and points at the attribute.
type settingValidator struct{ setting servicetitan.Setting }

func (v settingValidator) Description(context.Context) string {
	return "value must be valid for " + v.setting.Name
}

func (v settingValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v settingValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := servicetitan.ValidateSetting(v.setting.Name, req.ConfigValue.ValueString()); err != nil {
		shown := ""
		if !v.setting.Secret {
			shown = fmt.Sprintf(" %q", req.ConfigValue.ValueString())
		}
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+v.setting.Name,
			fmt.Sprintf("The value%s of attribute %q is not allowed: %s.", shown, v.setting.Name, err))
	}
}

var _ validator.String = settingValidator{}

// Configure resolves the settings and builds the connection whose token
// cache every data source and ephemeral resource of this provider
// configuration (and alias) shares.
func (p *ServiceTitanProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}

	data := &providerData{}
	data.unknown = m.unknownAttributes()
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
	if len(data.unknown) > 0 {
		// Values from resources not yet created are unknown during plan.
		// Building a connection from the rest would silently fall back to
		// the file or environment for those settings, so no connection is
		// built; whatever needs one reports which attributes were unknown.
		tflog.Debug(ctx, "provider configuration has unknown values", map[string]any{"unknown_attributes": strings.Join(data.unknown, ",")})
		return
	}

	opts := p.options
	opts.UserAgent = fmt.Sprintf("terraform-provider-servicetitan/%s (+https://registry.terraform.io/providers/servicetitan-tf/servicetitan) Terraform/%s", p.version, req.TerraformVersion)
	opts.Cache = p.tokens
	observe := p.options.Log
	opts.Log = func(ctx context.Context, msg string, fields map[string]any) {
		tflog.Debug(ctx, msg, fields)
		if observe != nil {
			observe(ctx, msg, fields)
		}
	}
	conn, warnings, err := servicetitan.Connect(m.input(), opts)
	for _, w := range warnings {
		resp.Diagnostics.AddWarning("Ignored key in ServiceTitan config file", w)
	}
	if err != nil {
		resp.Diagnostics.Append(connectDiagnostics(err)...)
		return
	}
	data.conn = conn
	ctx = data.logContext(ctx)
	tflog.Debug(ctx, "configured ServiceTitan provider", map[string]any{
		"environment": string(conn.Environment()), "auth_root_url": conn.AuthRootURL(), "api_root_url": conn.APIRootURL(),
		"tenant_id": conn.TenantID(), "client_id_source": conn.Source("client_id").String(), "client_secret_source": conn.Source("client_secret").String(),
	})
}

func (m providerModel) unknownAttributes() []string {
	var out []string
	for name, v := range map[string]interface{ IsUnknown() bool }{
		"environment": m.Environment, "app_key": m.AppKey, "tenant_id": m.TenantID, "client_id": m.ClientID,
		"client_secret": m.ClientSecret, "app_id": m.AppID, "timezone": m.Timezone, "config_file": m.ConfigFile,
		"auth_root_url": m.AuthRootURL, "api_root_url": m.APIRootURL, "enterprise_hub": m.EnterpriseHub,
		"request_timeout": m.RequestTimeout, "max_retries": m.MaxRetries, "token_cache_dir": m.TokenCacheDir,
	} {
		if v.IsUnknown() {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func (m providerModel) input() servicetitan.Input {
	in := servicetitan.Input{
		Environment: m.Environment.ValueString(), AppKey: m.AppKey.ValueString(), TenantID: m.TenantID.ValueString(),
		ClientID: m.ClientID.ValueString(), ClientSecret: m.ClientSecret.ValueString(), AppID: m.AppID.ValueString(),
		Timezone: m.Timezone.ValueString(), ConfigFile: m.ConfigFile.ValueString(), AuthRootURL: m.AuthRootURL.ValueString(),
		APIRootURL: m.APIRootURL.ValueString(), RequestTimeout: m.RequestTimeout.ValueString(),
		TokenCacheDir: m.TokenCacheDir.ValueString(),
	}
	if !m.EnterpriseHub.IsNull() {
		in.EnterpriseHub = m.EnterpriseHub.ValueBoolPointer()
	}
	if !m.MaxRetries.IsNull() {
		in.MaxRetries = m.MaxRetries.ValueInt64Pointer()
	}
	return in
}

// connectDiagnostics turns the core's joined errors into one diagnostic
// each, attached to the attribute when the value came from the
// configuration so Terraform can point at the line.
func connectDiagnostics(err error) diag.Diagnostics {
	var diags diag.Diagnostics
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var se *servicetitan.SettingError
		var fe *servicetitan.ConfigFileError
		switch {
		case errors.As(e, &se) && se.Source.Kind == servicetitan.SourceExplicit:
			diags.AddAttributeError(path.Root(se.Source.Setting.Name), "Invalid ServiceTitan "+se.Source.Setting.Name, e.Error())
		case errors.As(e, &se):
			diags.AddError("Invalid ServiceTitan "+se.Source.Setting.Name, e.Error())
		case errors.As(e, &fe) && fe.Source.Kind == servicetitan.SourceExplicit:
			diags.AddAttributeError(path.Root("config_file"), "Unusable ServiceTitan config file", e.Error())
		case errors.As(e, &fe):
			diags.AddError("Unusable ServiceTitan config file", e.Error())
		default:
			diags.AddError("Invalid ServiceTitan provider configuration", e.Error())
		}
	}
	return diags
}

// Resources: this provider manages nothing; it only issues credentials.
func (p *ServiceTitanProvider) Resources(context.Context) []func() resource.Resource { return nil }

// DataSources lists the data sources.
func (p *ServiceTitanProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewEndpointsDataSource, NewAuthTokenDataSource}
}

// EphemeralResources lists the ephemeral resources.
func (p *ServiceTitanProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{NewAuthTokenEphemeralResource}
}

// Functions lists the provider-defined functions.
func (p *ServiceTitanProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{NewAuthRootURLFunction, NewAPIRootURLFunction, NewAPIURLFunction}
}
