package benchmark

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// The launcher stands in the plugin directory under the provider's name.
// The CLI starts it as it would the provider; it starts the real provider
// with the same arguments, standard streams and environment (so go-plugin's
// handshake and mutual TLS are untouched), waits for it, and appends one
// ProcessRecord to a file: when the process ran and its peak RSS as the
// kernel accounted it (getrusage's ru_maxrss of the waited-for child). Only
// the untimed probe plans use it; the timed plans start the provider
// directly, so the extra exec never shows in a timing.
const (
	// EnvLaunchExec names the real provider binary; its presence is what
	// switches a program into launcher mode.
	EnvLaunchExec = "PLANBENCH_LAUNCH_EXEC"
	// EnvLaunchHTTPExec names the real http provider binary, which the
	// launcher starts when the CLI started it as HTTPProviderBinaryName.
	EnvLaunchHTTPExec = "PLANBENCH_LAUNCH_HTTP_EXEC"
	// EnvLaunchRecord names the file the records are appended to.
	EnvLaunchRecord = "PLANBENCH_LAUNCH_RECORD"
)

// ProcessRecord is one provider process as the launcher saw it.
type ProcessRecord struct {
	// Provider is the file name the CLI started, ProviderBinaryName or
	// HTTPProviderBinaryName.
	Provider string    `json:"provider"`
	PID      int       `json:"pid"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	// MaxRSS is the peak resident set size in bytes, or 0 where the
	// platform does not report it.
	MaxRSS int64 `json:"max_rss"`
	// CPU is the process's user plus system time.
	CPU      time.Duration `json:"cpu"`
	ExitCode int           `json:"exit_code"`
}

// RunLauncherIfAsked runs the launcher and exits when EnvLaunchExec is set,
// and returns at once otherwise. Call it first thing in main.
func RunLauncherIfAsked() {
	target := os.Getenv(EnvLaunchExec)
	if target == "" {
		return
	}
	name := filepath.Base(os.Args[0])
	if name == HTTPProviderBinaryName {
		target = os.Getenv(EnvLaunchHTTPExec)
	}
	os.Exit(launch(name, target, os.Getenv(EnvLaunchRecord), os.Args[1:]))
}

func launch(name, target, recordPath string, args []string) int {
	cmd := exec.Command(target, args...)
	// *os.File streams are handed to the child as they are: the handshake
	// line the CLI reads from stdout comes straight from the provider.
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, EnvLaunchExec+"=") || strings.HasPrefix(kv, EnvLaunchHTTPExec+"=") || strings.HasPrefix(kv, EnvLaunchRecord+"=")
	})
	prepareChild(cmd)
	// A terminal's Ctrl-C reaches the whole process group, the provider
	// included; the launcher only has to outlive it. SIGTERM is passed on.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "launcher: %v\n", err)
		return 1
	}
	go func() {
		for s := range sigs {
			if s == syscall.SIGTERM {
				_ = cmd.Process.Signal(s)
			}
		}
	}()
	err := cmd.Wait()
	rec := ProcessRecord{Provider: name, PID: cmd.Process.Pid, Start: start, End: time.Now(), ExitCode: cmd.ProcessState.ExitCode()}
	rec.MaxRSS = maxRSS(cmd.ProcessState)
	rec.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if recordPath != "" {
		if werr := appendRecord(recordPath, rec); werr != nil {
			fmt.Fprintf(os.Stderr, "launcher: recording the provider process: %v\n", werr)
		}
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		return exit.ExitCode()
	default:
		return 1
	}
}

func appendRecord(path string, rec ProcessRecord) error {
	line, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	// One write of a short line: records of processes ending together do
	// not interleave.
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadProcessRecords reads the records appended to path, oldest start first.
// A missing file means no process was started.
func ReadProcessRecords(path string) ([]ProcessRecord, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var recs []ProcessRecord
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var r ProcessRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(recs, func(a, b ProcessRecord) int { return a.Start.Compare(b.Start) })
	return recs, nil
}

// AttributeRequests counts, for each process, the request times that fall
// within its lifetime. Requests outside every process are returned apart.
func AttributeRequests(procs []ProcessRecord, requests []time.Time) (perProcess []int, unattributed int) {
	perProcess = make([]int, len(procs))
	for _, t := range requests {
		found := false
		for i, p := range procs {
			if !t.Before(p.Start) && !t.After(p.End) {
				perProcess[i]++
				found = true
				break
			}
		}
		if !found {
			unattributed++
		}
	}
	return perProcess, unattributed
}
