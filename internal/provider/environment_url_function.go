package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"
)

// environmentURLFunction is the shape shared by auth_root_url and
// api_root_url: one environment in, one URL out.
type environmentURLFunction struct {
	name, summary, description string
	lookup                     func(env string) (string, error)
}

func (f environmentURLFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = f.name
}

func (f environmentURLFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary:             f.summary,
		MarkdownDescription: f.description,
		Parameters: []function.Parameter{
			function.StringParameter{Name: "environment", MarkdownDescription: "`production` or `integration`."},
		},
		Return: function.StringReturn{},
	}
}

func (f environmentURLFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var env string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &env))
	if resp.Error != nil {
		return
	}
	url, err := f.lookup(env)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, url))
}
