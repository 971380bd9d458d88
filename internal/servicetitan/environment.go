// Package servicetitan authenticates to the ServiceTitan API.
//
// It is a Go port of the Python servicepytan.auth module: environments and
// their root URLs, resolving a configuration from explicit values, a
// servicepytan config file and SERVICETITAN_* environment variables,
// requesting client-credentials tokens, caching them, and building the
// headers every API call needs. It knows nothing of Terraform, so that every
// ServiceTitan fact lives here and the provider stays a thin adapter.
package servicetitan

import (
	"fmt"
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

// APIRootFor is the API root an environment name or a root URL stands
// for: "production" and "integration" give their roots, and an absolute
// URL (such as a token's api_root_url, which follows api_root_url
// overrides) is checked like the api_root_url setting and used as it is.
func APIRootFor(environmentOrRoot string) (string, error) {
	if !strings.Contains(environmentOrRoot, "://") {
		return APIRootURL(environmentOrRoot)
	}
	root, err := validateRootURL(environmentOrRoot, apiRootCarries)
	if err != nil {
		return "", fmt.Errorf("invalid API root URL %q: %s", RedactURL(environmentOrRoot), err)
	}
	return root, nil
}

// TokenURL is where client-credentials tokens are requested below an auth root.
func TokenURL(authRootURL string) string {
	return strings.TrimRight(authRootURL, "/") + "/connect/token"
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
