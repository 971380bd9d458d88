package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/apiclient"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// Many tenants from one provider configuration: the tenants map, and the
// tenant argument that picks an entry of it.

const tenantsAttribute = "tenants"

// tenantArgumentDescription is the tenant argument's, the same on every
// data source and ephemeral resource that takes it.
const tenantArgumentDescription = "Key of an entry of the provider's `tenants` map whose settings to use; unset means the provider's own settings."

func tenantsSchema() schema.Attribute {
	attrs := map[string]schema.Attribute{}
	for _, s := range servicetitan.TenantSettings {
		desc := s.Description + " Unset, the entry's `config_file`, then the provider's own setting, decide."
		if s.Name == servicetitan.SettingConfigFile.Name {
			desc = "A servicepytan-format config file for this installation, read after the entry's own values and before the provider's settings."
		}
		if s.Kind == servicetitan.KindBool {
			attrs[s.Name] = schema.BoolAttribute{Optional: true, MarkdownDescription: desc}
			continue
		}
		attrs[s.Name] = schema.StringAttribute{Optional: true, Sensitive: s.Secret, MarkdownDescription: desc,
			Validators: []validator.String{settingValidator{s}}}
	}
	return schema.MapNestedAttribute{
		Optional: true,
		MarkdownDescription: "Many tenants from one provider configuration, so that `for_each` can serve them: a map from a key of your choosing to one " +
			"installation's settings. A data source or ephemeral resource picks an entry with its `tenant` argument. Each setting of an entry comes from " +
			"the entry, then its `config_file`, then the provider's own settings, which is how an Enterprise Hub app's entries share one credential pair; " +
			"an entry of a standard app sets its own `client_id` and `client_secret`. Each entry has a token of its own.",
		NestedObject: schema.NestedAttributeObject{Attributes: attrs},
	}
}

// tenantEntry is one entry of tenants, resolved.
type tenantEntry struct {
	conn *servicetitan.Config
	// api reads the API for the entry's tenant, with the entry's token.
	api *apiclient.Client
	// err says why the entry cannot serve reads; only its reads fail.
	err error
	// unknown lists the entry's attributes that are not known yet.
	unknown []string
	// secrets are the entry's secret values, masked in logs even when the
	// entry cannot be resolved.
	secrets []string
}

// resolveTenants resolves every entry of the tenants attribute against the
// provider's own settings. A bad entry is kept with its error, so that it
// fails its own reads and no other.
func (d *providerData) resolveTenants(ctx context.Context, v attr.Value, diags *diag.Diagnostics) {
	if v == nil || v.IsNull() {
		return
	}
	if v.IsUnknown() {
		d.tenantsUnknown = true
		return
	}
	m, ok := v.(types.Map)
	if !ok {
		diags.AddError("Unexpected tenants type", fmt.Sprintf("The tenants attribute arrived as %T; this is a bug in the provider.", v))
		return
	}
	d.tenants = map[string]*tenantEntry{}
	for key, ev := range m.Elements() {
		obj, ok := ev.(types.Object)
		entry := &tenantEntry{}
		d.tenants[key] = entry
		if !ok || ev.IsUnknown() {
			entry.unknown = []string{"settings"}
			continue
		}
		in, unknown, ed := settingsInput(obj.Attributes(), servicetitan.TenantSettings)
		if ed.HasError() {
			diags.Append(ed...)
			continue
		}
		for _, st := range servicetitan.TenantSettings {
			if st.Secret && in[st.Name] != "" {
				entry.secrets = append(entry.secrets, in[st.Name])
			}
		}
		if len(unknown) > 0 {
			entry.unknown = unknown
			continue
		}
		conn, warnings, err := d.conn.Tenant(key, in)
		for _, w := range warnings {
			diags.AddWarning(w.Summary, w.Detail)
		}
		entry.conn, entry.err = conn, err
		if err == nil {
			entry.api = apiclient.New(conn)
		}
		if err != nil {
			tflog.Debug(ctx, "tenants entry cannot be used", map[string]any{"tenant": key})
		}
	}
}

// tenantKeys lists the entries, for messages.
func (d *providerData) tenantKeys() string {
	keys := make([]string, 0, len(d.tenants))
	for k := range d.tenants {
		keys = append(keys, fmt.Sprintf("%q", k))
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return "the provider has no tenants map"
	}
	return "the keys of tenants are " + strings.Join(keys, ", ")
}

// apiClientFor is the API client of the entry tenant names, or the
// provider's own when tenant is null.
func (d *providerData) apiClientFor(tenant types.String, what string) (*apiclient.Client, diag.Diagnostics) {
	conn, diags := d.connectionFor(tenant, what)
	if diags.HasError() || conn == nil {
		return nil, diags
	}
	if tenant.IsNull() {
		return d.api, diags
	}
	return d.tenants[tenant.ValueString()].api, diags
}

// connectionFor is connection for the entry tenant names, or the
// provider's own when tenant is null.
func (d *providerData) connectionFor(tenant types.String, what string) (*servicetitan.Config, diag.Diagnostics) {
	if tenant.IsNull() {
		return d.connection(what)
	}
	conn, diags := d.connection(what)
	if diags.HasError() || conn == nil {
		return nil, diags
	}
	key := tenant.ValueString()
	switch {
	case tenant.IsUnknown():
		diags.AddError("ServiceTitan tenant is not known yet", what+" names its tenant with a value that is known only after apply.")
		return nil, diags
	case d.tenantsUnknown:
		diags.AddError("ServiceTitan tenants are not known yet",
			fmt.Sprintf("%s needs tenants[%q], but the provider's tenants map depends on values that are known only after apply. Set it from values known at plan time (variables, locals), or apply what it depends on first.", what, key))
		return nil, diags
	}
	entry, ok := d.tenants[key]
	switch {
	case !ok:
		diags.AddError("Unknown ServiceTitan tenant", fmt.Sprintf("%s names tenant %q, which is not a key of the provider's tenants map: %s.", what, key, d.tenantKeys()))
	case len(entry.unknown) > 0:
		diags.AddError("ServiceTitan tenant is not known yet",
			fmt.Sprintf("%s needs %s, whose %s depend on values that are known only after apply. Set them from values known at plan time (variables, locals), or apply what they depend on first.",
				what, servicetitan.EntryName(key), strings.Join(entry.unknown, ", ")))
	case entry.err != nil:
		diags.AddError("Invalid ServiceTitan tenant "+servicetitan.EntryName(key), entry.err.Error())
	default:
		return entry.conn, diags
	}
	return nil, diags
}
