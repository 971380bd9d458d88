package servicetitan

import (
	"context"
	"errors"
	"sync"
)

// ErrInterrupted is the cause a program gives when it cancels token waits
// because the user interrupted it (Ctrl-C).
var ErrInterrupted = errors.New("interrupted")

// StoppedError is a token wait that ended because its caller's context did:
// the user pressed Ctrl-C, the run was cancelled, or its time limit ran out.
// Its message says which in words; errors.Is matches the context's cause
// (ErrInterrupted, context.Canceled or context.DeadlineExceeded).
type StoppedError struct {
	// Cause is context.Cause of the context that ended.
	Cause error
	// While says what was being waited for, such as "waiting 30s, as
	// ServiceTitan's Retry-After asked after HTTP 503 (attempt 2 of 5)";
	// empty when nothing had started.
	While string
	// Request names what was stopped: "" for the token request, or "the
	// API request".
	Request string
	// Answered says the server had answered, and what was stopped is the
	// reading of its body (While says which answer).
	Answered bool
}

// StopError describes why ctx ended. Every place that stops waiting because
// ctx is done returns it, so a bare "context canceled" never reaches a user.
func StopError(ctx context.Context) error {
	cause := context.Cause(ctx)
	if cause == nil {
		cause = ctx.Err()
	}
	return &StoppedError{Cause: cause, While: progressOf(ctx).get()}
}

// progress is what a request is doing now (waiting for an answer, sitting
// out a Retry-After, waiting for another process's lock), so that whoever
// stops waiting for it can say what was being waited for. It travels in
// the request's context; a nil progress records nothing.
type progress struct {
	mu    sync.Mutex
	doing string
}

func (p *progress) set(s string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.doing = s
	p.mu.Unlock()
}

func (p *progress) get() string {
	if p == nil {
		return ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.doing
}

type progressKey struct{}

// TrackProgress returns ctx carrying a record of what a request does, for
// StopError to say what was being waited for when ctx ends.
func TrackProgress(ctx context.Context) context.Context { return withProgress(ctx, &progress{}) }

func withProgress(ctx context.Context, p *progress) context.Context {
	return context.WithValue(ctx, progressKey{}, p)
}

func progressOf(ctx context.Context) *progress {
	p, _ := ctx.Value(progressKey{}).(*progress)
	return p
}

func (e *StoppedError) Error() string {
	request, arrival := "the token request", "before a token arrived"
	if e.Request != "" {
		request, arrival = e.Request, "before ServiceTitan answered"
	}
	switch {
	case e.Answered && e.While != "":
		arrival = "while " + e.While
	case e.While != "":
		arrival = "while " + e.While + ", " + arrival
	}
	switch {
	case errors.Is(e.Cause, context.DeadlineExceeded):
		return "the run's time limit ran out " + arrival
	case errors.Is(e.Cause, ErrInterrupted) || errors.Is(e.Cause, context.Canceled) || e.Cause == nil:
		// A terminal's Ctrl-C reaches Terraform, which stops the provider
		// (cancelling the request), and the provider itself (ErrInterrupted),
		// in either order: the user hears the same sentence whichever wins.
		return request + " was interrupted (Ctrl-C, or the run was stopped) " + arrival
	}
	return "the run was stopped " + arrival + ": " + e.Cause.Error()
}

func (e *StoppedError) Unwrap() error { return e.Cause }
