package apiclient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// Answers with items: the envelope of lists, exports and reports, the
// {"data": […]} of a few reads, a bare array; and the one array the items
// of every page are joined into.

// envelope is the shape of list, export, report and data-array answers.
// Data is kept raw: the items are passed on as they came, never decoded
// and encoded again, except a report's rows, which are given their
// columns' names.
type envelope struct {
	Data         json.RawMessage `json:"data"`
	HasMore      bool            `json:"hasMore"`
	ContinueFrom *string         `json:"continueFrom"`
	Fields       json.RawMessage `json:"fields"`
}

// answer is what one page said: its items as a JSON array (nil when the
// answer holds none), whether more is to come, and where an export
// continues.
type answer struct {
	items        json.RawMessage
	hasMore      bool
	continueFrom string
}

// readAnswer finds the items of a valid JSON body: a bare array is its own
// items; an object whose data is an array holds them, with hasMore and
// continueFrom beside; report rows (arrays of values, with fields naming
// the columns) become objects keyed by the columns' names, since a
// report's columns can change and a position means nothing without them.
func readAnswer(body []byte) (answer, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		return answer{items: trimmed}, nil
	}
	// A body that is no envelope (one record) holds no items: not an
	// error, the body is the answer.
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil || !env.isEnvelope() {
		return answer{}, nil //nolint:nilerr // see above
	}
	a := answer{items: env.Data, hasMore: env.HasMore}
	if env.ContinueFrom != nil {
		a.continueFrom = *env.ContinueFrom
	}
	if f := bytes.TrimSpace(env.Fields); len(f) > 0 && f[0] == '[' {
		rows, err := keyedRows(env.Fields, env.Data)
		if err != nil {
			return answer{}, err
		}
		a.items = rows
	}
	return a, nil
}

// keyedRows turns report rows into objects keyed by the fields' names,
// each value as it came. A row that is not an array is kept as it is; a
// value past the last field is named by its column number.
func keyedRows(fields, data json.RawMessage) (json.RawMessage, error) {
	var names []struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(fields, &names); err != nil {
		return nil, fmt.Errorf("the report's fields are not a list of names: %s", servicetitan.CleanText(err.Error(), 120))
	}
	var rows []json.RawMessage
	if err := json.Unmarshal(data, &rows); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(len(data) + len(rows)*len(fields))
	b.WriteByte('[')
	for i, row := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		var cells []json.RawMessage
		if json.Unmarshal(row, &cells) != nil {
			b.Write(row)
			continue
		}
		b.WriteByte('{')
		for j, cell := range cells {
			if j > 0 {
				b.WriteByte(',')
			}
			name := fmt.Sprintf("column%d", j+1)
			if j < len(names) && names[j].Name != "" {
				name = names[j].Name
			}
			key, _ := json.Marshal(name)
			b.Write(key)
			b.WriteByte(':')
			b.Write(cell)
		}
		b.WriteByte('}')
	}
	b.WriteByte(']')
	return b.Bytes(), nil
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
