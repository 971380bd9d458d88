// Package catalogue holds the facts of every operation of ServiceTitan's
// published tenant APIs: folder, version, path below the tenant, method,
// the kind of answer, the page-size cap and the query parameter names.
// They are generated from ServiceTitan's OpenAPI specs (gen/, see
// DESIGN.md) into operations.tsv, which is embedded. ServiceTitan adds
// operations over time: an operation that is not here is possible, never
// an error by itself.
package catalogue

//go:generate go run ./gen -specs $SERVICETITAN_SPECS -out operations.tsv

import (
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:embed operations.tsv
var operationsTSV string

// Kind is the kind of answer an operation gives.
type Kind string

// The kinds of answer, as ServiceTitan's specs describe them.
const (
	// List is {"page","pageSize","hasMore","totalCount","data":[…]}, paged
	// with page and pageSize.
	List Kind = "list"
	// Export is {"data":[…],"hasMore","continueFrom"}, continued with from.
	Export Kind = "export"
	// Report is {"fields":[…],"page","pageSize","hasMore","totalCount",
	// "data":[[…]]}: rows whose columns fields names.
	Report Kind = "report"
	// Array is a bare JSON array.
	Array Kind = "array"
	// DataArray is {"data":[…]} without paging fields.
	DataArray Kind = "data-array"
	// Object is one JSON object.
	Object Kind = "object"
	// None is an answer without a described body.
	None Kind = "none"
)

// DefaultMaxPageSize is the largest pageSize of a list whose spec states
// none: ServiceTitan's documented limit.
const DefaultMaxPageSize = 5000

// Operation is one published operation.
type Operation struct {
	Folder, Version, Method string
	// Path is below tenant/{tenant}, with its parameters as templates:
	// "customers/{id}".
	Path string
	Kind Kind
	// MaxPageSize is the spec's stated cap on pageSize; 0 when it states
	// none.
	MaxPageSize int
	// Query names the query parameters the operation defines.
	Query []string

	// segs is Path split once, for matching concrete paths against it.
	segs []string
}

// PageSizeCap is the largest pageSize the operation takes.
func (o Operation) PageSizeCap() int {
	if o.MaxPageSize > 0 {
		return o.MaxPageSize
	}
	return DefaultMaxPageSize
}

// QueryName returns the operation's own spelling of name, which
// ServiceTitan matches without regard to case.
func (o Operation) QueryName(name string) (string, bool) {
	for _, q := range o.Query {
		if strings.EqualFold(q, name) {
			return q, true
		}
	}
	return "", false
}

// String names the operation as a user writes it: "GET jpm/v2 jobs/{id}".
func (o Operation) String() string {
	return fmt.Sprintf("%s %s/%s %s", o.Method, o.Folder, o.Version, o.Path)
}

var load = sync.OnceValue(func() []Operation {
	var ops []Operation
	for line := range strings.SplitSeq(operationsTSV, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 7 {
			panic("catalogue: malformed line " + strconv.Quote(line))
		}
		maxPageSize, err := strconv.Atoi(f[5])
		if err != nil {
			panic("catalogue: malformed page-size cap in " + strconv.Quote(line))
		}
		op := Operation{Folder: f[0], Version: f[1], Method: f[2], Path: f[3], Kind: Kind(f[4]), MaxPageSize: maxPageSize, segs: splitPath(f[3])}
		if f[6] != "" {
			op.Query = strings.Split(f[6], ",")
		}
		ops = append(ops, op)
	}
	return ops
})

// postReads are the POST operations that only read: ServiceTitan takes
// their arguments in a body. Every other POST changes something.
var postReads = []string{
	"POST reporting/v2 report-category/{report_category}/reports/{reportId}/data",
	"POST dispatch/v2 capacity",
}

// ReadsByPost reports whether the operation is a POST that only reads.
func (o Operation) ReadsByPost() bool { return slices.Contains(postReads, o.String()) }

// PostReads lists the POST operations that only read, for messages.
func PostReads() []string { return slices.Clone(postReads) }

// Operations is every operation of the catalogue.
func Operations() []Operation { return slices.Clone(load()) }

// Find returns the operation that method on endpoint (a concrete path
// below the tenant, such as "customers/42") is, in folder and version.
// Literal segments match without regard to case, as ServiceTitan's routes
// do, and a template segment ("{id}") matches any one segment; where two
// operations match, the one with more literal segments wins ("jobs/export"
// over "jobs/{id}").
func Find(folder, version, method, endpoint string) (Operation, bool) {
	segs := splitPath(endpoint)
	var best Operation
	bestLiterals := -1
	for _, op := range load() {
		if !strings.EqualFold(op.Folder, folder) || !strings.EqualFold(op.Version, version) || !strings.EqualFold(op.Method, method) {
			continue
		}
		if n, ok := matches(op.segs, segs); ok && n > bestLiterals {
			best, bestLiterals = op, n
		}
	}
	return best, bestLiterals >= 0
}

// Closest returns at most n paths of method's operations in folder and
// version nearest to endpoint, nearest first, for a warning that names
// what the user may have meant.
func Closest(folder, version, method, endpoint string, n int) []string {
	want := templateShape(splitPath(endpoint))
	type scored struct {
		path string
		d    int
	}
	var all []scored
	for _, op := range load() {
		if strings.EqualFold(op.Folder, folder) && strings.EqualFold(op.Version, version) && strings.EqualFold(op.Method, method) {
			all = append(all, scored{op.Path, distance(want, templateShape(op.segs))})
		}
	}
	slices.SortStableFunc(all, func(a, b scored) int { return a.d - b.d })
	var out []string
	for _, s := range all[:min(n, len(all))] {
		out = append(out, s.path)
	}
	return out
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// IsTemplate reports whether a path segment of an operation is a
// parameter, such as "{id}", which any one segment matches.
func IsTemplate(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }

// matches reports whether segs fit tmpl, and how many literal segments
// matched.
func matches(tmpl, segs []string) (int, bool) {
	if len(tmpl) != len(segs) {
		return 0, false
	}
	literals := 0
	for i, t := range tmpl {
		switch {
		case IsTemplate(t):
		case strings.EqualFold(t, segs[i]):
			literals++
		default:
			return 0, false
		}
	}
	return literals, true
}

// templateShape writes a path with its identifiers (template segments, or
// segments of digits) as "{}", lower case, for comparing shapes.
func templateShape(segs []string) string {
	out := make([]string, len(segs))
	for i, s := range segs {
		if IsTemplate(s) || isDigits(s) {
			out[i] = "{}"
		} else {
			out[i] = strings.ToLower(s)
		}
	}
	return strings.Join(out, "/")
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// distance is the Levenshtein distance between a and b, by rune.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
