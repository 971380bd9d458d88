package fakeservicetitan

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// filter says whether a record passes one of a request's filters.
type filter func(record) bool

// parseFilters turns the filters users write most into tests on records:
// ids, active, the created and modified date ranges, and equality on …Id
// fields (…Ids: any of a list). q holds only what the operation defines
// (boundQuery), so a filter the operation lacks, or a misspelt one, never
// gets here: it narrows nothing, as at ServiceTitan. A value that does not
// parse is a 400 naming the parameter, as ServiceTitan's binding answers.
func parseFilters(w http.ResponseWriter, q url.Values) ([]filter, bool) {
	var out []filter
	for name, vs := range q {
		v := vs[len(vs)-1]
		if v == "" {
			continue
		}
		lower := strings.ToLower(name)
		var f filter
		var err error
		switch lower {
		case "ids":
			f, err = idsFilter("id", v)
		case "active":
			f, err = activeFilter(v)
		case "createdonorafter", "createdbefore", "modifiedonorafter", "modifiedbefore":
			f, err = dateFilter(lower, v)
		default:
			field, ok := idFieldOf(name)
			switch {
			case !ok:
				continue
			case strings.HasSuffix(lower, "ids"):
				f, err = idsFilter(field, v)
			default:
				f, err = idsFilter(field, v)
				if err == nil && strings.Contains(v, ",") {
					err = fmt.Errorf("%s must be one integer", name)
				}
			}
		}
		if err != nil {
			writeInvalid(w, name, err.Error())
			return nil, false
		}
		out = append(out, f)
	}
	return out, true
}

func matchAll(fs []filter, r record) bool {
	for _, f := range fs {
		if !f(r) {
			return false
		}
	}
	return true
}

// idsFilter keeps records whose field is one of the comma-separated
// integers of v. A record without the field is kept: the filter is about
// something it does not have.
func idsFilter(field, v string) (filter, error) {
	set := map[int64]bool{}
	for part := range strings.SplitSeq(v, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer (want comma-separated integers)", part)
		}
		set[n] = true
	}
	return func(r record) bool {
		got, ok := r.get(field)
		if !ok {
			return true
		}
		n, ok := asInt64(got)
		return ok && set[n]
	}, nil
}

// activeFilter takes ServiceTitan's values True, False and Any (any case)
// and, as ASP.NET binds a boolean, true and false.
func activeFilter(v string) (filter, error) {
	var want bool
	switch strings.ToLower(v) {
	case "any":
		return func(record) bool { return true }, nil
	case "true":
		want = true
	case "false":
		want = false
	default:
		return nil, fmt.Errorf("active must be True, False or Any, not %q", v)
	}
	return func(r record) bool {
		got, ok := r.get("active")
		b, isBool := got.(bool)
		return !ok || !isBool || b == want
	}, nil
}

// dateLayouts are the forms a date-time filter takes: RFC 3339 with or
// without a zone (then UTC), or a date.
var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"}

func parseDate(v string) (time.Time, bool) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// dateFilter compares createdOn or modifiedOn with the bound: on or after
// it, or before it.
func dateFilter(lower, v string) (filter, error) {
	bound, ok := parseDate(v)
	if !ok {
		return nil, fmt.Errorf("%q is not a date-time such as 2024-01-31T00:00:00Z", v)
	}
	field, onOrAfter := "createdOn", strings.HasSuffix(lower, "onorafter")
	if strings.HasPrefix(lower, "modified") {
		field = "modifiedOn"
	}
	return func(r record) bool {
		got, ok := r.get(field)
		s, isString := got.(string)
		if !ok || !isString {
			return true
		}
		t, ok := parseDate(s)
		if !ok {
			return true
		}
		if onOrAfter {
			return !t.Before(bound)
		}
		return t.Before(bound)
	}, nil
}

func asInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	}
	return 0, false
}

// compareID orders a record's id against an id from a path; a path id that
// is no integer sorts before every record, so it is never found.
func compareID(id any, want string) int {
	n, ok := asInt64(id)
	w, err := strconv.ParseInt(want, 10, 64)
	switch {
	case !ok || err != nil:
		return 1
	case n < w:
		return -1
	case n > w:
		return 1
	}
	return 0
}
