package servicetitan

import "strings"

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
