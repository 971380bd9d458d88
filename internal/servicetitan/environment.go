// Package servicetitan authenticates to the ServiceTitan API.
//
// It is a Go port of the Python servicepytan.auth module: environments and
// their root URLs, resolving a connection from explicit values, a
// servicepytan config file and SERVICETITAN_* environment variables,
// requesting client-credentials tokens, caching them, and building the
// headers every API call needs. It knows nothing of Terraform, so that every
// ServiceTitan fact lives here and the provider stays a thin adapter.
package servicetitan

import (
	"fmt"
	"net/url"
	"strings"
)

// Environment is a ServiceTitan API environment (servicepytan's ApiEnvironment).
type Environment string

const (
	// Production is the environment for live data.
	Production Environment = "production"
	// Integration is ServiceTitan's sandbox for building and testing apps.
	Integration Environment = "integration"
)

// DefaultEnvironment is used when no source names an environment.
const DefaultEnvironment = Production

type roots struct{ auth, api string }

var environmentRoots = map[Environment]roots{
	Production:  {auth: "https://auth.servicetitan.io", api: "https://api.servicetitan.io"},
	Integration: {auth: "https://auth-integration.servicetitan.io", api: "https://api-integration.servicetitan.io"},
}

// Environments lists the valid environments in a stable order.
func Environments() []Environment { return []Environment{Production, Integration} }

// EnvironmentNames lists the valid environment names, for messages and validators.
func EnvironmentNames() []string {
	envs := Environments()
	names := make([]string, len(envs))
	for i, e := range envs {
		names[i] = string(e)
	}
	return names
}

// ParseEnvironment accepts exactly "production" or "integration". Case is not
// folded: servicepytan compares exact strings, and a configuration that only
// works by accident in one tool should not silently work in the other.
func ParseEnvironment(name string) (Environment, error) {
	if _, ok := environmentRoots[Environment(name)]; ok {
		return Environment(name), nil
	}
	return "", &UnknownEnvironmentError{Name: name}
}

// UnknownEnvironmentError reports an environment name that ServiceTitan does not have.
type UnknownEnvironmentError struct{ Name string }

func (e *UnknownEnvironmentError) Error() string {
	return fmt.Sprintf("unknown ServiceTitan environment %q: valid environments are %s", e.Name, quotedList(EnvironmentNames()))
}

// AuthRootURL returns the authentication root URL of an environment (get_auth_root_url).
func AuthRootURL(env string) (string, error) {
	e, err := ParseEnvironment(env)
	if err != nil {
		return "", err
	}
	return environmentRoots[e].auth, nil
}

// APIRootURL returns the API root URL of an environment (get_api_root_url).
func APIRootURL(env string) (string, error) {
	e, err := ParseEnvironment(env)
	if err != nil {
		return "", err
	}
	return environmentRoots[e].api, nil
}

// TokenURL is where client-credentials tokens are requested below an auth root.
func TokenURL(authRootURL string) string {
	return strings.TrimRight(authRootURL, "/") + "/connect/token"
}

// BuildAPIURL joins an API root with ServiceTitan's URL shape
// {api_root}/{folder}/v2/tenant/{tenant_id}/{endpoint}.
//
// The folder is one path segment such as "jpm". The endpoint is one or more
// segments ("customers/42"), optionally followed by a query ("jobs?page=2").
// Segments are plain text: ".", ".." and empty segments are refused, since
// they would lead the URL out of the tenant's path, "%" is refused so that an
// already encoded segment is not encoded twice, and every other character a
// path does not allow (a space, "#", "?") is percent-encoded. The query is
// kept as given and must already be URL-encoded. Leading slashes are ignored.
func BuildAPIURL(apiRootURL, folder, tenantID, endpoint string) (string, error) {
	folder = strings.Trim(folder, "/")
	if folder == "" || folder == "." || folder == ".." || url.PathEscape(folder) != folder {
		return "", &URLPartError{Part: "folder", Value: folder, Allowed: "a folder is one URL path segment such as \"jpm\" or \"crm\""}
	}
	if err := validateTenantID(tenantID); err != nil {
		return "", &URLPartError{Part: "tenant_id", Value: tenantID, Allowed: err.Error()}
	}
	path, query, hasQuery := strings.Cut(strings.TrimLeft(endpoint, "/"), "?")
	if path == "" {
		return "", &URLPartError{Part: "endpoint", Value: endpoint, Allowed: "name the API endpoint, such as \"jobs\" or \"customers/42\""}
	}
	segments := strings.Split(path, "/")
	for i, seg := range segments {
		var problem string
		switch {
		case seg == "":
			problem = "it has an empty path segment (two slashes in a row, or a trailing slash)"
		case seg == "." || seg == "..":
			problem = fmt.Sprintf("a path segment may not be %q", seg)
		case strings.Contains(seg, "%"):
			problem = "a path segment may not contain \"%\": give it as plain text, it is percent-encoded here"
		}
		if problem != "" {
			return "", &URLPartError{Part: "endpoint", Value: endpoint, Allowed: problem + "; an endpoint is path segments below the tenant, such as \"jobs\" or \"customers/42\""}
		}
		segments[i] = url.PathEscape(seg)
	}
	built := fmt.Sprintf("%s/%s/v2/tenant/%s/%s", strings.TrimRight(apiRootURL, "/"), folder, tenantID, strings.Join(segments, "/"))
	if hasQuery {
		if _, err := url.ParseQuery(query); err != nil || strings.ContainsFunc(query, func(r rune) bool { return r <= ' ' || r == '#' || r == 0x7f }) {
			return "", &URLPartError{Part: "endpoint", Value: endpoint, Allowed: "the query after \"?\" must be URL-encoded, such as \"page=2&pageSize=50\""}
		}
		built += "?" + query
	}
	return built, nil
}

// URLPartError is a bad part of an API URL.
type URLPartError struct {
	// Part is "folder", "tenant_id" or "endpoint".
	Part, Value, Allowed string
}

func (e *URLPartError) Error() string {
	// An endpoint's query may carry a signature or a key: only its keys are shown.
	shown := e.Value
	if path, query, ok := strings.Cut(shown, "?"); ok {
		shown = path + "?" + redactQuery(query)
	}
	return fmt.Sprintf("invalid %s %q: %s", e.Part, shown, e.Allowed)
}

// APIURL builds an API URL for an environment, as ServiceTitan documents it:
// APIURL("production", "jpm", "1234", "jobs") is
// https://api.servicetitan.io/jpm/v2/tenant/1234/jobs.
func APIURL(env, folder, tenantID, endpoint string) (string, error) {
	root, err := APIRootURL(env)
	if err != nil {
		return "", err
	}
	return BuildAPIURL(root, folder, tenantID, endpoint)
}

func quotedList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	switch len(q) {
	case 0:
		return ""
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}
