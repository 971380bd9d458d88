// Command verify checks that a goreleaser dist directory has the layout the
// Terraform and OpenTofu registries require of a provider release:
//
//	NAME_VERSION_OS_ARCH.zip   holding the binary NAME_vVERSION (.exe on Windows)
//	NAME_VERSION_SHA256SUMS    covering every zip and NAME_VERSION_manifest.json
//	NAME_VERSION_manifest.json the registry manifest, protocol versions listed
//
// Usage: verify DIST_DIR MANIFEST_FILE
package main

import (
	"archive/zip"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
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

	fmt.Printf("release layout ok: %d zip(s), %sSHA256SUMS, %smanifest.json (protocol %s)\n",
		len(zips), prefix, prefix, strings.Join(manifest.Metadata.ProtocolVersions, ", "))
	return nil
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
