package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// NewAPIURLFunction returns provider::servicetitan::api_url.
func NewAPIURLFunction() function.Function { return apiURLFunction{} }

type apiURLFunction struct{}

func (apiURLFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "api_url"
}

func (apiURLFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "URL of a ServiceTitan API endpoint",
		MarkdownDescription: "Builds `{api_root}/{folder}/v2/tenant/{tenant_id}/{endpoint}`, the shape of every ServiceTitan API URL. " +
			"For example `api_url(\"production\", \"jpm\", \"1234\", \"jobs\")` is `https://api.servicetitan.io/jpm/v2/tenant/1234/jobs`. " +
			"Give a token's `api_root_url` as the first argument to build the URL on the root the token was issued for, which follows the provider's `api_root_url`: a function cannot see the provider's settings.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "environment_or_api_root", MarkdownDescription: "`production` or `integration`, or an API root URL such as a token's `api_root_url` (`https`, or `http` on a loopback host)."},
			function.StringParameter{Name: "folder", MarkdownDescription: "API folder (one path segment), such as `jpm` or `crm`; `.` and `..` are refused."},
			function.StringParameter{Name: "tenant_id", MarkdownDescription: "Tenant ID, digits only; a number is accepted too."},
			function.StringParameter{Name: "endpoint", MarkdownDescription: "Endpoint below the tenant, such as `jobs` or `customers/42`, optionally followed by an already URL-encoded query such as `jobs?page=2`. " +
				"Path segments are plain text and are percent-encoded (`jobs list` becomes `jobs%20list`); `.`, `..`, empty segments and `%` are refused."},
		},
		Return: function.StringReturn{},
	}
}

// apiURLArgument maps the core's URL parts to this function's argument positions.
var apiURLArgument = map[string]int64{"folder": 1, "tenant_id": 2, "endpoint": 3}

func (apiURLFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var env, folder, tenantID, endpoint string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &env, &folder, &tenantID, &endpoint))
	if resp.Error != nil {
		return
	}
	root, err := servicetitan.APIRootFor(env)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	url, err := servicetitan.BuildAPIURL(root, folder, tenantID, endpoint)
	if err != nil {
		var partErr *servicetitan.URLPartError
		if errors.As(err, &partErr) {
			resp.Error = function.NewArgumentFuncError(apiURLArgument[partErr.Part], err.Error())
			return
		}
		resp.Error = function.NewFuncError(err.Error())
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, url))
}
