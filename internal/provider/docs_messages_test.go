package provider

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDocsQuotedMessagesMatchTheCode keeps the guides from quoting a message
// the provider no longer prints. The messages the templates quote word for
// word, the provider's error output in their code blocks (the summary after
// "Error:" and the text below it) and inline code that quotes a message with
// "...", are cut into their fixed parts: the runs of three or more words
// between values (URLs, numbers, durations, setting names, names in quotes
// or brackets).
// Each fixed part must appear in a string literal of the provider's Go
// source (or be an HTTP status text). The CLI's own messages, quoted as
// "> " blocks, are not the provider's and are not checked here.
func TestDocsQuotedMessagesMatchTheCode(t *testing.T) {
	var literals strings.Builder
	for _, root := range []string{"../../internal", "../../cmd"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil {
						literals.WriteString(strings.Join(strings.Fields(s), " ") + "\n")
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for code := 100; code < 600; code++ {
		literals.WriteString(http.StatusText(code) + "\n")
	}
	corpus := literals.String()

	templates, err := filepath.Glob("../../templates/*.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	guides, _ := filepath.Glob("../../templates/*/*.tmpl")
	checked := 0
	for _, path := range append(templates, guides...) {
		for _, msg := range quotedMessages(readExampleFile(t, path)) {
			for _, part := range fixedParts(msg) {
				checked++
				if !strings.Contains(corpus, part) {
					t.Errorf("%s quotes %q, but no string in the provider's code says %q: the message changed, or the guide misquotes it", filepath.Base(path), msg, part)
				}
			}
		}
	}
	if checked < 5 {
		t.Fatalf("checked only %d quoted phrases: the templates' quotes were not found", checked)
	}
}

var (
	codeBlockRE  = regexp.MustCompile("(?s)```[a-z]*\n(.*?)```")
	inlineCodeRE = regexp.MustCompile("`([^`\n]*(?:\n[^`\n]+)*)`")
)

// quotedMessages finds the provider's messages a template quotes.
func quotedMessages(page string) []string {
	var msgs []string
	for _, block := range codeBlockRE.FindAllStringSubmatch(page, -1) {
		lines := strings.Split(block[1], "\n")
		for i := 0; i < len(lines); i++ {
			summary, ok := strings.CutPrefix(strings.TrimSpace(lines[i]), "Error: ")
			if !ok {
				continue
			}
			msgs = append(msgs, summary)
			// The message proper: the lines after the blank line that ends
			// the summary and the "with"/"on" lines, up to the next blank.
			var body []string
			j := i + 1
			for ; j < len(lines) && strings.TrimSpace(lines[j]) != ""; j++ {
			}
			for j++; j < len(lines) && strings.TrimSpace(lines[j]) != ""; j++ {
				body = append(body, strings.TrimSpace(lines[j]))
			}
			if len(body) > 0 {
				msgs = append(msgs, strings.Join(body, " "))
			}
			i = j
		}
	}
	page = codeBlockRE.ReplaceAllString(page, "")
	for _, m := range inlineCodeRE.FindAllStringSubmatch(page, -1) {
		if strings.Contains(m[1], "...") || strings.Contains(m[1], "…") {
			msgs = append(msgs, strings.Join(strings.Fields(m[1]), " "))
		}
	}
	return msgs
}

// A plain word; names with underscores (client_secret) are values the
// code fills in, as are numbers, URLs and quoted or bracketed names.
var staticWordRE = regexp.MustCompile(`^[A-Za-z][A-Za-z'-]*$`)

// fixedParts cuts a message into the runs of three or more plain words
// between values and punctuation.
func fixedParts(msg string) []string {
	var parts, run []string
	flush := func() {
		if len(run) >= 3 {
			parts = append(parts, strings.Join(run, " "))
		}
		run = nil
	}
	for _, w := range strings.Fields(msg) {
		core := strings.TrimRight(w, ",;:.")
		if core == "" || !staticWordRE.MatchString(core) || core == "..." {
			flush()
			continue
		}
		run = append(run, core)
		if core != w {
			flush()
		}
	}
	flush()
	return parts
}
