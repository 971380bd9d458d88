package benchmark

import (
	"os"
	"os/exec"
	"syscall"
)

// prepareChild makes the provider die with the launcher, so that a launcher
// killed by the CLI never leaves a provider behind.
func prepareChild(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// maxRSS is the child's peak RSS; Linux reports ru_maxrss in KiB.
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss * 1024
	}
	return 0
}
