// Command consumer is a provider for the acceptance tests alone: a stand-in
// for a consumer of the ServiceTitan API through a provider block, such as
// Mastercard/restapi, which cannot be installed where the tests run. Its
// provider block takes a uri (the API root) and optional static headers,
// configured once for the whole run as restapi's are; its one resource,
// consumer_call, makes a request to {uri}/{path} on create, read and delete
// and fails on any answer but 2xx.
//
// The stand-in ServiceTitan's API is read-only, so every one of those
// requests is a GET of the resource's path: what matters to the tests is
// that each is made later in the run with what the provider block was
// given at its start.
//
// The tests build it (acctest.ConsumerBinary) and install it beside the
// provider with dev_overrides under acctest.ConsumerSource.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// address matches acctest.ConsumerSource, under the registry of either CLI.
const address = "registry.terraform.io/servicetitan-tf/consumer"

func main() {
	if err := providerserver.Serve(context.Background(), func() provider.Provider { return &consumer{} }, providerserver.ServeOpts{Address: address}); err != nil {
		log.Fatal(err)
	}
}

type consumer struct{}

type client struct {
	uri     string
	headers map[string]string
	http    *http.Client
}

type providerModel struct {
	URI     types.String `tfsdk:"uri"`
	Headers types.Map    `tfsdk:"headers"`
}

func (p *consumer) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "consumer"
}

func (p *consumer) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = pschema.Schema{Attributes: map[string]pschema.Attribute{
		"uri":     pschema.StringAttribute{Required: true},
		"headers": pschema.MapAttribute{Optional: true, Sensitive: true, ElementType: types.StringType},
	}}
}

func (p *consumer) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	if resp.Diagnostics.Append(req.Config.Get(ctx, &m)...); resp.Diagnostics.HasError() {
		return
	}
	c := &client{uri: strings.TrimRight(m.URI.ValueString(), "/"), headers: map[string]string{},
		// As restapi does: redirects are not followed.
		http: &http.Client{Timeout: 2 * time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if !m.Headers.IsNull() && !m.Headers.IsUnknown() {
		resp.Diagnostics.Append(m.Headers.ElementsAs(ctx, &c.headers, false)...)
	}
	resp.ResourceData = c
}

func (p *consumer) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return &call{} }}
}

func (p *consumer) DataSources(context.Context) []func() datasource.DataSource { return nil }

// call is consumer_call: a GET of {uri}/{path} on create, read and delete.
type call struct{ c *client }

type callModel struct {
	Path   types.String `tfsdk:"path"`
	ID     types.String `tfsdk:"id"`
	Status types.Int64  `tfsdk:"status"`
}

func (r *call) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "consumer_call"
}

func (r *call) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = rschema.Schema{Attributes: map[string]rschema.Attribute{
		"path":   rschema.StringAttribute{Required: true, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}},
		"id":     rschema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		"status": rschema.Int64Attribute{Computed: true},
	}}
}

func (r *call) Configure(_ context.Context, req resource.ConfigureRequest, _ *resource.ConfigureResponse) {
	if c, ok := req.ProviderData.(*client); ok {
		r.c = c
	}
}

// get makes the request and returns its status, or an error for any
// answer but 2xx, with the first bytes of the body.
func (r *call) get(ctx context.Context, p string) (int, error) {
	if r.c == nil {
		return 0, fmt.Errorf("the consumer provider is not configured")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.c.uri+"/"+strings.TrimLeft(p, "/"), nil)
	if err != nil {
		return 0, err
	}
	for k, v := range r.c.headers {
		req.Header.Set(k, v)
	}
	resp, err := r.c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, fmt.Errorf("GET %s answered HTTP %d: %s", p, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return resp.StatusCode, nil
}

func (r *call) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m callModel
	if resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...); resp.Diagnostics.HasError() {
		return
	}
	status, err := r.get(ctx, m.Path.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("consumer_call create failed", err.Error())
		return
	}
	m.ID, m.Status = types.StringValue(m.Path.ValueString()), types.Int64Value(int64(status))
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (r *call) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m callModel
	if resp.Diagnostics.Append(req.State.Get(ctx, &m)...); resp.Diagnostics.HasError() {
		return
	}
	status, err := r.get(ctx, m.Path.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("consumer_call read failed", err.Error())
		return
	}
	m.Status = types.Int64Value(int64(status))
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// Update is never called: path forces a new resource, and nothing else is
// configurable.
func (r *call) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (r *call) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m callModel
	if resp.Diagnostics.Append(req.State.Get(ctx, &m)...); resp.Diagnostics.HasError() {
		return
	}
	if _, err := r.get(ctx, m.Path.ValueString()); err != nil {
		resp.Diagnostics.AddError("consumer_call delete failed", err.Error())
	}
}
