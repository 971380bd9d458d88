package fakeservicetitan

import (
	"log"
	"net/http"
	"time"
)

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests logs only the method and escaped path: the query, headers and
// body are where credentials and tokens travel.
func logRequests(l *log.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				l.Printf("%s %s aborted after %s", r.Method, r.URL.EscapedPath(), time.Since(start).Round(time.Microsecond))
				panic(v)
			}
			status := rec.status
			if status == 0 {
				// Nothing was written: the client went away while the
				// request waited, so no response ever reached it.
				l.Printf("%s %s client gone after %s", r.Method, r.URL.EscapedPath(), time.Since(start).Round(time.Microsecond))
				return
			}
			l.Printf("%s %s %d %s", r.Method, r.URL.EscapedPath(), status, time.Since(start).Round(time.Microsecond))
		}()
		next.ServeHTTP(rec, r)
	})
}
