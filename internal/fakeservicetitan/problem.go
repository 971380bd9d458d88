package fakeservicetitan

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// Problem is the body of every API error, in the problem-details shape
// (RFC 9457) that ServiceTitan's gateway answers with. Errors is set for
// validation failures only and maps each offending parameter to what is
// wrong with it, so a client can say which of its inputs to fix.
type Problem struct {
	Type    string              `json:"type"`
	Title   string              `json:"title"`
	Status  int                 `json:"status"`
	TraceID string              `json:"traceId"`
	Errors  map[string][]string `json:"errors,omitempty"`
}

// problemTypes are the references ASP.NET, on which ServiceTitan's API
// runs, puts in type for each status.
var problemTypes = map[int]string{
	http.StatusBadRequest:       "https://tools.ietf.org/html/rfc9110#section-15.5.1",
	http.StatusUnauthorized:     "https://tools.ietf.org/html/rfc9110#section-15.5.2",
	http.StatusForbidden:        "https://tools.ietf.org/html/rfc9110#section-15.5.4",
	http.StatusNotFound:         "https://tools.ietf.org/html/rfc9110#section-15.5.5",
	http.StatusMethodNotAllowed: "https://tools.ietf.org/html/rfc9110#section-15.5.6",
	http.StatusTooManyRequests:  "https://tools.ietf.org/html/rfc6585#section-4",
}

func writeProblem(w http.ResponseWriter, status int, title string, errs map[string][]string) {
	typ, ok := problemTypes[status]
	if !ok {
		typ = "about:blank"
	}
	// A W3C trace parent, as ServiceTitan's support asks for; random
	// because a trace id names one request, not the data.
	var id [24]byte
	rand.Read(id[:])
	trace := "00-" + hex.EncodeToString(id[:16]) + "-" + hex.EncodeToString(id[16:]) + "-00"
	writeJSONAs(w, status, "application/problem+json; charset=utf-8", Problem{
		Type: typ, Title: title, Status: status, TraceID: trace, Errors: errs,
	})
}

// writeInvalid answers 400 for one bad request parameter.
func writeInvalid(w http.ResponseWriter, param, msg string) {
	writeProblem(w, http.StatusBadRequest, msg, map[string][]string{param: {msg}})
}
