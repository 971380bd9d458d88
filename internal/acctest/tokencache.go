package acctest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// CacheFiles returns the name and content of every file in a token cache
// directory.
func CacheFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

// cacheFileName is all a cache file's name may be: a keyed hash, which
// reveals nothing, and what kind of file it is.
var cacheFileName = regexp.MustCompile(`^[0-9a-f]{64}\.(token|lock)$`)

// CheckTokenCacheRevealsNothing holds a token cache directory to what the
// cache promises whoever can read it: files named by keyed hashes alone,
// none of the forbidden strings (the token, its claims, the secret, the
// client id) in any file, the directory 0700 and its files 0600 where mode
// bits mean anything.
func CheckTokenCacheRevealsNothing(t *testing.T, dir string, forbidden []string) {
	t.Helper()
	files := CacheFiles(t, dir)
	if len(files) == 0 {
		t.Fatal("the token cache directory is empty")
	}
	for name, content := range files {
		if !cacheFileName.MatchString(name) {
			t.Errorf("cache file %s is not named by a keyed hash alone", name)
		}
		for _, f := range forbidden {
			if bytes.Contains(content, []byte(f)) {
				t.Errorf("cache file %s reveals %q", name, f)
			}
		}
	}
	if runtime.GOOS == "windows" {
		return
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("cache directory %s: %v, mode %v, want 0700", dir, err, fi.Mode().Perm())
	}
	for name := range files {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("cache file %s: %v, mode %v, want 0600", name, err, fi.Mode().Perm())
		}
	}
}

// TokenRevealers are the strings whose presence in a file would reveal a
// token: the token, each of its three parts, and every claim's name and
// value. The token is decoded as the JWT the stand-in issues.
func TokenRevealers(t *testing.T, token string) []string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("the token is not a JWT of three parts")
	}
	out := append([]string{token}, parts...)
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	for name, v := range claims {
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case float64:
			out = append(out, fmt.Sprintf("%.0f", v))
		case []any:
			for _, s := range v {
				out = append(out, fmt.Sprint(s))
			}
		default:
			t.Fatalf("claim %s has an unexpected type %T", name, v)
		}
		out = append(out, `"`+name+`"`)
	}
	return out
}
