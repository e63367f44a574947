package main

import (
	"flag"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README's configuration table lists every flag of serve with its
// environment variable, so that nobody has to read --help to find one,
// and each flag's help names the same variable.
func TestReadmeListsEveryFlag(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	fs, _, _ := serveFlagSet("veileder serve", io.Discard)
	env := regexp.MustCompile(`\(env (VEILEDER_[A-Z0-9_]+)[=)]`)
	n := 0
	fs.VisitAll(func(f *flag.Flag) {
		n++
		m := env.FindStringSubmatch(f.Usage)
		if m == nil {
			t.Errorf("--%s: its help names no environment variable: %q", f.Name, f.Usage)
			return
		}
		row := "| `--" + f.Name + "` | `" + m[1] + "` |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("README.md's configuration table has no row beginning %s", row)
		}
	})
	if n < 20 {
		t.Errorf("serve has %d flags; the test does not see them all", n)
	}
}
