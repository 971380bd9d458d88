// Command verify checks that a goreleaser dist directory has the layout the
// Terraform and OpenTofu registries require of a provider release:
//
//	NAME_VERSION_OS_ARCH.zip   holding the binary NAME_vVERSION (.exe on Windows)
//	                           and no other program
//	NAME_VERSION_SHA256SUMS    covering every zip and NAME_VERSION_manifest.json,
//	                           and nothing else
//	NAME_VERSION_SHA256SUMS.sig
//	                           a detached signature of NAME_VERSION_SHA256SUMS
//	NAME_VERSION_manifest.json the registry manifest, protocol versions listed
//
// and that servicetitan-standin comes beside it for the same platforms:
//
//	servicetitan-standin_VERSION_OS_ARCH.tar.gz (.zip on Windows) holding the
//	binary servicetitan-standin (.exe on Windows)
//
// It checks that the signature is there, not whose it is: make release-check
// verifies it with gpg against the public key alone, as a registry does.
//
// Usage: verify DIST_DIR MANIFEST_FILE
package main

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: verify DIST_DIR MANIFEST_FILE")
		os.Exit(2)
	}
	if err := verify(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "release layout: "+err.Error())
		os.Exit(1)
	}
}

func verify(dist, manifestFile string) error {
	var meta struct {
		ProjectName string `json:"project_name"`
		Version     string `json:"version"`
	}
	if err := readJSON(filepath.Join(dist, "metadata.json"), &meta); err != nil {
		return err
	}
	prefix := meta.ProjectName + "_" + meta.Version + "_"

	var manifest struct {
		Version  int `json:"version"`
		Metadata struct {
			ProtocolVersions []string `json:"protocol_versions"`
		} `json:"metadata"`
	}
	if err := readJSON(manifestFile, &manifest); err != nil {
		return err
	}
	if manifest.Version != 1 || len(manifest.Metadata.ProtocolVersions) == 0 {
		return fmt.Errorf("%s: want version 1 and at least one protocol version", manifestFile)
	}

	zips, err := filepath.Glob(filepath.Join(dist, prefix+"*.zip"))
	if err != nil {
		return err
	}
	if len(zips) == 0 {
		return fmt.Errorf("no %s*.zip in %s", prefix, dist)
	}
	want := map[string]string{prefix + "manifest.json": manifestFile}
	for _, z := range zips {
		if err := checkZip(z, prefix, meta.ProjectName+"_v"+meta.Version); err != nil {
			return err
		}
		want[filepath.Base(z)] = z
	}

	sums, err := readSums(filepath.Join(dist, prefix+"SHA256SUMS"))
	if err != nil {
		return err
	}
	// The registries refuse a release without the signature of its sums.
	if fi, err := os.Stat(filepath.Join(dist, prefix+"SHA256SUMS.sig")); err != nil || fi.Size() == 0 {
		return fmt.Errorf("no signature %sSHA256SUMS.sig beside %sSHA256SUMS: the registries refuse an unsigned release", prefix, prefix)
	}
	for name, path := range want {
		got, ok := sums[name]
		if !ok {
			return fmt.Errorf("%sSHA256SUMS does not list %s", prefix, name)
		}
		sum, err := sha256File(path)
		if err != nil {
			return err
		}
		if got != sum {
			return fmt.Errorf("%sSHA256SUMS has %s for %s, the file's digest is %s", prefix, got, name, sum)
		}
		delete(sums, name)
	}
	if len(sums) > 0 {
		return fmt.Errorf("%sSHA256SUMS lists files that are not part of the release: %s", prefix, strings.Join(sortedKeys(sums), ", "))
	}

	standIns, err := verifyStandIn(dist, meta.Version, platforms(zips, prefix))
	if err != nil {
		return err
	}

	fmt.Printf("release layout ok: %d zip(s), %sSHA256SUMS and its .sig, %smanifest.json (protocol %s); %d %s archive(s)\n",
		len(zips), prefix, prefix, strings.Join(manifest.Metadata.ProtocolVersions, ", "), standIns, standInName)
	return nil
}

