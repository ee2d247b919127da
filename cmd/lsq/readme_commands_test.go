package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestReadmeAndExampleCommandsParse: every lsq command line the README shows (```sh blocks,
// as `lsq ...` or `go run ./cmd/lsq ...`) and every line of a command's Examples names a
// command lsq has, with flags that command takes and as many arguments as it accepts. The
// acceptance of a newcomer is to run them as written; this catches a renamed flag or command
// the moment it happens (what the commands then print is checked by each command's tests).
func TestReadmeAndExampleCommandsParse(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(string(readme), -1) {
		lines = append(lines, commandLines(m[1])...)
	}
	if len(lines) < 20 {
		t.Fatalf("found %d lsq command lines in README.md's sh blocks; the parsing is broken", len(lines))
	}
	var examples []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		examples = append(examples, commandLines(c.Example)...)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newApp(strings.NewReader(""), io.Discard, io.Discard).root(context.Background()))
	if len(examples) < 10 {
		t.Fatalf("found %d lsq lines in the commands' Examples; the parsing is broken", len(examples))
	}
	for _, src := range []struct {
		where string
		lines []string
	}{{"README.md", lines}, {"an Examples section", examples}} {
		for _, line := range src.lines {
			if err := parseCommandLine(line); err != nil {
				t.Errorf("%s: %q: %v", src.where, line, err)
			}
		}
	}
}

// parseCommandLine resolves line's command in a fresh command tree and parses its flags and
// arguments the way Execute would, without running it.
func parseCommandLine(line string) error {
	args := shellWords(line)
	root := newApp(strings.NewReader(""), io.Discard, io.Discard).root(context.Background())
	cmd, rest, err := root.Find(args)
	if err != nil {
		return err
	}
	if cmd == root && len(args) > 0 {
		return errUnknownCommand
	}
	if err := cmd.ParseFlags(rest); err != nil {
		return err
	}
	if err := cmd.ValidateArgs(cmd.Flags().Args()); err != nil {
		return fmt.Errorf("lsq %s does not take the arguments %q: %w", cmd.Name(), cmd.Flags().Args(), err)
	}
	return nil
}

var errUnknownCommand = errors.New("not a command of lsq")

// envAssignment is a word that sets a variable for the command (LSQ_REDIS_URL=...).
var envAssignment = regexp.MustCompile(`^[A-Z_]+=`)

// commandLines returns the lsq command lines of a shell snippet: continuations joined,
// comments dropped, each pipeline, list or redirection cut to its lsq part, and the words
// before lsq (environment assignments, go run ./cmd/lsq) dropped.
func commandLines(snippet string) []string {
	snippet = strings.ReplaceAll(snippet, "\\\n", " ")
	var out []string
	for _, line := range strings.Split(snippet, "\n") {
		line = stripComment(line)
		for _, seg := range splitOutsideQuotes(line) {
			words := shellWords(seg)
			for len(words) > 0 && envAssignment.MatchString(words[0]) {
				words = words[1:]
			}
			if len(words) >= 3 && words[0] == "go" && words[1] == "run" && words[2] == "./cmd/lsq" {
				words = words[2:]
			}
			if len(words) > 0 && (words[0] == "lsq" || words[0] == "./cmd/lsq") {
				out = append(out, quoteWords(words[1:]))
			}
		}
	}
	return out
}

// stripComment drops a # comment (a # at the start or after a space, outside quotes).
func stripComment(line string) string {
	var q rune
	for i, r := range line {
		switch {
		case q != 0:
			if r == q {
				q = 0
			}
		case r == '\'' || r == '"':
			q = r
		case r == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return line[:i]
		}
	}
	return line
}

// splitOutsideQuotes cuts a line at | & ; < > outside quotes.
func splitOutsideQuotes(line string) []string {
	var segs []string
	var q rune
	start := 0
	for i, r := range line {
		switch {
		case q != 0:
			if r == q {
				q = 0
			}
		case r == '\'' || r == '"':
			q = r
		case strings.ContainsRune("|&;<>", r):
			segs = append(segs, line[start:i])
			start = i + 1
		}
	}
	return append(segs, line[start:])
}

// shellWords splits s into words as a shell would, for the quoting the README uses: '...'
// and "..." (no escapes, no expansion).
func shellWords(s string) []string {
	var words []string
	var w strings.Builder
	in, q := false, rune(0)
	for _, r := range s {
		switch {
		case q != 0:
			if r == q {
				q = 0
			} else {
				w.WriteRune(r)
			}
		case r == '\'' || r == '"':
			q, in = r, true
		case r == ' ' || r == '\t':
			if in {
				words = append(words, w.String())
				w.Reset()
				in = false
			}
		default:
			w.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, w.String())
	}
	return words
}

// quoteWords joins words back into a line shellWords splits the same way.
func quoteWords(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = "'" + w + "'"
	}
	return strings.Join(q, " ")
}
