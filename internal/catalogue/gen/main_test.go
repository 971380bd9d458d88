package main

import (
	"strings"
	"testing"
)

// The generator reads each kind of answer, query parameters given in
// place or by reference, a stated page-size cap and a version in the path
// as the shared extractor does, and skips paths outside the tenant.
func TestExtractReadsTheFactsOfEachOperation(t *testing.T) {
	rows, err := extract("testdata/specs")
	if err != nil {
		t.Fatal(err)
	}
	want := header + strings.Join([]string{
		"demo\tv2\tGET\tcodes\tdata-array\t0\t",
		"demo\tv2\tGET\texport/things\texport\t0\tfrom",
		"demo\tv2\tGET\tthings\tlist\t500\tpage,pageSize,active",
		"demo\tv2\tPOST\tthings\tobject\t0\t",
		"demo\tv2\tPOST\tthings/{id}/rows\treport\t0\t",
		"demo\tv2\tGET\tthings/{id}/tags\tarray\t0\t",
		"demo\tv2\tDELETE\tthings/{id}/tags\tnone\t0\t",
		"demo\tv3\tGET\tcalls\tobject\t0\t",
	}, "\n") + "\n"
	if got := strings.Join(rows, ""); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestExtractNeedsSpecs(t *testing.T) {
	if _, err := extract(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no *.json spec") {
		t.Errorf("got %v, want an error saying no spec was found", err)
	}
}
