package servicetitan

import (
	"errors"
	"regexp"
	"strings"
	"unicode"
)

// Everything that keeps secrets out of messages and log lines lives here:
// URLs shown in messages, excerpts of unexpected bodies, errors scrubbed of
// the client secret, and the patterns a logger masks by shape.

// redacted replaces what a printed URL must not show.
const redacted = "REDACTED"

// RedactURL returns raw fit for a message or a log line: user info is
// replaced as a whole (a user name can be a credential as much as a
// password), every query value and any fragment are replaced, and query keys,
// scheme, host and path stay readable. It works on text rather than on a
// parsed URL so that a value too malformed to parse (the very values an error
// message is about) is redacted too.
func RedactURL(raw string) string {
	rest, prefix := raw, ""
	if i := strings.Index(rest, "://"); i >= 0 && !strings.ContainsAny(rest[:i], "/?#@") {
		prefix, rest = rest[:i+3], rest[i+3:]
	}
	// User info ends at the last "@" before the query: a password may hold
	// "/" or "#" unescaped, and cutting there would print the rest of it.
	query, hasQuery := "", false
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest, query, hasQuery = rest[:i], rest[i+1:], true
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = redacted + rest[i:]
	}
	fragment := ""
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest, fragment = rest[:i], "#"+redacted
	}
	if hasQuery {
		if i := strings.IndexByte(query, '#'); i >= 0 {
			query, fragment = query[:i], "#"+redacted
		}
		query = "?" + redactQuery(query)
	}
	return prefix + rest + query + fragment
}

// redactQuery keeps each key, in order, and replaces its value. A part
// without "=" could be a bare secret and is replaced whole.
func redactQuery(q string) string {
	if q == "" {
		return ""
	}
	parts := strings.Split(q, "&")
	for i, p := range parts {
		if k, _, ok := strings.Cut(p, "="); ok {
			parts[i] = k + "=" + redacted
		} else if p != "" {
			parts[i] = redacted
		}
	}
	return strings.Join(parts, "&")
}

// ServerText is text a server controls (a status line, a header such as
// Location or Retry-After, a body, a transport error quoting any of them)
// made fit for an error, a warning or a log line: each of secrets (the
// token just sent, the app key, the client secret) is replaced wherever it
// appears, then JWTs and bearer credentials by shape. It is the one
// redaction every such text passes before it is shown.
func ServerText(s string, secrets ...string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[REDACTED]")
		}
	}
	s = JWTPattern.ReplaceAllString(s, "[REDACTED]")
	return BearerPattern.ReplaceAllString(s, "[REDACTED]")
}

// JWTPattern matches a JWT: three base64url parts, the first of which
// encodes a JSON object and so starts with "eyJ". It is the one pattern by
// which tokens are known by shape, in log masks and in excerpts alike; host
// names and the provider's address do not match it.
var JWTPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

// BearerPattern matches a bearer credential as an Authorization value
// carries it (RFC 6750's b64token), whatever the token's shape.
var BearerPattern = regexp.MustCompile(`(?i)\bbearer\s+[A-Za-z0-9._~+/-]+=*`)

// MaskedFieldKeys are the log fields whose values are masked whatever they
// hold.
var MaskedFieldKeys = []string{"access_token", "client_secret", "app_key", "authorization", "Authorization", "headers"}

// What else must never appear in an excerpt of a body nobody asked for:
// dotted runs (a token of another format than a JWT, or a JWT whose header
// was cut off), values of token and secret fields, and long opaque runs that
// might be credentials. An excerpt may lose a long host name to dottedRun;
// a log line, which must say where requests went, is masked by JWTPattern
// and BearerPattern only.
var (
	dottedRun     = regexp.MustCompile(`[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`)
	secretField   = regexp.MustCompile(`(?i)("?(?:access_token|refresh_token|id_token|client_secret|password|secret|authorization)"?\s*[:=]\s*"?)[^",&\s}]*`)
	opaquePattern = regexp.MustCompile(`[A-Za-z0-9+/_=-]{32,}`)
	htmlTag       = regexp.MustCompile(`<[^>]*>`)
)

// excerptLength is short enough to keep errors readable and long enough to
// recognise a gateway page or a proxy's message.
const excerptLength = 80

// Excerpt returns at most a short, redacted, single-line start of body for
// an error message.
func Excerpt(body []byte) string {
	s := string(body[:min(len(body), 2048)])
	s = JWTPattern.ReplaceAllString(s, "[REDACTED]")
	s = dottedRun.ReplaceAllStringFunc(s, func(m string) string {
		if len(m) < 20 { // version numbers and host names, not tokens
			return m
		}
		return "[REDACTED]"
	})
	s = secretField.ReplaceAllString(s, "${1}[REDACTED]")
	s = opaquePattern.ReplaceAllString(s, "[REDACTED]")
	if looksHTML(body) {
		s = htmlTag.ReplaceAllString(s, " ")
	}
	return CleanText(s, excerptLength)
}

// CleanText collapses whitespace, drops control characters and cuts to n runes.
func CleanText(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		if !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	return s
}

// redactError makes sure the secret cannot appear in an error, whatever a
// server or a transport chose to echo back.
func redactError(err error, secret string) error {
	if secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	var te *TokenError
	if errors.As(err, &te) {
		te.Description = strings.ReplaceAll(te.Description, secret, "[REDACTED]")
		te.Excerpt = strings.ReplaceAll(te.Excerpt, secret, "[REDACTED]")
		te.Problem = strings.ReplaceAll(te.Problem, secret, "[REDACTED]")
		if te.Err != nil && strings.Contains(te.Err.Error(), secret) {
			te.Err = errors.New(strings.ReplaceAll(te.Err.Error(), secret, "[REDACTED]"))
		}
		if !strings.Contains(te.Error(), secret) {
			return te
		}
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, "[REDACTED]"))
}
