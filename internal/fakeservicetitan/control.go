package fakeservicetitan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

const controlPrefix = "/_stand-in/"

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/connect/token", s.handleToken)
	mux.HandleFunc("/reporting/v2/tenant/{tenant}/report-category/{category}/reports/{id}/data", s.api(s.handleReportData))
	mux.HandleFunc(controlPrefix+"stats", s.handleStats)
	mux.HandleFunc(controlPrefix+"reset", s.handleReset)
	mux.HandleFunc(controlPrefix+"faults", s.handleFaults(s.InjectTokenFaults))
	mux.HandleFunc(controlPrefix+"api-faults", s.handleFaults(s.InjectAPIFaults))
	mux.HandleFunc(controlPrefix+"latency", s.handleLatency(s.SetLatency))
	mux.HandleFunc(controlPrefix+"api-latency", s.handleLatency(s.SetAPILatency))
	mux.HandleFunc(controlPrefix+"revoke", s.handleRevoke)
	mux.HandleFunc(controlPrefix+"add-jobs", s.handleAddJobs)
	mux.HandleFunc(controlPrefix+"changes", s.handleChanges)
	mux.HandleFunc(controlPrefix, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, apiError{"unknown control endpoint"})
	})
	// Every other path is an API request to the gateway, which has faults
	// and latency like any other: an operation of the catalogue, or a 404.
	mux.HandleFunc("/", s.api(s.handleCatalogue))
	if s.cfg.Logger != nil {
		return logRequests(s.cfg.Logger, mux)
	}
	return mux
}

// FaultJSON is the wire form of a Fault in POST /_stand-in/faults and
// /_stand-in/api-faults. Preset ("html", "truncated_json" or
// "missing_access_token") selects one of the ready-made bodies so scripts
// need not carry copies of them; on API routes truncated_json stands for any
// body cut off mid-stream.
type FaultJSON struct {
	Status      int               `json:"status,omitempty"`
	Headers     map[string]string `json:"headers,omitempty"`
	Body        string            `json:"body,omitempty"`
	ContentType string            `json:"content_type,omitempty"`
	DelayMS     int64             `json:"delay_ms,omitempty"`
	Hang        bool              `json:"hang,omitempty"`
	Repeat      bool              `json:"repeat,omitempty"`
	Preset      string            `json:"preset,omitempty"`
}

// Fault validates f and converts it.
func (f FaultJSON) Fault() (Fault, error) {
	if f.Status != 0 && (f.Status < 200 || f.Status > 599) {
		return Fault{}, fmt.Errorf("status %d: want 0 (no override) or 200-599", f.Status)
	}
	if f.DelayMS < 0 {
		return Fault{}, fmt.Errorf("delay_ms %d is negative", f.DelayMS)
	}
	out := Fault{
		Status:      f.Status,
		Headers:     f.Headers,
		Body:        f.Body,
		ContentType: f.ContentType,
		Delay:       time.Duration(f.DelayMS) * time.Millisecond,
		Hang:        f.Hang,
		Repeat:      f.Repeat,
	}
	if f.Preset != "" {
		if f.Body != "" {
			return Fault{}, fmt.Errorf("preset %q and body are mutually exclusive", f.Preset)
		}
		switch f.Preset {
		case "html":
			out.Body = HTMLBody
			if out.ContentType == "" {
				out.ContentType = "text/html"
			}
		case "truncated_json":
			out.Body = TruncatedJSON()
		case "missing_access_token":
			out.Body = MissingAccessTokenBody
		default:
			return Fault{}, fmt.Errorf("unknown preset %q: want html, truncated_json or missing_access_token", f.Preset)
		}
	}
	return out, nil
}

// faultFieldTypes say what each field of a fault holds, for a message that
// a script's author can act on rather than Go's own.
var faultFieldTypes = map[string]string{
	"status": "a number", "headers": "an object of strings", "body": "a string", "content_type": "a string",
	"delay_ms": "a number", "hang": "true or false", "repeat": "true or false", "preset": "a string",
}

