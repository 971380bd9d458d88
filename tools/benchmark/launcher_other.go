//go:build !linux

package benchmark

import (
	"os"
	"os/exec"
)

func prepareChild(*exec.Cmd) {}

// maxRSS is not reported off Linux: ru_maxrss units differ by platform.
func maxRSS(*os.ProcessState) int64 { return 0 }