// standInName is the stand-in ServiceTitan command released with the
// provider.
const standInName = "servicetitan-standin"

func platforms(zips []string, prefix string) []string {
	var out []string
	for _, z := range zips {
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(z), prefix), ".zip"))
	}
	sort.Strings(out)
	return out
}

// verifyStandIn wants one stand-in archive per provider platform, each
// holding the stand-in's binary at the top level.
func verifyStandIn(dist, version string, want []string) (int, error) {
	prefix := standInName + "_" + version + "_"
	var got []string
	for _, pattern := range []string{prefix + "*.tar.gz", prefix + "*.zip"} {
		matches, err := filepath.Glob(filepath.Join(dist, pattern))
		if err != nil {
			return 0, err
		}
		for _, path := range matches {
			name := filepath.Base(path)
			platform := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(name, prefix), ".tar.gz"), ".zip")
			windows := strings.HasPrefix(platform, "windows_")
			binary := standInName
			if windows {
				binary += ".exe"
			}
			var files map[string]fs.FileMode
			switch {
			case windows != strings.HasSuffix(name, ".zip"):
				return 0, fmt.Errorf("%s: want a .zip on Windows and a .tar.gz elsewhere", name)
			case windows:
				files, err = zipFiles(path)
			default:
				files, err = tarFiles(path)
			}
			if err != nil {
				return 0, fmt.Errorf("%s: %w", name, err)
			}
			mode, ok := files[binary]
			if !ok {
				return 0, fmt.Errorf("%s: no %s at the top level (holds %q)", name, binary, sortedNames(files))
			}
			if !windows && mode&0o111 == 0 {
				return 0, fmt.Errorf("%s: %s is not executable (mode %s)", name, binary, mode)
			}
			for f := range files {
				if strings.HasPrefix(filepath.Base(f), "terraform-provider-") {
					return 0, fmt.Errorf("%s: holds the provider binary %s, which belongs in the provider's zips", name, f)
				}
			}
			got = append(got, platform)
		}
	}
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		return 0, fmt.Errorf("%s archives for platforms %q, want the provider's %q", standInName, got, want)
	}
	return len(got), nil
}

func zipFiles(path string) (map[string]fs.FileMode, error) {
	r, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	files := map[string]fs.FileMode{}
	for _, f := range r.File {
		files[f.Name] = f.Mode()
	}
	return files, nil
}

func tarFiles(path string) (map[string]fs.FileMode, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	files := map[string]fs.FileMode{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files, nil
		}
		if err != nil {
			return nil, err
		}
		files[h.Name] = h.FileInfo().Mode()
	}
}

func sortedNames(files map[string]fs.FileMode) []string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// checkZip wants exactly one file named like the binary, at the top level.
func checkZip(path, prefix, binary string) error {
	platform := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), prefix), ".zip")
	if strings.Count(platform, "_") != 1 {
		return fmt.Errorf("%s: name does not end in _OS_ARCH.zip", path)
	}
	if strings.HasPrefix(platform, "windows_") {
		binary += ".exe"
	}
	r, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer r.Close()
	var found []string
	for _, f := range r.File {
		if strings.HasPrefix(filepath.Base(f.Name), "terraform-provider-") {
			found = append(found, f.Name)
		}
		// The registry installs the whole zip as the provider: another
		// program in it would be shipped to every user's plugin directory.
		if strings.HasPrefix(filepath.Base(f.Name), standInName) {
			return fmt.Errorf("%s: holds %s, which belongs in archives of its own", path, f.Name)
		}
	}
	if len(found) != 1 || found[0] != binary {
		return fmt.Errorf("%s: want the single binary %s at the top level, found %q", path, binary, found)
	}
	return nil
}

func readSums(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != sha256.Size*2 {
			return nil, fmt.Errorf("%s: line %q is not \"<sha256>  <file>\"", path, sc.Text())
		}
		sums[name] = sum
	}
	return sums, sc.Err()
}

func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
