//go:build !linux

package tokencache

import "time"

// bootTime is a reading of a clock that counts from boot. Only Linux
// offers one with the boot's identity; elsewhere entries are checked
// against the wall clock alone (see tokenDir.trust).
type bootTime struct {
	id    string
	since time.Duration
}

func readBootTime() (bootTime, bool) { return bootTime{}, false }
