// Command gen derives the catalogue of ServiceTitan's API operations from
// the OpenAPI specs ServiceTitan publishes, one file per API folder, and
// writes it as operations.tsv: facts only (folder, version, method, path
// below the tenant, kind of answer, page-size cap, query parameter names),
// never a description. The specs stay outside the repository:
//
//	go run ./internal/catalogue/gen -specs DIRECTORY_OF_SPECS -out internal/catalogue/operations.tsv
//
// or `go generate ./internal/catalogue` with SERVICETITAN_SPECS naming the
// directory.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

func main() {
	specs := flag.String("specs", "", "directory of ServiceTitan's OpenAPI specs (*.json), one per API folder")
	out := flag.String("out", "operations.tsv", "file to write")
	flag.Parse()
	if *specs == "" {
		fmt.Fprintln(os.Stderr, "gen: -specs names no directory; set SERVICETITAN_SPECS to a directory of ServiceTitan's published OpenAPI specs (see DESIGN.md, The API catalogue)")
		os.Exit(2)
	}
	rows, err := extract(*specs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, []byte(strings.Join(rows, "")), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Printf("%d operations written to %s\n", len(rows)-1, *out)
}

type spec struct {
	Servers []struct {
		URL string `json:"url"`
	} `json:"servers"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas    map[string]*schema          `json:"schemas"`
		Parameters map[string]*parameter       `json:"parameters"`
		Responses  map[string]*json.RawMessage `json:"responses"`
	} `json:"components"`
}

type schema struct {
	Ref string `json:"$ref"`
	// Type is a name, or in some specs a list of names: only a name is
	// read, as the shared extractor reads it.
	Type       json.RawMessage    `json:"type"`
	Properties map[string]*schema `json:"properties"`
	AllOf      []*schema          `json:"allOf"`
	Maximum    *float64           `json:"maximum"`
}

type parameter struct {
	Ref    string  `json:"$ref"`
	Name   string  `json:"name"`
	In     string  `json:"in"`
	Schema *schema `json:"schema"`
}

type operation struct {
	Parameters []*parameter `json:"parameters"`
	Responses  map[string]struct {
		Content map[string]struct {
			Schema *schema `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

var (
	serverURL = regexp.MustCompile(`^https://api\.servicetitan\.io/([^/]+)(?:/(v\d+))?$`)
	tenantSeg = regexp.MustCompile(`^(?:/(v\d+))?/tenant/\{tenant\}(/.*)?$`)
)

const header = "# folder\tversion\tmethod\tpath\tkind\tmax_page_size\tquery\n"

// extract reads every spec of dir and returns the catalogue's lines, the
// header first, in the order of the files, their paths and methods.
func extract(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no *.json spec in %s", dir)
	}
	slices.Sort(files)
	rows := []string{header}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var d spec
		if err := json.Unmarshal(data, &d); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if len(d.Servers) == 0 {
			continue
		}
		m := serverURL.FindStringSubmatch(d.Servers[0].URL)
		if m == nil {
			continue
		}
		folder, specVersion := m[1], m[2]
		paths := make([]string, 0, len(d.Paths))
		for p := range d.Paths {
			paths = append(paths, p)
		}
		slices.Sort(paths)
		for _, p := range paths {
			pm := tenantSeg.FindStringSubmatch(p)
			if pm == nil {
				continue
			}
			version := specVersion
			if pm[1] != "" {
				version = pm[1]
			}
			path := strings.TrimPrefix(pm[2], "/")
			for _, method := range []string{"get", "post", "put", "patch", "delete"} {
				raw, ok := d.Paths[p][method]
				if !ok {
					continue
				}
				var op operation
				if err := json.Unmarshal(raw, &op); err != nil {
					return nil, fmt.Errorf("%s %s %s: %w", f, method, p, err)
				}
				row, err := d.row(folder, version, strings.ToUpper(method), path, &op)
				if err != nil {
					return nil, fmt.Errorf("%s %s %s: %w", f, method, p, err)
				}
				rows = append(rows, row)
			}
		}
	}
	return rows, nil
}

func (d *spec) row(folder, version, method, path string, op *operation) (string, error) {
	var query []string
	maxPageSize := 0
	for _, prm := range op.Parameters {
		if prm.Ref != "" {
			resolved, ok := d.Components.Parameters[refName(prm.Ref)]
			if !ok {
				return "", errors.New("unresolved parameter " + prm.Ref)
			}
			prm = resolved
		}
		if prm.In != "query" {
			continue
		}
		if strings.ContainsAny(prm.Name, "\t\n,") {
			return "", fmt.Errorf("query parameter %q cannot be written", prm.Name)
		}
		query = append(query, prm.Name)
		if prm.Name == "pageSize" && prm.Schema != nil && prm.Schema.Maximum != nil {
			maxPageSize = int(*prm.Schema.Maximum)
		}
	}
	return fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%d\t%s\n", folder, version, method, path, d.kind(op), maxPageSize, strings.Join(query, ",")), nil
}

func isType(s *schema, name string) bool {
	var t string
	return json.Unmarshal(s.Type, &t) == nil && t == name
}

func refName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }

func (d *spec) resolve(s *schema) *schema {
	for depth := 0; s != nil && s.Ref != "" && depth < 20; depth++ {
		s = d.Components.Schemas[refName(s.Ref)]
	}
	if s == nil {
		return &schema{}
	}
	return s
}

// kind is what the operation's successful answer is, by its schema: the
// same rules as the project's shared extractor.
func (d *spec) kind(op *operation) string {
	resp, ok := op.Responses["200"]
	if !ok {
		resp = op.Responses["201"]
	}
	var sch *schema
	for _, ct := range []string{"application/json", "text/json", "text/plain"} {
		if c, ok := resp.Content[ct]; ok {
			sch = c.Schema
			break
		}
	}
	if sch == nil {
		return "none"
	}
	s := d.resolve(sch)
	props := map[string]*schema{}
	for k, v := range s.Properties {
		props[k] = v
	}
	for _, a := range s.AllOf {
		for k, v := range d.resolve(a).Properties {
			props[k] = v
		}
	}
	_, hasData := props["data"]
	switch {
	case isType(s, "array"):
		return "array"
	case hasData && props["continueFrom"] != nil:
		return "export"
	case hasData && props["hasMore"] != nil && props["fields"] != nil:
		return "report"
	case hasData && props["hasMore"] != nil:
		return "list"
	case hasData && isType(d.resolve(props["data"]), "array"):
		return "data-array"
	}
	return "object"
}
