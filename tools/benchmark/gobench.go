package benchmark

import (
	"bufio"
	"io"
	"strings"
)

// GoBench is one line of `go test -bench -benchmem` output.
type GoBench struct {
	// Name without the "Benchmark" prefix and the -GOMAXPROCS suffix.
	Name       string
	Procs      string
	Iterations string
	// Metrics by unit: "ns/op", "B/op", "allocs/op", and any custom ones.
	Metrics map[string]string
}

// ParseGoBench reads benchmark result lines and ignores everything else
// (goos, pkg, PASS, ok).
func ParseGoBench(r io.Reader) ([]GoBench, error) {
	var out []GoBench
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		b := GoBench{Name: strings.TrimPrefix(f[0], "Benchmark"), Iterations: f[1], Metrics: map[string]string{}}
		if i := strings.LastIndexByte(b.Name, '-'); i > 0 && isDigits(b.Name[i+1:]) {
			b.Name, b.Procs = b.Name[:i], b.Name[i+1:]
		}
		if !isDigits(b.Iterations) {
			continue
		}
		for i := 2; i+1 < len(f); i += 2 {
			b.Metrics[f[i+1]] = f[i]
		}
		out = append(out, b)
	}
	return out, sc.Err()
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
