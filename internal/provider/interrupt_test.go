//go:build unix

package provider

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

// Ctrl-C tests sit out a Retry-After of ctrlCRetryAfter and must be back
// within ctrlCBound: generous for a shared machine, and still well under
// the Retry-After.
const (
	ctrlCRetryAfter = 25 * time.Second
	ctrlCBound      = 15 * time.Second
)

// TestAccCtrlCStopsATokenWait presses Ctrl-C as a terminal does, SIGINT to
// the CLI's whole process group, while the provider sits out a Retry-After
// of 25 seconds. During the planning phase of `terraform apply` Terraform
// does not stop its providers, so only the provider's own handling of
// SIGINT can end the wait.
func TestAccCtrlCStopsATokenWait(t *testing.T) {
	const useEphemeral = `
ephemeral "servicetitan_auth_token" "e" {}

resource "terraform_data" "use" {
  provisioner "local-exec" {
    command     = "test -n \"$TOKEN_TYPE\""
    environment = { TOKEN_TYPE = ephemeral.servicetitan_auth_token.e.token_type }
  }
}
`
	const useDataSource = `
data "servicetitan_auth_token" "t" {}

resource "terraform_data" "use" {
  input = data.servicetitan_auth_token.t.expires_at
}
`
	// One message whichever stop wins, saying what was being waited for.
	interruptedWaiting := acctest.ErrorText("interrupted (Ctrl-C, or the run was stopped) while waiting 25s, as ServiceTitan's Retry-After asked after HTTP 503 (attempt 1 of 5), before a token arrived")
	for _, tc := range []struct {
		name, config, command string
		// want is what the output must say. A plan is stopped by Terraform
		// (StopProvider) or by the signal, whichever reaches the provider
		// first; an apply's planning phase only by the signal.
		want *regexp.Regexp
	}{
		{"apply with a data source", useDataSource, "apply", interruptedWaiting},
		{"apply with an ephemeral resource", useEphemeral, "apply", interruptedWaiting},
		{"plan with a data source", useDataSource, "plan", interruptedWaiting},
		{"plan with an ephemeral resource", useEphemeral, "plan", interruptedWaiting},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := acctest.StandIn(t)
			srv.InjectTokenFaults(fakeservicetitan.Fault{Status: 503, Headers: map[string]string{"Retry-After": "25"}})
			run := acctest.NewCLIRun(t, acctest.ProviderBlock(srv)+tc.config)

			out := interruptWhileWaiting(t, run, tc.command)
			if !tc.want.MatchString(out) {
				t.Errorf("the output does not say %q:\n%s", tc.want, out)
			}
			if strings.Contains(out, "context canceled") {
				t.Errorf("the output says a bare \"context canceled\":\n%s", out)
			}
			if n := srv.TokenRequests(); n != 1 {
				t.Errorf("the stand-in received %d token requests, want 1: the wait must not be followed by a retry", n)
			}
		})
	}
}

// waitingLine is what the provider logs once it sits out a Retry-After or
// a backoff: from then on, an interrupt is an interrupted wait.
const waitingLine = "request waiting before its next attempt"

// interruptWhileWaiting runs command and, once the provider's log says it
// is sitting out a wait (so the stand-in has answered, and the provider
// has read that answer), presses Ctrl-C as a terminal does: SIGINT to the
// CLI's process group. Interrupting at a fixed delay, or once the stand-in
// has merely received the request, races the answer under load. It fails
// the test unless the CLI exits within ctrlCBound, and returns what it
// printed.
func interruptWhileWaiting(t *testing.T, run *acctest.CLIRun, command string) string {
	t.Helper()
	logFile := filepath.Join(t.TempDir(), "provider.log")
	run.Env = append(run.Env, "TF_LOG_PROVIDER=debug", "TF_LOG_PATH="+logFile)
	var out bytes.Buffer
	args := []string{command}
	if command == "apply" {
		args = append(args, "-auto-approve")
	}
	cmd := run.Command(context.Background(), &out, args...)
	// A process group of its own, as a shell gives a foreground job,
	// so the signal reaches the CLI and its provider processes alike.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var exitErr error
	done := make(chan struct{})
	go func() { exitErr = cmd.Wait(); close(done) }()
	killGroup := func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	t.Cleanup(killGroup)

	waiting := func() bool {
		b, _ := os.ReadFile(logFile)
		return bytes.Contains(b, []byte(waitingLine))
	}
	deadline := time.Now().Add(2 * time.Minute)
	for !waiting() {
		select {
		case <-done:
			t.Fatalf("%s ended before the provider began to wait (%v):\n%s", command, exitErr, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			killGroup()
			<-done
			t.Fatalf("the provider logged no wait (%q) within 2 minutes:\n%s", waitingLine, out.String())
		}
	}

	sent := time.Now()
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(ctrlCBound):
		killGroup()
		<-done
		t.Fatalf("%s was still running %s after Ctrl-C, waiting out a Retry-After of %s:\n%s", command, ctrlCBound, ctrlCRetryAfter, out.String())
	}
	t.Logf("%s exited %s after Ctrl-C", command, time.Since(sent).Round(time.Millisecond))
	return out.String()
}
