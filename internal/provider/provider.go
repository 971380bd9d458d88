// Package provider adapts the ServiceTitan auth core to Terraform. It maps
// schemas onto internal/servicetitan and holds no ServiceTitan knowledge of
// its own.
package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
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

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/apiclient"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/tokencache"
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
	tokens *servicetitan.SharedTokens
	// interrupted is done, with the cause servicetitan.ErrInterrupted, when
	// the user presses Ctrl-C.
	interrupted context.Context
	// issued are the tokens handed out so far, masked in every log line.
	issued *issuedTokens
}

// New returns a constructor for the provider, as providerserver expects.
// interrupted is a context the program cancels, with the cause
// servicetitan.ErrInterrupted, when the user presses Ctrl-C: every token
// wait then stops at once, in every Terraform command.
func New(version string, interrupted context.Context) func() provider.Provider {
	return func() provider.Provider {
		return &ServiceTitanProvider{version: version, tokens: servicetitan.NewSharedTokens(), interrupted: interrupted, issued: &issuedTokens{}}
	}
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
		switch s.Kind {
		case servicetitan.KindBool:
			attrs[s.Name] = schema.BoolAttribute{Optional: true, MarkdownDescription: desc}
		case servicetitan.KindInt:
			attrs[s.Name] = schema.Int64Attribute{Optional: true, MarkdownDescription: desc, Validators: []validator.Int64{settingValidator{s}}}
		default:
			attrs[s.Name] = schema.StringAttribute{Optional: true, Sensitive: s.Secret, MarkdownDescription: desc,
				Validators: []validator.String{settingValidator{s}}}
		}
	}
	attrs[tenantsAttribute] = tenantsSchema()
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
	resp.Diagnostics.Append(v.validate(req.Path, req.ConfigValue.ValueString())...)
}

func (v settingValidator) ValidateInt64(_ context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	resp.Diagnostics.Append(v.validate(req.Path, strconv.FormatInt(req.ConfigValue.ValueInt64(), 10))...)
}

func (v settingValidator) validate(p path.Path, value string) diag.Diagnostics {
	var diags diag.Diagnostics
	if err := servicetitan.ValidateSetting(v.setting.Name, value); err != nil {
		// A URL's user info or query may carry credentials: the value is
		// shown as the core would show it, never verbatim.
		shown := ""
		if !v.setting.Secret {
			shown = fmt.Sprintf(" %q", servicetitan.DisplayValue(v.setting, value))
		}
		attribute := fmt.Sprintf("%q", v.setting.Name)
		if name := p.String(); name != v.setting.Name {
			attribute = name // an entry's, such as tenants["north"].tenant_id
		}
		diags.AddAttributeError(p, "Invalid "+v.setting.Name,
			fmt.Sprintf("The value%s of attribute %s is not allowed: %s.", shown, attribute, err))
	}
	return diags
}

var (
	_ validator.String = settingValidator{}
	_ validator.Int64  = settingValidator{}
)

// endpointSettings decide the environment and the root URLs, all that
// servicetitan_endpoints needs.
var endpointSettings = []string{
	servicetitan.SettingEnvironment.Name, servicetitan.SettingConfigFile.Name,
	servicetitan.SettingAuthRootURL.Name, servicetitan.SettingAPIRootURL.Name,
}

