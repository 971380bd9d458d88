package acctest

import (
	"bufio"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// ExampleSuite is one directory of .tftest.hcl files in an example of
// examples/tests, run with `terraform test -test-directory=DIR` (or `tofu
// test`) as the testing guide tells users to. Comment lines in its test
// files say how to run it:
//
//	# Stand-in: servicetitan-standin FLAGS   start a stand-in with FLAGS and
//	                                         point SERVICETITAN_*_ROOT_URL at it
//	# Skip unless set: VAR...                skip, saying why, unless every
//	                                         SERVICETITAN_INTEGRATION_X is set,
//	                                         and pass each to the CLI as
//	                                         SERVICETITAN_X
//	# Must fail with: TEXT                   the suite must fail, and its
//	                                         diagnostics must contain TEXT
//
// Which CLI releases can run it is found from its text, like any
// configuration's (FeaturesUsedBy).
type ExampleSuite struct {
	// Name is "EXAMPLE/DIR", such as "stand-in/throttled".
	Name string
	// Example is the example's directory; Dir the suite's, inside it.
	Example, Dir string
	// StandIn is the stand-in's command line, nil when the suite needs none.
	StandIn []string
	// SkipUnlessSet lists SERVICETITAN_INTEGRATION_* variables it needs.
	SkipUnlessSet []string
	// MustFailWith are texts the diagnostics of a suite that must fail hold.
	MustFailWith []string
	// text is the example's configuration and the suite's test files.
	text string
}

// ExampleSuites finds every suite under root (examples/tests).
func ExampleSuites(t *testing.T, root string) []ExampleSuite {
	t.Helper()
	tests, err := filepath.Glob(filepath.Join(root, "*", "*", "*.tftest.hcl"))
	if err != nil || len(tests) == 0 {
		t.Fatalf("no test files under %s: %v", root, err)
	}
	byDir := map[string][]string{}
	var dirs []string
	for _, f := range tests {
		d := filepath.Dir(f)
		if byDir[d] == nil {
			dirs = append(dirs, d)
		}
		byDir[d] = append(byDir[d], f)
	}
	var suites []ExampleSuite
	for _, d := range dirs {
		example := filepath.Dir(d)
		s := ExampleSuite{Name: filepath.Base(example) + "/" + filepath.Base(d), Example: example, Dir: filepath.Base(d)}
		var text strings.Builder
		configs, _ := filepath.Glob(filepath.Join(example, "*.tf"))
		for _, f := range append(configs, byDir[d]...) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			text.Write(data)
			text.WriteString("\n")
		}
		s.text = text.String()
		for _, line := range strings.Split(s.text, "\n") {
			name, value, ok := strings.Cut(strings.TrimPrefix(line, "# "), ": ")
			if !ok || !strings.HasPrefix(line, "# ") {
				continue
			}
			switch name {
			case "Stand-in":
				s.StandIn = strings.Fields(value)
			case "Skip unless set":
				s.SkipUnlessSet = append(s.SkipUnlessSet, strings.Fields(value)...)
			case "Must fail with":
				s.MustFailWith = append(s.MustFailWith, strings.TrimSpace(value))
			}
		}
		suites = append(suites, s)
	}
	return suites
}

// Run runs the suite in a copy of its example, with the provider built from
// this module and, when the suite asks for one, a stand-in of its own.
func (s ExampleSuite) Run(t *testing.T) {
	SkipBelow(t, TestCommand)
	SkipUnlessSupported(t, s.text)
	var env, missing []string
	for _, v := range s.SkipUnlessSet {
		if !strings.HasPrefix(v, "SERVICETITAN_INTEGRATION_") {
			t.Fatalf("Skip unless set names %s; only SERVICETITAN_INTEGRATION_* variables are passed on", v)
		}
		if value := os.Getenv(v); value == "" {
			missing = append(missing, v)
		} else {
			env = append(env, "SERVICETITAN_"+strings.TrimPrefix(v, "SERVICETITAN_INTEGRATION_")+"="+value)
		}
	}
	if len(missing) > 0 {
		t.Skipf("%s not set (the credentials of an app in ServiceTitan's integration environment)", strings.Join(missing, " "))
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("the examples under examples/tests call the stand-in with curl; install curl")
	}

	dir := t.TempDir()
	if err := copyExample(s.Example, dir); err != nil {
		t.Fatal(err)
	}
	standInLog := func() string { return "" }
	if s.StandIn != nil {
		var url string
		url, standInLog = s.startStandIn(t)
		env = append(env, "SERVICETITAN_AUTH_ROOT_URL="+url, "SERVICETITAN_API_ROOT_URL="+url)
	}
	out, err := CLIRunIn(t, dir, env...).Run("test", "-test-directory="+s.Dir)

	var problems []string
	if len(s.MustFailWith) > 0 {
		// Diagnostics are wrapped to the terminal width: each space in a
		// text matches any white space.
		if err == nil {
			problems = append(problems, "passed, but must fail")
		}
		for _, text := range s.MustFailWith {
			if err != nil && !ErrorText(text).MatchString(out) {
				problems = append(problems, "the diagnostics lack "+text)
			}
		}
	} else if err != nil {
		problems = append(problems, "test failed: "+err.Error())
	}
	if len(problems) > 0 {
		if log := standInLog(); log != "" {
			out += "\nstand-in log:\n" + log
		}
		t.Fatalf("%s\n%s", strings.Join(problems, "; "), out)
	}
	if len(s.MustFailWith) > 0 {
		t.Logf("failed as it must, with: %s", strings.Join(s.MustFailWith, "; "))
	}
}

// startStandIn starts the suite's stand-in and reads its URL from the first
// line of its output, as the testing guide shows. It is stopped with
// SIGTERM when the test ends, and must exit cleanly.
func (s ExampleSuite) startStandIn(t *testing.T) (url string, log func() string) {
	t.Helper()
	if s.StandIn[0] != "servicetitan-standin" {
		t.Fatalf("the Stand-in line must start with servicetitan-standin: %s", strings.Join(s.StandIn, " "))
	}
	cmd := exec.Command(StandInBinary(t), s.StandIn[1:]...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(t.TempDir(), "stand-in.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close() // the child has its own copy
	cmd.Stderr = logFile
	log = func() string {
		data, _ := os.ReadFile(logPath)
		return string(data)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	urls := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		urls <- strings.TrimSpace(line)
		_, _ = io.Copy(io.Discard, stdout)
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("the stand-in exited with %v on SIGTERM:\n%s", err, log())
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("the stand-in did not exit within 10s of SIGTERM")
		}
	})
	select {
	case url = <-urls:
		if !strings.HasPrefix(url, "http://127.0.0.1:") {
			t.Fatalf("the stand-in (%s) printed no URL:\n%s", strings.Join(s.StandIn, " "), log())
		}
		return url, log
	case <-time.After(15 * time.Second):
		t.Fatalf("the stand-in (%s) printed no URL within 15s:\n%s", strings.Join(s.StandIn, " "), log())
	}
	return "", log
}

// copyExample copies an example's files, leaving out what a run of it
// there may have left behind (.terraform, state files).
func copyExample(from, to string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			if d.Name() == ".terraform" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(to, rel), 0o700)
		}
		if strings.Contains(d.Name(), ".tfstate") || strings.HasPrefix(d.Name(), ".terraform.lock") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o600)
	})
}
