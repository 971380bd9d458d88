package servicetitan

import (
	"context"
	"errors"
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
}

// stopError describes why ctx ended. Every place that stops waiting because
// ctx is done returns it, so a bare "context canceled" never reaches a user.
func stopError(ctx context.Context) error {
	cause := context.Cause(ctx)
	if cause == nil {
		cause = ctx.Err()
	}
	return &StoppedError{Cause: cause}
}

func (e *StoppedError) Error() string {
	switch {
	case errors.Is(e.Cause, context.DeadlineExceeded):
		return "the run's time limit ran out before a token arrived"
	case errors.Is(e.Cause, ErrInterrupted) || errors.Is(e.Cause, context.Canceled) || e.Cause == nil:
		// A terminal's Ctrl-C reaches Terraform, which stops the provider
		// (cancelling the request), and the provider itself (ErrInterrupted),
		// in either order: the user hears the same sentence whichever wins.
		return "the token request was interrupted (Ctrl-C, or the run was stopped) before a token arrived"
	}
	return "the run was stopped before a token arrived: " + e.Cause.Error()
}

func (e *StoppedError) Unwrap() error { return e.Cause }
