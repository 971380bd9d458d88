package servicetitan

import (
	"context"
	"errors"
	"slices"
)

// What callers ask of a Config: a token and the headers of an API call,
// with the settings each needs reported when missing.

// AuthToken returns a valid token for this configuration, from its cache when
// one is fresh (get_auth_token). Every caller sharing the configuration shares
// the cache.
func (c *Config) AuthToken(ctx context.Context) (*Token, error) {
	if err := c.tokenCredentials(); err != nil {
		return nil, err
	}
	return c.tokens.Token(ctx)
}

// Header names ServiceTitan requires on every API call.
const (
	HeaderAuthorization = "Authorization"
	HeaderAppKey        = "ST-App-Key"
)

// AuthHeaders returns the headers for an API call (get_auth_headers):
// Authorization with the Bearer prefix, and ST-App-Key.
func (c *Config) AuthHeaders(ctx context.Context) (map[string]string, error) {
	_, headers, err := c.AuthTokenWithHeaders(ctx)
	return headers, err
}

// AuthTokenWithHeaders returns a token and the headers built from that same
// token: reading the cache twice could straddle a refresh and pair a header
// with a different token.
func (c *Config) AuthTokenWithHeaders(ctx context.Context) (*Token, map[string]string, error) {
	if err := c.APICallSettings(); err != nil {
		return nil, nil, err
	}
	tok, err := c.AuthToken(ctx)
	if err != nil {
		return nil, nil, err
	}
	return tok, c.Headers(tok), nil
}

// APICallSettings reports, in one error, every setting an API call needs
// that no source supplied: the credentials, the app key that every call
// sends, and the tenant ID that every call's URL holds.
func (c *Config) APICallSettings() error {
	var all []Setting
	for _, err := range []error{c.tokenCredentials(), c.missing(SettingAppKey, SettingTenantID)} {
		var m *MissingSettingError
		if errors.As(err, &m) {
			for _, s := range m.Settings {
				if !slices.ContainsFunc(all, func(have Setting) bool { return have.Name == s.Name }) {
					all = append(all, s)
				}
			}
		}
	}
	if len(all) == 0 {
		return nil
	}
	return &MissingSettingError{Settings: all, ConfigFile: c.configFile}
}

// TokenSource is the token source of this configuration, shared with every
// configuration resolved from the same token settings: what an API client
// takes its tokens from, and tells of a token ServiceTitan refused. Check
// APICallSettings first: it asks for a token whatever is missing.
func (c *Config) TokenSource() *TokenSource { return c.tokens }

// Headers builds the API call headers from a token already in hand.
func (c *Config) Headers(tok *Token) map[string]string {
	return map[string]string{
		HeaderAuthorization: tok.AuthorizationHeader(),
		HeaderAppKey:        c.appKey,
	}
}

// tokenCredentials are what a token request needs.
func (c *Config) tokenCredentials() error {
	want := []Setting{SettingClientID, SettingClientSecret}
	if c.enterpriseHub {
		want = append(want, SettingTenantID)
	}
	return c.missing(want...)
}
