//go:build linux

package tokencache

import (
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// bootTime is a reading of the clock that counts from boot (CLOCK_BOOTTIME,
// which keeps counting through suspend and is not moved by setting the wall
// clock), with the boot it belongs to.
type bootTime struct {
	id    string
	since time.Duration
}

// readBootTime reads it, or reports that it cannot be read.
func readBootTime() (bootTime, bool) {
	id, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return bootTime{}, false
	}
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts) != nil {
		return bootTime{}, false
	}
	return bootTime{id: strings.TrimSpace(string(id)), since: time.Duration(ts.Nano())}, true
}
