package servicetitan

import (
	"fmt"
	"net/url"
	"strings"
)

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
	return BuildAPIURLVersion(apiRootURL, folder, DefaultAPIVersion, tenantID, endpoint)
}

// DefaultAPIVersion is the version segment of ServiceTitan's API URLs.
const DefaultAPIVersion = "v2"

// MaxEndpointLength bounds an endpoint: ServiceTitan's longest path below
// the tenant is a few dozen characters, and a longer one only makes long
// errors.
const MaxEndpointLength = 512

// traversalLookAlike says why s holds something that some servers read as
// a step out of the path: a backslash, which IIS and some gateways take
// for "/", or a character that Unicode normalisation turns into a dot.
func traversalLookAlike(s string) string {
	if strings.Contains(s, "\\") {
		return "a backslash, which some servers read as \"/\""
	}
	for _, r := range s {
		switch r {
		case '\uFF0E', '\u2024', '\u2025', '\u2026', '\uFE52', '\u3002', '\uFF61', '\u0701', '\u0702':
			return fmt.Sprintf("%q, which some servers read as a dot", r)
		}
	}
	return ""
}

// BuildAPIURLVersion is BuildAPIURL with the version segment given.
func BuildAPIURLVersion(apiRootURL, folder, version, tenantID, endpoint string) (string, error) {
	for _, part := range []struct{ name, value string }{{"folder", folder}, {"version", version}, {"endpoint", endpoint}} {
		if why := traversalLookAlike(part.value); why != "" {
			return "", &URLPartError{Part: part.name, Value: part.value, Allowed: "it holds " + why + "; give plain path segments"}
		}
	}
	if len(endpoint) > MaxEndpointLength {
		return "", &URLPartError{Part: "endpoint", Value: endpoint, Allowed: fmt.Sprintf("it is %d characters long, more than the %d an endpoint may be", len(endpoint), MaxEndpointLength)}
	}
	if version == "" || version == "." || version == ".." || url.PathEscape(version) != version || strings.Contains(version, "/") {
		return "", &URLPartError{Part: "version", Value: version, Allowed: "a version is one URL path segment such as \"v2\""}
	}
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
	built := fmt.Sprintf("%s/%s/%s/tenant/%s/%s", strings.TrimRight(apiRootURL, "/"), folder, version, tenantID, strings.Join(segments, "/"))
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
	if r := []rune(shown); len(r) > 80 {
		shown = string(r[:80]) + "…"
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
