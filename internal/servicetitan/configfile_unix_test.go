//go:build unix

package servicetitan_test

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// unreadableFileEnv hands the child process of
// TestUnreadableConfigFileIsReported the file it checks.
const unreadableFileEnv = "CONFIGFILE_TEST_UNREADABLE_FILE"

// nobodyUID is the account the check runs as when the test runs as root. Any
// account other than root and the file's owner would do; 65534 is nobody on
// Linux and most other systems.
const nobodyUID = 65534

// A config file the user may not read is reported as unreadable, with the
// reason: a user told "does not exist" looks for a typo in a path that is
// right. Root reads any file, so when the tests run as root the check runs
// in a child process of this test binary as nobody, in directories that
// account can enter, against a file it cannot read.
func TestUnreadableConfigFileIsReported(t *testing.T) {
	if os.Geteuid() != 0 {
		path := lockedConfigFile(t, t.TempDir())
		if f, err := os.Open(path); err == nil {
			_ = f.Close()
			t.Skip("this account reads a file whose mode is 0000 without being root (a capability such as CAP_DAC_OVERRIDE), so the permission case cannot be observed")
		}
		wantUnreadableReported(t, path)
		return
	}

	// The test binary's directory may be private to root, so the child
	// runs a copy from a directory it can enter.
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "servicetitan.test")
	copyExecutable(t, self, bin, 0o755)
	path := lockedConfigFile(t, dir)

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.run=^TestUnreadableConfigFileAsAnotherUser$", "-test.count=1", "-test.v")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), unreadableFileEnv+"="+path, "HOME="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobodyUID, Gid: nobodyUID}}
	out, err := cmd.CombinedOutput()
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("the check as uid %d did not finish within 30 s:\n%s", nobodyUID, out)
	case errors.As(err, &exitErr):
		t.Fatalf("the check as uid %d failed (%v):\n%s", nobodyUID, err, out)
	case err != nil:
		t.Skipf("running as root, which reads any file, and a process as uid %d could not be started (%v; is every directory above %s open to others?): the permission case cannot be observed", nobodyUID, err, dir)
	case !strings.Contains(string(out), "--- PASS: TestUnreadableConfigFileAsAnotherUser"):
		t.Fatalf("the check as uid %d did not run:\n%s", nobodyUID, out)
	}
}

// TestUnreadableConfigFileAsAnotherUser is the check of
// TestUnreadableConfigFileIsReported in the child process it starts as
// another user.
func TestUnreadableConfigFileAsAnotherUser(t *testing.T) {
	path := os.Getenv(unreadableFileEnv)
	if path == "" {
		t.Skip("runs only in the child process that TestUnreadableConfigFileIsReported starts as another user")
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("uid %d cannot reach the config file, so its being unreadable would not be what is checked: %v", os.Geteuid(), err)
	}
	if f, err := os.Open(path); err == nil {
		_ = f.Close()
		t.Fatalf("uid %d can read %s although its mode is 0000", os.Geteuid(), path)
	}
	wantUnreadableReported(t, path)
}

func wantUnreadableReported(t *testing.T, path string) {
	t.Helper()
	_, _, err := servicetitan.Resolve(servicetitan.Input{"config_file": path, "client_secret": testSecret}, servicetitan.Options{LookupEnv: env(nil)})
	if err == nil {
		t.Fatal("Resolve accepted a config file that cannot be read")
	}
	wantContains(t, err.Error(), `config file "`+path+`"`, `from attribute "config_file"`, "cannot be read", "permission denied")
	mustNotLeak(t, err.Error())
}

// lockedConfigFile writes a valid config file in dir with mode 0000.
func lockedConfigFile(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "servicetitan.json")
	if err := os.WriteFile(path, []byte(`{"SERVICETITAN_TENANT_ID": "1"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0); err != nil {
		t.Fatal(err)
	}
	return path
}

func copyExecutable(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = src.Close() }()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		_ = dst.Close()
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
