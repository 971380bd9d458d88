package apiclient

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Paged answers: the envelope of lists, exports and reports, and the one
// array the items of every page are joined into.

// envelope is the shape of list, export and reporting answers. Data is
// kept raw: the items are passed on as they came, never decoded and
// encoded again.
type envelope struct {
	Data         json.RawMessage `json:"data"`
	HasMore      bool            `json:"hasMore"`
	ContinueFrom *string         `json:"continueFrom"`
}

// isEnvelope reports whether a body decoded into e was one: its data is an
// array.
func (e *envelope) isEnvelope() bool {
	d := bytes.TrimSpace(e.Data)
	return len(d) > 0 && d[0] == '['
}

// itemsBuilder joins the data arrays of every page into one JSON array,
// copying each item once: a read of thousands of records holds the items
// once, in the string it hands over, rather than once per decoding.
type itemsBuilder struct {
	b     strings.Builder
	count int
	seen  bool
}

// add appends the items of one page's data array.
func (ib *itemsBuilder) add(data json.RawMessage) {
	if !ib.seen {
		ib.b.WriteByte('[')
		ib.seen = true
	}
	inner := bytes.TrimSpace(data)
	inner = bytes.TrimSpace(inner[1 : len(inner)-1])
	if n := countArrayItems(inner); n > 0 {
		if ib.count > 0 {
			ib.b.WriteByte(',')
		}
		ib.b.Grow(len(inner))
		ib.b.Write(inner)
		ib.count += n
	}
}

// json is the array, or "" when no page was an envelope.
func (ib *itemsBuilder) json() string {
	if !ib.seen {
		return ""
	}
	ib.b.WriteByte(']')
	return ib.b.String()
}

// countArrayItems counts the top-level values between an array's brackets,
// given valid JSON: the commas outside strings and nested values, plus one.
func countArrayItems(inner []byte) int {
	if len(inner) == 0 {
		return 0
	}
	n, depth, inString, escaped := 1, 0, false, false
	for _, c := range inner {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
		case c == ',' && depth == 0:
			n++
		}
	}
	return n
}
