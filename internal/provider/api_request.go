package provider

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	eschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/apiclient"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// The servicetitan_api_request schema, written once for the data source and
// the ephemeral resource.

type apiAttributeRole int

const (
	argRequired apiAttributeRole = iota
	argOptional
	computed
)

type apiAttribute struct {
	name        string
	kind        attributeKind
	role        apiAttributeRole
	description string
}

func (a apiAttribute) flags() attributeFlags {
	return attributeFlags{required: a.role == argRequired, optional: a.role == argOptional, computed: a.role == computed, description: a.description}
}

var apiRequestAttributes = []apiAttribute{
	{apiclient.ArgFolder, stringAttribute, argRequired, "API folder, the first path segment after the API root, such as `jpm`, `crm`, `settings` or `reporting`."},
	{apiclient.ArgEndpoint, stringAttribute, argRequired, "Path below the tenant, such as `jobs`, `customers/42` or `export/jobs`. Plain path segments: `.`, `..`, empty segments, a scheme or host and a query are refused (give query parameters in `query`)."},
	{apiclient.ArgVersion, stringAttribute, argOptional, "API version segment. Defaults to `v2`."},
	{apiclient.ArgQuery, stringMapAttribute, argOptional, "Query parameters, such as `{ active = \"true\" }`."},
	{apiclient.ArgAllPages, boolAttribute, argOptional, "Read every page: a list follows `hasMore` through `page`, an export (`export/...`) follows `continueFrom` through `from`. Defaults to `false`, one request."},
	{apiclient.ArgPageSize, int64Attribute, argOptional, "`pageSize`, from 1 to 5000. With `all_pages` it defaults to 5000, so that a long list costs as few requests as it can."},
	{apiclient.ArgMaxPages, int64Attribute, argOptional, "The most requests `all_pages` makes, from 1 to 1000; defaults to 100. A list with more pages is an error; an export stops there with `has_more = true` and a warning, and continues from `continue_from` in a later run."},
	{apiclient.ArgFrom, stringAttribute, argOptional, "Where an export starts: the `continue_from` of an earlier read, so that only what changed since is read."},
	{apiclient.ArgMethod, stringAttribute, argOptional, "`GET` (the default), or `POST` for reporting data (`folder = \"reporting\"`, `endpoint = \"report-category/{category}/reports/{id}/data\"`), which ServiceTitan reads by POST. Nothing else: this never changes anything."},
	{apiclient.ArgBody, stringAttribute, argOptional, "JSON body of a reporting data POST, such as `jsonencode({ parameters = [{ name = \"From\", value = \"2024-01-01\" }] })`."},
	{"tenant", stringAttribute, argOptional, tenantArgumentDescription},
	{"url", stringAttribute, computed, "URL of the first request (query values included)."},
	{"status_code", int64Attribute, computed, "HTTP status of the last response."},
	{"response_body", stringAttribute, computed, "Raw body of a single response; null when `all_pages` is set."},
	{"items_json", stringAttribute, computed, "JSON array of the `data` items of every page read; null when the response is not a list, export or report envelope. Decode with `jsondecode`."},
	{"item_count", int64Attribute, computed, "Number of items in `items_json`."},
	{"page_count", int64Attribute, computed, "Number of requests made."},
	{"has_more", boolAttribute, computed, "Whether the last page said more is to come."},
	{"continue_from", stringAttribute, computed, "The export's `continueFrom`: give it as `from` in a later run to read only what changed since."},
}

func apiRequestDataSourceAttributes() map[string]dschema.Attribute {
	attrs := make(map[string]dschema.Attribute, len(apiRequestAttributes))
	for _, a := range apiRequestAttributes {
		attrs[a.name] = a.kind.dataSource(a.flags())
	}
	return attrs
}

func apiRequestEphemeralAttributes() map[string]eschema.Attribute {
	attrs := make(map[string]eschema.Attribute, len(apiRequestAttributes))
	for _, a := range apiRequestAttributes {
		attrs[a.name] = a.kind.ephemeral(a.flags())
	}
	return attrs
}

// apiRequestModel is the configuration and result of one request.
type apiRequestModel struct {
	Folder       types.String `tfsdk:"folder"`
	Endpoint     types.String `tfsdk:"endpoint"`
	Version      types.String `tfsdk:"version"`
	Query        types.Map    `tfsdk:"query"`
	AllPages     types.Bool   `tfsdk:"all_pages"`
	PageSize     types.Int64  `tfsdk:"page_size"`
	MaxPages     types.Int64  `tfsdk:"max_pages"`
	From         types.String `tfsdk:"from"`
	Method       types.String `tfsdk:"method"`
	RequestBody  types.String `tfsdk:"request_body"`
	Tenant       types.String `tfsdk:"tenant"`
	URL          types.String `tfsdk:"url"`
	StatusCode   types.Int64  `tfsdk:"status_code"`
	ResponseBody types.String `tfsdk:"response_body"`
	ItemsJSON    types.String `tfsdk:"items_json"`
	ItemCount    types.Int64  `tfsdk:"item_count"`
	PageCount    types.Int64  `tfsdk:"page_count"`
	HasMore      types.Bool   `tfsdk:"has_more"`
	ContinueFrom types.String `tfsdk:"continue_from"`
}

