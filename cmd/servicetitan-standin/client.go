package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

// clientSyntax is part of the usage, which the flag package also prints
// after a bad -client.
const clientSyntax = `ID:SECRET:TENANT[:APPKEY][:hub=T1,T2,...]
    ID, SECRET  the client id and secret the token endpoint accepts (neither
                may contain a colon)
    TENANT      the tenant the app is installed on; its tokens are valid for
                this tenant's API paths only
    APPKEY      the ST-App-Key its tokens must come with (default: -app-key)
    hub=T1,...  make it an Enterprise Hub app: token requests must name a
                tenant, TENANT or one of T1, T2, ..., and get a token for it
  Each set gets the -scopes.`

// clientList collects repeated -client flags in order. They are parsed
// after the flag package is done, because it quotes a value it was given
// with its error, and a -client value holds a secret.
type clientList []string

func (l *clientList) String() string { return "" }

func (l *clientList) Set(spec string) error {
	*l = append(*l, spec)
	return nil
}

func (l clientList) parse() ([]fakeservicetitan.Client, error) {
	out := make([]fakeservicetitan.Client, 0, len(l))
	for _, spec := range l {
		c, err := parseClient(spec)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// parseClient reads one -client value. The error never repeats the spec:
// it holds a secret.
func parseClient(spec string) (fakeservicetitan.Client, error) {
	parts := strings.Split(spec, ":")
	if len(parts) < 3 || len(parts) > 5 {
		return fakeservicetitan.Client{}, fmt.Errorf("-client: want ID:SECRET:TENANT[:APPKEY][:hub=T1,T2], got %d colon-separated parts", len(parts))
	}
	c := fakeservicetitan.Client{ID: parts[0], Secret: parts[1], Tenant: parts[2]}
	if c.ID == "" || c.Secret == "" {
		return fakeservicetitan.Client{}, fmt.Errorf("-client %s: ID and SECRET must not be empty", c.ID)
	}
	if !isTenantID(c.Tenant) {
		return fakeservicetitan.Client{}, fmt.Errorf("-client %s: TENANT %q is not a ServiceTitan tenant id (digits only)", c.ID, c.Tenant)
	}
	for i, p := range parts[3:] {
		list, isHub := strings.CutPrefix(p, "hub=")
		switch {
		case isHub && i == len(parts[3:])-1:
			c.Tenants = []string{c.Tenant}
			for _, t := range strings.Split(list, ",") {
				if !isTenantID(t) {
					return fakeservicetitan.Client{}, fmt.Errorf("-client %s: hub tenant %q is not a ServiceTitan tenant id (digits only)", c.ID, t)
				}
				if !slices.Contains(c.Tenants, t) {
					c.Tenants = append(c.Tenants, t)
				}
			}
		case isHub:
			return fakeservicetitan.Client{}, fmt.Errorf("-client %s: hub= comes last, after APPKEY", c.ID)
		case i == 0 && p != "":
			c.AppKey = p
		case i == 0:
			return fakeservicetitan.Client{}, fmt.Errorf("-client %s: APPKEY is empty; leave it out to use -app-key", c.ID)
		default:
			return fakeservicetitan.Client{}, fmt.Errorf("-client %s: the part after APPKEY must be hub=T1,T2 (tenant IDs separated by commas)", c.ID)
		}
	}
	return c, nil
}

func isTenantID(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
