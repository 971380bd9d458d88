//go:build unix

package provider

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

// TestAccCtrlCStopsATokenWait presses Ctrl-C as a terminal does, SIGINT to
// the CLI's whole process group, while the provider sits out a Retry-After
// of 25 seconds. During the planning phase of `terraform apply` Terraform
// does not stop its providers, so only the provider's own handling of
// SIGINT can end the wait.
func TestAccCtrlCStopsATokenWait(t *testing.T) {
	const retryAfter = 25 * time.Second
	// Generous for a shared machine, and still well under the Retry-After.
	const bound = 15 * time.Second
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

			var out bytes.Buffer
			args := []string{tc.command}
			if tc.command == "apply" {
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

			deadline := time.Now().Add(2 * time.Minute)
			for srv.TokenRequests() == 0 {
				select {
				case <-done:
					t.Fatalf("%s ended before asking for a token (%v):\n%s", tc.command, exitErr, out.String())
				case <-time.After(20 * time.Millisecond):
				}
				if time.Now().After(deadline) {
					killGroup()
					<-done
					t.Fatalf("the stand-in received no token request within 2 minutes:\n%s", out.String())
				}
			}

			sent := time.Now()
			if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			select {
			case <-done:
			case <-time.After(bound):
				killGroup()
				<-done
				t.Fatalf("%s was still running %s after Ctrl-C, waiting out a Retry-After of %s:\n%s", tc.command, bound, retryAfter, out.String())
			}
			t.Logf("%s exited %s after Ctrl-C", tc.command, time.Since(sent).Round(time.Millisecond))
			if !tc.want.MatchString(out.String()) {
				t.Errorf("the output does not say %q:\n%s", tc.want, out.String())
			}
			if strings.Contains(out.String(), "context canceled") {
				t.Errorf("the output says a bare \"context canceled\":\n%s", out.String())
			}
			if n := srv.TokenRequests(); n != 1 {
				t.Errorf("the stand-in received %d token requests, want 1: the wait must not be followed by a retry", n)
			}
		})
	}
}