// Configure resolves the settings and builds the connection whose token
// cache every data source and ephemeral resource of this provider
// configuration (and alias) shares.
func (p *ServiceTitanProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config types.Object
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in, unknown, diags := settingsInput(config.Attributes(), servicetitan.Settings())
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	data := &providerData{unknown: unknown, interrupted: p.interrupted, issued: p.issued}
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
	ctx = data.logContext(ctx)
	opts := p.options
	if len(unknown) > 0 {
		// Values from resources not yet created are unknown during plan.
		// A token needs them all; the endpoints need only the settings
		// that decide the environment and root URLs. When those are known
		// the connection is built from the rest, for the endpoints alone,
		// and shares no token cache: an unknown credential falls back to
		// the file or environment there, which no token may ever use.
		tflog.Debug(ctx, "provider configuration has unknown values", map[string]any{"unknown_attributes": strings.Join(unknown, ",")})
		if slices.ContainsFunc(unknown, func(name string) bool { return slices.Contains(endpointSettings, name) }) {
			return
		}
	} else {
		opts.SharedTokens = p.tokens
	}

	// The token_cache_dir store is a package of its own, which the core
	// does not import: the provider, which builds the Options, wires it in.
	opts.TokenStore = tokencache.New
	opts.UserAgent = fmt.Sprintf("terraform-provider-servicetitan/%s (+https://registry.terraform.io/providers/servicetitan-tf/servicetitan) Terraform/%s", p.version, req.TerraformVersion)
	observe := p.options.Log
	opts.Log = func(ctx context.Context, msg string, fields map[string]any) {
		tflog.Debug(ctx, msg, fields)
		if observe != nil {
			observe(ctx, msg, fields)
		}
	}
	opts.Warn = func(ctx context.Context, msg string, fields map[string]any) {
		tflog.Warn(ctx, msg, fields)
		if observe != nil {
			observe(ctx, msg, fields)
		}
	}
	conn, warnings, err := servicetitan.Resolve(in, opts)
	for _, w := range warnings {
		resp.Diagnostics.AddWarning(w.Summary, w.Detail)
	}
	if err != nil {
		resp.Diagnostics.Append(connectDiagnostics(err, unknown)...)
		return
	}
	data.conn, data.api = conn, apiclient.New(conn)
	data.resolveTenants(ctx, config.Attributes()[tenantsAttribute], &resp.Diagnostics)
	ctx = data.logContext(ctx)
	tflog.Debug(ctx, "configured ServiceTitan provider", map[string]any{
		"environment": string(conn.Environment()), "auth_root_url": conn.AuthRootURL(), "api_root_url": conn.APIRootURL(),
		"token_url": conn.TokenURL(), "tenant_id": conn.TenantID(),
		"client_id_source": conn.Source("client_id").String(), "client_secret_source": conn.Source("client_secret").String(),
	})
}

// settingsInput reads every setting's attribute by its name in the
// settings table, and lists those whose values are not known yet.
func settingsInput(attrs map[string]attr.Value, settings []servicetitan.Setting) (servicetitan.Input, []string, diag.Diagnostics) {
	in := servicetitan.Input{}
	var unknown []string
	var diags diag.Diagnostics
	for _, s := range settings {
		v := attrs[s.Name]
		switch {
		case v == nil || v.IsNull():
			continue
		case v.IsUnknown():
			unknown = append(unknown, s.Name)
			continue
		}
		// The schema gave each attribute the type of its setting's kind.
		switch v := v.(type) {
		case types.String:
			in[s.Name] = v.ValueString()
		case types.Bool:
			in[s.Name] = strconv.FormatBool(v.ValueBool())
		case types.Int64:
			in[s.Name] = strconv.FormatInt(v.ValueInt64(), 10)
		default:
			diags.AddAttributeError(path.Root(s.Name), "Unexpected attribute type",
				fmt.Sprintf("The attribute %q arrived as %T, which does not match its setting; this is a bug in the provider.", s.Name, v))
		}
	}
	return in, unknown, diags
}

// joinedErrors are the errors errors.Join put together in err, each to be
// its own diagnostic, or err alone.
func joinedErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// connectDiagnostics turns the core's joined errors into one diagnostic
// each, attached to the attribute when the value came from the
// configuration so Terraform can point at the line.
//
// A setting whose attribute is not known yet has fallen back to the file or
// the environment; an error about that value says nothing of the value the
// configuration will have, so it is left out.
func connectDiagnostics(err error, unknown []string) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, e := range joinedErrors(err) {
		var se *servicetitan.SettingError
		var fe *servicetitan.ConfigFileError
		switch {
		case errors.As(e, &se) && slices.Contains(unknown, se.Source.Setting.Name):
			// Left out, as said above.
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

// Resources: this provider manages nothing; it issues credentials and reads.
func (p *ServiceTitanProvider) Resources(context.Context) []func() resource.Resource { return nil }

// DataSources lists the data sources.
func (p *ServiceTitanProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewEndpointsDataSource, NewAuthTokenDataSource, NewAPIRequestDataSource}
}

// EphemeralResources lists the ephemeral resources.
func (p *ServiceTitanProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{NewAuthTokenEphemeralResource, NewAPIRequestEphemeralResource, NewAPIProxyEphemeralResource}
}

// Functions lists the provider-defined functions.
func (p *ServiceTitanProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{NewAuthRootURLFunction, NewAPIRootURLFunction, NewAPIURLFunction}
}