// request is the core's request, or ok=false while an argument is unknown.
func (m *apiRequestModel) request() (apiclient.APIRequest, bool) {
	for _, v := range []attr.Value{m.Folder, m.Endpoint, m.Version, m.Query, m.AllPages, m.PageSize, m.MaxPages, m.From, m.Method, m.RequestBody} {
		if v.IsUnknown() {
			return apiclient.APIRequest{}, false
		}
	}
	req := apiclient.APIRequest{
		Folder: m.Folder.ValueString(), Endpoint: m.Endpoint.ValueString(), Version: m.Version.ValueString(),
		AllPages: m.AllPages.ValueBool(), PageSize: int(m.PageSize.ValueInt64()), MaxPages: int(m.MaxPages.ValueInt64()),
		From: m.From.ValueString(), Method: strings.ToUpper(m.Method.ValueString()), Body: m.RequestBody.ValueString(),
	}
	if !m.Query.IsNull() {
		req.Query = map[string]string{}
		for k, v := range m.Query.Elements() {
			s, ok := v.(types.String)
			if !ok || s.IsUnknown() {
				return apiclient.APIRequest{}, false
			}
			req.Query[k] = s.ValueString()
		}
	}
	// An explicit 0 is no page size and no bound: the core's zero means its default.
	if !m.PageSize.IsNull() && req.PageSize == 0 {
		req.PageSize = -1
	}
	if !m.MaxPages.IsNull() && req.MaxPages == 0 {
		req.MaxPages = -1
	}
	return req, true
}

// validateAPIRequest refuses bad arguments at validate time, each error on
// its attribute.
func validateAPIRequest(m *apiRequestModel) diag.Diagnostics {
	req, known := m.request()
	if !known {
		return nil
	}
	diags := apiRequestDiagnostics(req.Validate())
	if diags.HasError() {
		return diags
	}
	// Warnings, never errors: ServiceTitan adds operations and parameters
	// that the catalogue of this release does not know yet.
	for _, w := range req.Warnings() {
		at := path.Root(w.Arg)
		if w.Key != "" {
			at = at.AtMapKey(w.Key)
		}
		diags.AddAttributeWarning(at, w.Summary, w.Detail)
	}
	return diags
}

func apiRequestDiagnostics(err error) diag.Diagnostics {
	var diags diag.Diagnostics
	if err == nil {
		return diags
	}
	for _, e := range joinedErrors(err) {
		var ae *apiclient.APIRequestError
		var pe *servicetitan.URLPartError
		switch {
		case errors.As(e, &ae):
			diags.AddAttributeError(path.Root(ae.Arg), "Invalid "+ae.Arg, fmt.Sprintf("The %s is not allowed: %s.", ae.Arg, ae.Allowed))
		case errors.As(e, &pe):
			diags.AddAttributeError(path.Root(pe.Part), "Invalid "+pe.Part, e.Error()+".")
		default:
			diags.AddError("Invalid ServiceTitan API request", e.Error())
		}
	}
	return diags
}

// largeRead is the size of a response past which its garbage is collected
// before the result is encoded.
const largeRead = 1 << 20

// readAPIRequest makes the request with the provider configuration's token
// and fills the computed attributes.
func readAPIRequest(ctx context.Context, d *providerData, m *apiRequestModel, what string) diag.Diagnostics {
	var diags diag.Diagnostics
	req, known := m.request()
	if !known {
		diags.AddError("ServiceTitan API request is not known yet", what+" has arguments that are known only after apply; it can be read once they are.")
		return diags
	}
	api, cd := d.apiClientFor(m.Tenant, what)
	if diags.Append(cd...); diags.HasError() {
		return diags
	}
	ctx, stop := d.untilInterrupted(ctx)
	defer stop()
	ctx = d.logContext(ctx)
	resp, err := api.Call(ctx, req)
	var argErr *apiclient.APIRequestError
	var partErr *servicetitan.URLPartError
	switch {
	case errors.As(err, &argErr) || errors.As(err, &partErr):
		// Call checks the arguments first, as validate did when they
		// were all known; each error goes on its attribute.
		return append(diags, apiRequestDiagnostics(err)...)
	case err != nil:
		diags.AddError("ServiceTitan API request failed", err.Error())
		return diags
	}
	for _, w := range resp.Warnings {
		diags.AddWarning(w.Summary, w.Detail)
	}
	if len(resp.ItemsJSON)+len(resp.Body) > largeRead {
		// The pages of a large read are garbage now, and the framework is
		// about to encode the result twice more (state, then the gRPC
		// message): collecting them first keeps the process's peak near
		// what it holds rather than that plus the collector's headroom.
		debug.FreeOSMemory()
	}
	m.URL = types.StringValue(resp.URL)
	m.StatusCode = types.Int64Value(int64(resp.StatusCode))
	m.ResponseBody = types.StringNull()
	if resp.Body != nil {
		m.ResponseBody = types.StringValue(string(resp.Body))
	}
	m.ItemsJSON = stringOrNull(resp.ItemsJSON)
	m.ItemCount = types.Int64Value(int64(resp.ItemCount))
	m.PageCount = types.Int64Value(int64(resp.PageCount))
	m.HasMore = types.BoolValue(resp.HasMore)
	m.ContinueFrom = stringOrNull(resp.ContinueFrom)
	return diags
}
