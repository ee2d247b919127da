package main

import (
	"regexp"
	"strings"
	"testing"
)

var (
	defaultTwice = regexp.MustCompile(`\(default [^)]*\).*\(default `)
	flagLine     = regexp.MustCompile(`(?m)^\s+(?:-\w, )?(--[\w-]+)`)
)

// TestEveryCommandsHelp walks every command of lsq (commandPaths: whatever commands exist,
// those of lsq users included) and reads its -h: one layout for all (what it does, its exit
// statuses, one usage line, flags listed once, no doubled default), printed on stdout with
// exit 0, and the exit statuses stated.
func TestEveryCommandsHelp(t *testing.T) {
	t.Parallel()
	paths := append(commandPaths(t), nil) // and the root
	for _, p := range paths {
		name := strings.TrimSpace("lsq " + strings.Join(p, " "))
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := lsqRun(t.Context(), nil, "", append(p, "-h")...)
			if code != exitOK || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			if n := strings.Count(out, "\nUsage: "+name); n != 1 {
				t.Errorf("%d usage lines for %s, want 1:\n%s", n, name, out)
			}
			first, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
			if n := strings.Count(out, first); n != 1 {
				t.Errorf("its first line %q is printed %d times", first, n)
			}
			exit := regexp.MustCompile(`(?s)Exit status: (.*?)\n\n`).FindStringSubmatch(out + "\n\n")
			switch {
			case strings.Count(out, "Exit status:") != 1 || exit == nil:
				t.Errorf("states its exit statuses %d times, want once:\n%s", strings.Count(out, "Exit status:"), out)
			case !strings.Contains(exit[1], "0 ") || !strings.Contains(exit[1], "2 usage error"):
				t.Errorf("exit statuses %q: want 0 and 2 (usage error) at least", exit[1])
			}
			if before, _, ok := strings.Cut(out, "\nUsage: "); ok && p != nil && strings.Count(before, "Exit status:") != 1 {
				t.Errorf("the exit statuses are not before the usage line, as in every other help:\n%s", out)
			}
			if m := defaultTwice.FindString(out); m != "" {
				t.Errorf("a flag with two defaults: %q", m)
			}
			if _, flags, ok := strings.Cut(out, "\nFlags:\n"); ok {
				seen := map[string]bool{}
				for _, m := range flagLine.FindAllStringSubmatch(flags, -1) {
					if seen[m[1]] {
						t.Errorf("flag %s listed twice", m[1])
					}
					seen[m[1]] = true
				}
			}
		})
	}
}

// Every command answers a bad flag and (but help) arguments it does not take with exit 2 and
// an error that starts with its name and says what to do.
func TestEveryCommandsUsageErrors(t *testing.T) {
	t.Parallel()
	for _, p := range commandPaths(t) {
		name := "lsq " + strings.Join(p, " ")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cases := [][]string{append(append([]string{}, p...), "--no-such-flag")}
			if p[0] != "help" {
				cases = append(cases, append(append([]string{}, p...), "x1", "x2", "x3", "x4", "x5"))
			}
			for _, args := range cases {
				code, out, errOut := lsqRun(t.Context(), nil, "", args...)
				if code != exitUsage || out != "" {
					t.Errorf("%v: exit %d, stdout %q", args, code, out)
				}
				if !strings.HasPrefix(errOut, name+": ") || !strings.Contains(errOut, "'"+name+" -h'") {
					t.Errorf("%v: stderr %q, want it to start %q and name %q", args, errOut, name+": ", name+" -h")
				}
				if strings.Contains(errOut, "arg(s)") {
					t.Errorf("%v: cobra's wording: %q", args, errOut)
				}
			}
		})
	}
}

// The CLI's own help bits the issue named.
func TestHelpDetails(t *testing.T) {
	t.Parallel()
	// Whatever else lsq users has, it lists these.
	_, out, _ := lsqRun(t.Context(), nil, "", "users", "-h")
	for _, sub := range []string{"export", "import", "sync", "activate", "deactivate"} {
		if !regexp.MustCompile(`(?m)^  ` + sub + ` `).MatchString(out) {
			t.Errorf("lsq users -h does not list %s:\n%s", sub, out)
		}
	}
	if _, out, _ := lsqRun(t.Context(), nil, "", "validate", "response", "-h"); strings.Contains(out, "--query") || strings.Contains(out, "query parameters") {
		t.Errorf("lsq validate response -h lists --query, a request's flag:\n%s", out)
	}
	if _, out, _ := lsqRun(t.Context(), nil, "", "validate", "request", "-h"); !strings.Contains(out, "--query") {
		t.Errorf("lsq validate request -h does not list --query")
	}
	if _, out, _ := lsqRun(t.Context(), nil, "", "call", "-h"); !strings.Contains(out, "; 3\nGetUserByID") && !strings.Contains(out, "; 3 ") {
		t.Errorf("lsq call -h does not state exit 3:\n%s", out)
	}
	if _, out, _ := lsqRun(t.Context(), nil, "", "demo", "-h"); !strings.Contains(out, "(default 60 on the fake, 0 on a real account)\n") {
		t.Errorf("lsq demo -h: --burst's default:\n%s", out)
	}
	// lsq scim serve paces at scimDefaultRate without --rate: its flag says so, not the
	// other commands' "learnt from the first rate-limit answer".
	if _, out, _ := lsqRun(t.Context(), nil, "", "scim", "serve", "-h"); strings.Contains(out, "learnt from the first") ||
		!strings.Contains(out, `(default "`+scimDefaultRate+`")`) {
		t.Errorf("lsq scim serve -h: --rate's default:\n%s", out)
	}
	if got := plural(1, "address", "addresses") + ", " + plural(2, "address", "addresses") + ", " + plural(0, "reply", "replies"); got != "1 address, 2 addresses, 0 replies" {
		t.Errorf("plural: %s", got)
	}
}
