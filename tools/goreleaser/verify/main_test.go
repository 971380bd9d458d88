package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	testProject = "terraform-provider-servicetitan"
	testVersion = "1.2.3"
)

// release describes a dist directory; each test changes one thing about a
// good one.
type release struct {
	platforms        []string
	providerExtra    map[string]string // more files in every provider zip
	standInPlatforms []string
	standInMode      int64
	standInInSums    bool
	unsigned         bool
}

func goodRelease() release {
	return release{
		platforms:        []string{"linux_amd64", "windows_amd64"},
		standInPlatforms: []string{"linux_amd64", "windows_amd64"},
		standInMode:      0o755,
	}
}

func (r release) write(t *testing.T) (dist, manifest string) {
	t.Helper()
	dist = t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dist, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("metadata.json", `{"project_name":"`+testProject+`","version":"`+testVersion+`"}`)
	manifest = write("terraform-registry-manifest.json", `{"version":1,"metadata":{"protocol_versions":["6.0"]}}`)
	prefix := testProject + "_" + testVersion + "_"
	sums := map[string]string{prefix + "manifest.json": manifest}
	for _, p := range r.platforms {
		bin := testProject + "_v" + testVersion
		if strings.HasPrefix(p, "windows_") {
			bin += ".exe"
		}
		files := map[string]string{bin: "provider", "README.md": "readme"}
		for k, v := range r.providerExtra {
			files[k] = v
		}
		name := prefix + p + ".zip"
		writeZip(t, filepath.Join(dist, name), files, 0o755)
		sums[name] = filepath.Join(dist, name)
	}
	for _, p := range r.standInPlatforms {
		name := "servicetitan-standin_" + testVersion + "_" + p
		if strings.HasPrefix(p, "windows_") {
			name += ".zip"
			writeZip(t, filepath.Join(dist, name), map[string]string{"servicetitan-standin.exe": "stand-in"}, r.standInMode)
		} else {
			name += ".tar.gz"
			writeTarGz(t, filepath.Join(dist, name), map[string]string{"servicetitan-standin": "stand-in", "docs/guides/testing.md": "guide"}, r.standInMode)
		}
		if r.standInInSums {
			sums[name] = filepath.Join(dist, name)
		}
	}
	var lines []string
	for name, path := range sums {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		lines = append(lines, hex.EncodeToString(sum[:])+"  "+name)
	}
	write(prefix+"SHA256SUMS", strings.Join(lines, "\n")+"\n")
	if !r.unsigned {
		// verify checks that the signature is there; gpg checks what it says.
		write(prefix+"SHA256SUMS.sig", "signature")
	}
	return dist, manifest
}

func writeZip(t *testing.T, path string, files map[string]string, mode int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := zip.NewWriter(f)
	for name, content := range files {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(os.FileMode(mode))
		fw, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write([]byte(content))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
}

func writeTarGz(t *testing.T, path string, files map[string]string, mode int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	for name, content := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: mode, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write([]byte(content))
	}
	_ = tw.Close()
	_ = gz.Close()
	_ = f.Close()
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name   string
		change func(*release)
		errSub string
	}{
		{name: "good", change: func(*release) {}},
		{name: "stand-in in the provider zip", change: func(r *release) {
			r.providerExtra = map[string]string{"servicetitan-standin": "stand-in"}
		}, errSub: "belongs in archives of its own"},
		{name: "stand-in archives in SHA256SUMS", change: func(r *release) { r.standInInSums = true },
			errSub: "lists files that are not part of the release: servicetitan-standin_1.2.3_linux_amd64.tar.gz"},
		{name: "stand-in missing for a platform", change: func(r *release) { r.standInPlatforms = []string{"linux_amd64"} },
			errSub: `servicetitan-standin archives for platforms ["linux_amd64"], want the provider's ["linux_amd64" "windows_amd64"]`},
		{name: "no stand-in at all", change: func(r *release) { r.standInPlatforms = nil }, errSub: "servicetitan-standin archives for platforms []"},
		{name: "stand-in not executable", change: func(r *release) { r.standInMode = 0o644 }, errSub: "is not executable"},
		{name: "SHA256SUMS not signed", change: func(r *release) { r.unsigned = true },
			errSub: "no signature terraform-provider-servicetitan_1.2.3_SHA256SUMS.sig"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := goodRelease()
			tt.change(&r)
			dist, manifest := r.write(t)
			err := verify(dist, manifest)
			switch {
			case tt.errSub == "" && err != nil:
				t.Fatalf("good release refused: %v", err)
			case tt.errSub != "" && (err == nil || !strings.Contains(err.Error(), tt.errSub)):
				t.Fatalf("err %v, want it to contain %q", err, tt.errSub)
			}
		})
	}
}
