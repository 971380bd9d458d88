//go:build darwin || freebsd || linux

package provider

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
)

func TestAccTokenCacheLockWaitEndsWithCtrlC(t *testing.T) {
	srv := acctest.StandIn(t)
	dir := t.TempDir()
	logFile := filepath.Join(t.TempDir(), "plan.log")
	// A request timeout far beyond the test's bound: only the interrupt can
	// end the wait in time.
	run := acctest.NewCLIRun(t, acctest.ProviderBlock(srv, cacheDirLine(dir), `request_timeout = "5m"`)+`
data "servicetitan_auth_token" "d" {}
`, "TF_LOG=debug", "TF_LOG_PATH="+logFile)
	run.MustRun("plan")
	// The cache's debug lines name its files, never what is in them.
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(log, []byte("token cache entry written")) {
		t.Error("the debug log does not say the token cache entry was written")
	}
	for _, secret := range []string{acctest.ClientSecret, srv.LastIssuedToken()} {
		if bytes.Contains(log, []byte(secret)) {
			t.Errorf("the debug log holds a secret or the token")
		}
	}

	// Another process is requesting the token: it holds the entry's lock.
	var lock string
	for name := range acctest.CacheFiles(t, dir) {
		switch {
		case strings.HasSuffix(name, ".token"):
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
		case strings.HasSuffix(name, ".lock"):
			lock = filepath.Join(dir, name)
		}
	}
	f, err := os.OpenFile(lock, os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("the first plan left no lock file: %v", err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(logFile); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	var out bytes.Buffer
	cmd := run.Command(ctx, &out, "plan")
	// Ctrl-C in a terminal signals the whole foreground process group: the
	// CLI and the provider processes it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	waiting := time.Now().Add(time.Minute)
	for {
		b, _ := os.ReadFile(logFile)
		if bytes.Contains(b, []byte("waiting for another process's token request")) {
			break
		}
		if time.Now().After(waiting) {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			t.Fatalf("the plan never waited for the lock:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Errorf("the interrupted plan succeeded without a token:\n%s", out.String())
		}
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		t.Fatalf("the plan still waited for the lock 15 s after Ctrl-C:\n%s", out.String())
	}
	if srv.TokenRequests() != 1 {
		t.Errorf("%d token requests, want 1 (the first plan's): the interrupted plan must not request without the lock", srv.TokenRequests())
	}
	if !acctest.ErrorText("interrupted (Ctrl-C, or the run was stopped)").MatchString(out.String()) {
		t.Errorf("the plan does not say it was interrupted:\n%s", out.String())
	}
	if strings.Contains(out.String(), "waited 5m0s") {
		t.Errorf("the wait ended by its time limit, not by the interrupt:\n%s", out.String())
	}
}
