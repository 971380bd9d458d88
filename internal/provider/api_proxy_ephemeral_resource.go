package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/apiclient"
)

var (
	_ ephemeral.EphemeralResourceWithConfigure = (*apiProxyEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithClose     = (*apiProxyEphemeralResource)(nil)
)

// NewAPIProxyEphemeralResource returns the servicetitan_api_proxy ephemeral resource.
func NewAPIProxyEphemeralResource() ephemeral.EphemeralResource {
	return &apiProxyEphemeralResource{}
}

type apiProxyEphemeralResource struct{ data *providerData }

type apiProxyModel struct {
	Tenant   types.String `tfsdk:"tenant"`
	URL      types.String `tfsdk:"url"`
	TenantID types.String `tfsdk:"tenant_id"`
}

func (e *apiProxyEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_proxy"
}

func (e *apiProxyEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Opens a loopback endpoint that stands for the ServiceTitan API root and puts a fresh token and the app key " +
			"on every request sent through it, for as long as the run lasts: give its `url` to a provider block (such as restapi's `uri`), " +
			"a provisioner or a script instead of a token that dies after 15 minutes. It shares the token, the token cache and the " +
			"per-tenant pace of its provider configuration, and is closed when Terraform closes the resource.",
		Attributes: map[string]schema.Attribute{
			"tenant": schema.StringAttribute{Optional: true, MarkdownDescription: tenantArgumentDescription},
			"url": schema.StringAttribute{Computed: true,
				MarkdownDescription: "The API root to use instead of ServiceTitan's: `http://127.0.0.1:PORT/<unguessable>`. " +
					"A request to `{url}/jpm/v2/tenant/{tenant_id}/jobs` is sent to `{api_root}/jpm/v2/tenant/{tenant_id}/jobs`."},
			"tenant_id": schema.StringAttribute{Computed: true, MarkdownDescription: "The tenant whose paths the proxy forwards, for building paths."},
		},
	}
}

func (e *apiProxyEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, _ *ephemeral.ConfigureResponse) {
	if pd, ok := req.ProviderData.(*providerData); ok {
		e.data = pd
	}
}

// proxyKey names, in the resource's private data, the proxy Close closes.
const proxyKey = "proxy"

// Open starts the proxy, in plan and in apply alike: a consumer's provider
// block is configured in both.
func (e *apiProxyEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m apiProxyModel
	if resp.Diagnostics.Append(req.Config.Get(ctx, &m)...); resp.Diagnostics.HasError() {
		return
	}
	const what = "ephemeral.servicetitan_api_proxy"
	conn, diags := e.data.connectionFor(m.Tenant, what)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	ctx = e.data.logContext(ctx)
	p, err := apiclient.NewProxy(ctx, conn, e.data.interrupted)
	if err != nil {
		resp.Diagnostics.AddError("Cannot open the ServiceTitan API proxy", err.Error())
		return
	}
	id := e.data.proxies.add(p)
	key, _ := json.Marshal(id)
	if resp.Diagnostics.Append(resp.Private.SetKey(ctx, proxyKey, key)...); resp.Diagnostics.HasError() {
		_ = e.data.proxies.close(id)
		return
	}
	tflog.Debug(ctx, "ServiceTitan API proxy open", map[string]any{"tenant_id": conn.TenantID()})
	m.URL, m.TenantID = types.StringValue(p.URL), types.StringValue(conn.TenantID())
	resp.Diagnostics.Append(resp.Result.Set(ctx, m)...)
}

// Close stops the proxy: its url answers nothing from then on.
func (e *apiProxyEphemeralResource) Close(ctx context.Context, req ephemeral.CloseRequest, resp *ephemeral.CloseResponse) {
	key, diags := req.Private.GetKey(ctx, proxyKey)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() || key == nil {
		return
	}
	var id string
	if err := json.Unmarshal(key, &id); err != nil {
		resp.Diagnostics.AddError("Cannot close the ServiceTitan API proxy", "Its private data is unreadable; this is a bug in the provider: "+err.Error())
		return
	}
	if err := e.data.proxies.close(id); err != nil {
		resp.Diagnostics.AddWarning("ServiceTitan API proxy did not close cleanly", err.Error())
	}
	tflog.Debug(e.data.logContext(ctx), "ServiceTitan API proxy closed")
}

// openProxies are the proxies a provider process has open, by an id that
// Terraform hands back at Close. The process's end closes any left.
type openProxies struct {
	mu sync.Mutex
	m  map[string]*apiclient.Proxy
}

func (o *openProxies) add(p *apiclient.Proxy) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.m == nil {
		o.m = map[string]*apiclient.Proxy{}
	}
	o.m[id] = p
	return id
}

func (o *openProxies) close(id string) error {
	o.mu.Lock()
	p := o.m[id]
	delete(o.m, id)
	o.mu.Unlock()
	if p == nil {
		return nil
	}
	return p.Close()
}
