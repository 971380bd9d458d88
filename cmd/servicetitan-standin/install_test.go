package main

import (
	"bufio"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

const modulePath = "github.com/servicetitan-tf/terraform-provider-servicetitan"

// installVersion is what the module proxy of this test serves; any valid
// version would do, since the module cache the install uses is the test's own.
const installVersion = "v0.0.1-installtest"

// TestGoInstallFromOutsideTheModule does what the testing guide tells users
// to do, `go install .../cmd/servicetitan-standin@VERSION` in a directory
// that is no Go module, against a module proxy that serves the working tree
// as a release. It proves the command's package is importable from outside
// (no internal/ path in the way) and that the module installs without
// replace directives, then runs the installed binary as a script would.
func TestGoInstallFromOutsideTheModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command from a module proxy; skipped with -short")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git on PATH: the test takes the module's files from git ls-files")
	}
	root := moduleRoot(t, goCmd)
	proxy := t.TempDir()
	writeModuleProxy(t, root, proxy)

	// Dependencies come from the machine's module cache, read as a proxy,
	// then from the configured proxy; nothing is written to that cache, so a
	// rerun never picks up a stale copy of this module.
	realCache := goEnv(t, goCmd, "GOMODCACHE")
	proxies := []string{fileURL(proxy), fileURL(filepath.Join(realCache, "cache", "download"))}
	if p := goEnv(t, goCmd, "GOPROXY"); p != "" && p != "off" {
		proxies = append(proxies, p)
	}
	gobin := t.TempDir()
	outside := t.TempDir()
	install := exec.Command(goCmd, "install", modulePath+"/cmd/servicetitan-standin@"+installVersion)
	install.Dir = outside
	install.Env = append(os.Environ(),
		"GOPROXY="+strings.Join(proxies, ","),
		"GOMODCACHE="+t.TempDir(),
		"GOBIN="+gobin,
		"GOFLAGS=-modcacherw", // lets t.TempDir remove the module cache
		"GOWORK=off",
		"GOTOOLCHAIN=local",
		"GOPRIVATE=", "GONOPROXY=",
		// This version of the module exists only here, so the checksum
		// database cannot know it; dependencies are still checked.
		"GONOSUMDB="+modulePath,
	)
	start := time.Now()
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install from outside the module failed: %v\n%s", err, out)
	}
	t.Logf("go install took %s", time.Since(start).Round(time.Millisecond))

	bin := filepath.Join(gobin, "servicetitan-standin")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if out, err := exec.Command(bin, "-version").Output(); err != nil || strings.TrimSpace(string(out)) != "servicetitan-standin "+installVersion {
		t.Errorf("-version printed %q (%v), want the installed module version %s", out, err, installVersion)
	}

	// Windows has neither signal to send.
	if runtime.GOOS == "windows" {
		runInstalled(t, bin, nil)
		return
	}
	for _, sig := range []os.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) { runInstalled(t, bin, sig) })
	}
}

// runInstalled starts the binary as a script would, reads its URL from the
// first line of stdout, calls it, then stops it with sig and wants a clean
// exit.
func runInstalled(t *testing.T, bin string, sig os.Signal) {
	cmd := exec.Command(bin)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
		}
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
		waitErr = cmd.Wait()
		close(exited)
	}()
	var base string
	select {
	case base = <-lines:
	case <-time.After(15 * time.Second):
		t.Fatalf("the installed binary printed no URL within 15s; stderr:\n%s", stderr.String())
	}
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Port() == "" || u.Path != "" {
		t.Fatalf("first line of stdout %q is not a loopback base URL", base)
	}
	resp, err := http.Get(base + "/_stand-in/stats")
	if err != nil {
		t.Fatal(err)
	}
	var stats map[string]int
	err = json.NewDecoder(resp.Body).Decode(&stats)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("stats: %d %v", resp.StatusCode, err)
	}

	if sig == nil {
		return // Kill in Cleanup ends it
	}
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		if waitErr != nil {
			t.Errorf("exit after %s: %v, want status 0; stderr:\n%s", sig, waitErr, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("still running 15s after %s", sig)
	}
}

func moduleRoot(t *testing.T, goCmd string) string {
	gomod := goEnv(t, goCmd, "GOMOD")
	if filepath.Base(gomod) != "go.mod" {
		t.Fatalf("go env GOMOD = %q", gomod)
	}
	return filepath.Dir(gomod)
}

func goEnv(t *testing.T, goCmd, name string) string {
	t.Helper()
	out, err := exec.Command(goCmd, "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

func fileURL(dir string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}).String()
}

// writeModuleProxy lays out a GOPROXY directory serving the working tree,
// committed or not, as installVersion: the files git would add, less those
// of nested modules (tools/...), which a module zip leaves out anyway.
func writeModuleProxy(t *testing.T, root, proxy string) {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Skipf("the module is not a git work tree (%v); the test needs its file list", err)
	}
	var files []zip.File
	nested := map[string]bool{}
	for _, rel := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		info, err := os.Lstat(filepath.Join(root, rel))
		if err != nil || !info.Mode().IsRegular() {
			continue // deleted but not yet committed, or a symlink git tracks
		}
		if path.Base(rel) == "go.mod" && rel != "go.mod" {
			nested[path.Dir(rel)] = true
		}
		files = append(files, treeFile{root: root, rel: rel, info: info})
	}
	kept := files[:0]
	for _, f := range files {
		if !inNested(f.Path(), nested) {
			kept = append(kept, f)
		}
	}

	dir := filepath.Join(proxy, filepath.FromSlash(modulePath), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	z, err := os.Create(filepath.Join(dir, installVersion+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	if err := zip.Create(z, module.Version{Path: modulePath, Version: installVersion}, kept); err != nil {
		t.Fatalf("module zip: %v", err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	info, _ := json.Marshal(map[string]string{"Version": installVersion, "Time": time.Now().UTC().Format(time.RFC3339)})
	for name, content := range map[string][]byte{
		installVersion + ".mod":  gomod,
		installVersion + ".info": info,
		"list":                   []byte(installVersion + "\n"),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func inNested(rel string, nested map[string]bool) bool {
	for d := path.Dir(rel); d != "."; d = path.Dir(d) {
		if nested[d] {
			return true
		}
	}
	return false
}

// treeFile is a file of the working tree as golang.org/x/mod/zip wants it.
type treeFile struct {
	root, rel string
	info      fs.FileInfo
}

func (f treeFile) Path() string                { return f.rel }
func (f treeFile) Lstat() (fs.FileInfo, error) { return f.info, nil }
func (f treeFile) Open() (io.ReadCloser, error) {
	return os.Open(filepath.Join(f.root, filepath.FromSlash(f.rel)))
}
