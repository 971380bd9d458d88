package servicetitan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// maxConfigFileSize bounds what is read: a servicepytan config file is a few
// hundred bytes, and a path pointing at something huge is a mistake.
const maxConfigFileSize = 1 << 20

type configFile struct {
	path   string
	values map[string]string
}

// ConfigFileError reports a config file that cannot be used. It never
// includes the file's contents.
type ConfigFileError struct {
	Path string
	// Source says where the path came from (attribute or environment variable).
	Source Source
	// Line and Column locate a syntax error, 1-based; zero when not applicable.
	Line, Column int
	Reason       string
}

func (e *ConfigFileError) Error() string {
	where := fmt.Sprintf("config file %q", e.Path)
	if e.Source.Kind != SourceUnset {
		where += fmt.Sprintf(" (from %s)", e.Source)
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s is not valid JSON: line %d, column %d: %s", where, e.Line, e.Column, e.Reason)
	}
	return fmt.Sprintf("%s: %s", where, e.Reason)
}

func loadConfigFile(path string, src Source) (*configFile, []Warning, error) {
	fail := func(reason string) error { return &ConfigFileError{Path: path, Source: src, Reason: reason} }
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, fail("the file does not exist")
	case errors.Is(err, fs.ErrPermission):
		return nil, nil, fail("the file cannot be read: permission denied")
	case err != nil:
		return nil, nil, fail("the file cannot be read: " + err.Error())
	case info.IsDir():
		return nil, nil, fail("this is a directory, not a JSON file")
	case info.Size() > maxConfigFileSize:
		return nil, nil, fail(fmt.Sprintf("the file is %d bytes; a config file is a small JSON object (at most %d bytes)", info.Size(), maxConfigFileSize))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return nil, nil, fail("the file cannot be read: permission denied")
		}
		return nil, nil, fail("the file cannot be read: " + err.Error())
	}
	values, warnings, err := ParseConfigFile(data)
	if err != nil {
		var ce *ConfigFileError
		if errors.As(err, &ce) {
			ce.Path, ce.Source = path, src
			return nil, nil, ce
		}
		return nil, nil, fail(err.Error())
	}
	out := make([]Warning, len(warnings))
	for i, w := range warnings {
		out[i] = Warning{Summary: "Ignored key in ServiceTitan config file", Detail: fmt.Sprintf("config file %q: %s", path, w)}
	}
	return &configFile{path: path, values: values}, out, nil
}

// ParseConfigFile reads a servicepytan-format config file: one flat JSON
// object whose keys are SERVICETITAN_* names and whose values are strings.
// Unknown keys are returned as warnings rather than errors, so a file shared
// with other tools keeps working. Errors carry the line and column of bad
// JSON and never quote the file's values, which may be secrets.
func ParseConfigFile(data []byte) (map[string]string, []string, error) {
	// Editors on Windows like to start UTF-8 files with a byte-order mark,
	// which encoding/json rejects.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))

	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			// Offset is just past the offending byte; point at the byte itself.
			line, col := lineColumn(data, syn.Offset-1)
			return nil, nil, &ConfigFileError{Line: line, Column: col, Reason: syn.Error()}
		}
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			return nil, nil, &ConfigFileError{Reason: fmt.Sprintf("the file must hold one JSON object of \"SERVICETITAN_*\" keys and string values, not a JSON %s", typ.Value)}
		}
		return nil, nil, &ConfigFileError{Reason: err.Error()}
	}
	if raw == nil {
		return nil, nil, &ConfigFileError{Reason: "the file must hold one JSON object of \"SERVICETITAN_*\" keys and string values, not null"}
	}

	values := map[string]string{}
	var warnings []string
	for _, key := range sortedKeys(raw) {
		if _, known := fileKeys[key]; !known {
			warnings = append(warnings, fmt.Sprintf("unknown key %q is ignored; known keys are %s", key, quotedList(sortedKeys(fileKeys))))
			continue
		}
		var v string
		if err := json.Unmarshal(raw[key], &v); err != nil {
			return nil, nil, &ConfigFileError{Reason: fmt.Sprintf("key %q must be a JSON string, not %s", key, jsonKind(raw[key]))}
		}
		values[key] = v
	}
	return values, warnings, nil
}

// lineColumn turns a byte offset into a 1-based line and column, so a user
// can jump straight to the mistake.
func lineColumn(data []byte, offset int64) (int, int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	if offset < 0 {
		offset = 0
	}
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}

func jsonKind(raw json.RawMessage) string {
	s := strings.TrimSpace(string(raw))
	switch {
	case s == "null":
		return "null"
	case s == "true" || s == "false":
		return "a boolean"
	case strings.HasPrefix(s, "{"):
		return "an object"
	case strings.HasPrefix(s, "["):
		return "an array"
	}
	return "a number"
}
