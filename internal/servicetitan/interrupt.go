package servicetitan

import "errors"

// ErrInterrupted is the cause a program gives when it cancels token waits
// because the user interrupted it (Ctrl-C).
var ErrInterrupted = errors.New("interrupted")