func faultJSONProblem(err error) string {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) && faultFieldTypes[typ.Field] != "" {
		return fmt.Sprintf("field %q must be %s, not a JSON %s", typ.Field, faultFieldTypes[typ.Field], typ.Value)
	}
	return err.Error()
}

func allowOnly(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method {
		return true
	}
	w.Header().Set("Allow", method)
	writeJSON(w, http.StatusMethodNotAllowed, apiError{"use " + method})
	return false
}

func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) {
	if allowOnly(w, r, http.MethodGet) {
		writeJSON(w, http.StatusOK, s.Stats())
	}
}

func (s *Server) handleReset(w http.ResponseWriter, r *http.Request) {
	if allowOnly(w, r, http.MethodPost) {
		s.Reset()
		writeJSON(w, http.StatusOK, s.Stats())
	}
}

// handleFaults queues the faults of the body with inject, all or none, so
// a bad entry never leaves half a scenario queued.
func (s *Server) handleFaults(inject func(...Fault)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !allowOnly(w, r, http.MethodPost) {
			return
		}
		var in []FaultJSON
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		// Unknown fields are rejected so a typo such as "delay" instead of
		// "delay_ms" fails loudly instead of queuing a different fault.
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			writeJSON(w, http.StatusBadRequest, apiError{"want a JSON array of faults: " + faultJSONProblem(err)})
			return
		}
		faults := make([]Fault, 0, len(in))
		for i, fj := range in {
			f, err := fj.Fault()
			if err != nil {
				writeJSON(w, http.StatusBadRequest, apiError{fmt.Sprintf("fault %d: %v", i, err)})
				return
			}
			faults = append(faults, f)
		}
		inject(faults...)
		writeJSON(w, http.StatusOK, s.Stats())
	}
}

func (s *Server) handleLatency(set func(time.Duration)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !allowOnly(w, r, http.MethodPost) {
			return
		}
		ms, err := strconv.ParseInt(r.URL.Query().Get("ms"), 10, 64)
		if err != nil || ms < 0 {
			writeJSON(w, http.StatusBadRequest, apiError{"want ?ms=<non-negative integer>"})
			return
		}
		set(time.Duration(ms) * time.Millisecond)
		writeJSON(w, http.StatusOK, s.Stats())
	}
}

// handleRevoke takes no body; one that is there is refused, so that a
// script expecting a revocation with options does not think it got them.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	if !allowOnly(w, r, http.MethodPost) {
		return
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<10))
	if err != nil || len(bytes.TrimSpace(b)) > 0 {
		writeJSON(w, http.StatusBadRequest, apiError{"revoke takes no body: it revokes every token issued so far"})
		return
	}
	s.RevokeTokens()
	writeJSON(w, http.StatusOK, s.Stats())
}

func (s *Server) handleAddJobs(w http.ResponseWriter, r *http.Request) {
	if !allowOnly(w, r, http.MethodPost) {
		return
	}
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n < 1 || n > maxAddJobs {
		writeJSON(w, http.StatusBadRequest, apiError{fmt.Sprintf("want ?n=<number of jobs from 1 to %d>", maxAddJobs)})
		return
	}
	s.AddJobs(n)
	writeJSON(w, http.StatusOK, s.Stats())
}

// maxAddJobs bounds one call, so that a typo cannot add more jobs than any
// test could page through.
const maxAddJobs = 1_000_000_000

// handleChanges modifies records of an entity, as ChangeRecords does.
func (s *Server) handleChanges(w http.ResponseWriter, r *http.Request) {
	if !allowOnly(w, r, http.MethodPost) {
		return
	}
	entity := r.URL.Query().Get("entity")
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n < 1 || n > maxAddJobs {
		writeJSON(w, http.StatusBadRequest, apiError{fmt.Sprintf("want ?entity=<jobs, customers or FOLDER/PATH>&n=<number of records from 1 to %d>", maxAddJobs)})
		return
	}
	if err := s.ChangeRecords(entity, n); err != nil {
		writeJSON(w, http.StatusNotFound, apiError{fmt.Sprintf("entity %q: want jobs, customers or the FOLDER/PATH of a list or export the stand-in serves, such as settings/business-units", entity)})
		return
	}
	writeJSON(w, http.StatusOK, s.Stats())
}
