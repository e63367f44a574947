package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// verbs finds the fmt verbs of a message, "%%" included so that a literal
// per cent sign in one language does not pass for a verb in the other.
var verbs = regexp.MustCompile(`%[-+# 0]*(\[\d+\])?\d*(\.\d+)?[a-zA-Z%]`)

// TestCatalogue checks every entry: both languages have a text, the two
// take the same arguments in the same order, and no key is in two areas
// (lookup would never reach the second).
func TestCatalogue(t *testing.T) {
	seen := map[string]int{}
	total := 0
	for i, area := range areas() {
		for key, tx := range area {
			total++
			if j, dup := seen[key]; dup {
				t.Errorf("%q is in areas %d and %d", key, j, i)
			}
			seen[key] = i
			if tx.nb == "" || tx.en == "" {
				t.Errorf("%q: nb %q, en %q: a language is missing", key, tx.nb, tx.en)
			}
			if got, want := verbs.FindAllString(tx.en, -1), verbs.FindAllString(tx.nb, -1); !slices.Equal(got, want) {
				t.Errorf("%q: en has verbs %q, nb %q", key, got, want)
			}
		}
	}
	// The catalogue held some 560 texts when it was made one.
	if total < 500 {
		t.Errorf("catalogue has %d texts, want at least 500", total)
	}
}

func TestT(t *testing.T) {
	tests := []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"nb", "topic.week", []any{11, "9.–15. mars"}, "Uke 11: 9.–15. mars"},
		{"en", "topic.week", []any{11, "9–15 March"}, "Week 11: 9–15 March"},
		{"en", "booking.topic", nil, "Topic"},
		{"nb", "booking.topic", nil, "Tema"},
		// Anything but English is Bokmål.
		{"nn", "booking.topic", nil, "Tema"},
		{"", "feed.untitled", nil, "Drop-in-veiledning"},
		{"en", "staff.nav.signedin", []any{"Lars Berg", "librarian"}, "Signed in as Lars Berg (librarian)"},
		{"nb", "no.such.key", nil, "MISSING:no.such.key"},
	}
	for _, tt := range tests {
		if got := T(tt.lang, tt.key, tt.args...); got != tt.want {
			t.Errorf("T(%q, %q, %v) = %q, want %q", tt.lang, tt.key, tt.args, got, tt.want)
		}
	}
	if m, ok := Lookup("nb", "field.question.hint"); !ok || !strings.Contains(m, "%d") {
		t.Errorf(`Lookup("nb", "field.question.hint") = %q, %v; want the unformatted text`, m, ok)
	}
	if m, ok := Lookup("en", "staff.done.nonsense"); ok {
		t.Errorf("Lookup of a missing key = %q, true", m)
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		f          func(string, string) string
		lang, code string
		want       string
	}{
		{LanguageName, "nb", "nb", "norsk"},
		{LanguageName, "nb", " NN ", "norsk"},
		{LanguageName, "en", "no", "Norwegian"},
		{LanguageName, "en", "en", "English"},
		{LanguageName, "nb", "en", "engelsk"},
		{LanguageName, "en", "sv", "sv"},
		{StudyLevel, "nb", "phd", "ph.d."},
		{StudyLevel, "en", "PhD", "PhD"},
		{StudyLevel, "en", "master", "master's"},
		{StudyLevel, "nb", "staff", "ansatt"},
		{StudyLevel, "en", "postdoc", "postdoc"},
		{StudyLevel, "en", "", ""},
	}
	for _, tt := range tests {
		if got := tt.f(tt.lang, tt.code); got != tt.want {
			t.Errorf("(%q, %q) = %q, want %q", tt.lang, tt.code, got, tt.want)
		}
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct{ header, want string }{
		{"", "nb"},
		{"en", "en"},
		{"en-GB,en;q=0.9", "en"},
		{"en-US,en;q=0.9,nb;q=0.8", "en"},
		{"nb-NO,nb;q=0.9,en;q=0.5", "nb"},
		{"nn-NO", "nb"},
		{"no", "nb"},
		// Nynorsk is as good as Bokmål, not a weaker match than English.
		{"nn-NO,nn;q=0.9,en;q=0.8", "nb"},
		{"nn, en", "nb"},
		{"de-DE, en;q=0.5", "en"},
		{"en;q=0.2, nb;q=0.8", "nb"},
		{"fr, de", "nb"},
		{"nb;q=0.5, en;q=0.5", "nb"},
		{"en;q=0", "nb"},
		{"*", "nb"},
		{"en;q=bad, nb", "nb"},
	}
	for _, tt := range tests {
		if got := Negotiate(tt.header); got != tt.want {
			t.Errorf("Negotiate(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

// moduleRoot is the directory of go.mod, above this package's.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod above the package: %v", err)
	}
	return root
}

// TestKeysInUse checks that every key named literally in the module's Go
// code (a call of T, Lookup or a tr helper, a staff menu item) and in its page
// templates ({{.T "key"}}, and a $variable set to a key that is passed to
// T) is in the catalogue. Keys made at run time from a prefix are the
// business of their callers' tests.
func TestKeysInUse(t *testing.T) {
	root := moduleRoot(t)
	var used int
	check := func(where, key string) {
		used++
		if _, ok := lookup(key); !ok {
			t.Errorf("%s uses %q, which the catalogue lacks", where, key)
		}
	}
	tmplKey := regexp.MustCompile(`\.T "([^"]+)"`)
	tmplVar := regexp.MustCompile(`(\$\w+) :?= "([^"]+)"`)
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if name := d.Name(); strings.HasPrefix(name, ".") && path != root || name == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case strings.HasSuffix(path, ".html") && filepath.Base(filepath.Dir(path)) == "templates":
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			src := string(b)
			for _, m := range tmplKey.FindAllStringSubmatch(src, -1) {
				check(rel, m[1])
			}
			for _, m := range tmplVar.FindAllStringSubmatch(src, -1) {
				if strings.Contains(src, ".T "+m[1]) {
					check(rel, m[2])
				}
			}
		case strings.HasSuffix(path, ".go"):
			// This package's tests name missing keys on purpose.
			if filepath.Dir(path) == filepath.Join(root, "i18n") && strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				for _, key := range literalKeys(n) {
					check(rel+":"+strconv.Itoa(fset.Position(n.Pos()).Line), key)
				}
				return true
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The code and pages named some 650 keys literally when this test was
	// written: a scan that finds few has lost its way.
	if used < 600 {
		t.Errorf("found %d uses of keys, want at least 600", used)
	}
}

// literalKeys are the message keys node n names as string literals: the
// key argument of T(lang, key, ...), page.T(key, ...), Lookup(lang, key)
// and a tr(key, ...) helper, and the Key of a staff menu item.
func literalKeys(n ast.Node) []string {
	var lits []ast.Expr
	switch n := n.(type) {
	case *ast.CallExpr:
		var name string
		switch fn := n.Fun.(type) {
		case *ast.Ident:
			name = fn.Name
		case *ast.SelectorExpr:
			name = fn.Sel.Name
		}
		if name != "T" && name != "Lookup" && name != "tr" {
			return nil
		}
		// The key is the first argument of a method (p.T(key)) and the
		// second of a function (T(lang, key)); a language in first place
		// is a literal too, and not a key.
		for i, a := range n.Args {
			if i < 2 {
				lits = append(lits, a)
			}
		}
	case *ast.CompositeLit:
		// The staff pages' menu: navItem{Path: ..., Key: key}, also as
		// the elements of a []navItem.
		if !isNavItem(n.Type) {
			return nil
		}
		items := []ast.Expr{n}
		if _, ok := n.Type.(*ast.ArrayType); ok {
			items = n.Elts
		}
		for _, it := range items {
			c, ok := it.(*ast.CompositeLit)
			if !ok {
				continue
			}
			for _, el := range c.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok {
					if id, ok := kv.Key.(*ast.Ident); ok && id.Name == "Key" {
						lits = append(lits, kv.Value)
					}
				}
			}
		}
	}
	var keys []string
	for _, e := range lits {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			continue
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil || s == NB || s == EN {
			continue
		}
		keys = append(keys, s)
	}
	return keys
}

func isNavItem(e ast.Expr) bool {
	if a, ok := e.(*ast.ArrayType); ok {
		e = a.Elt
	}
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "navItem"
}

// TestOneWordForOneThing keeps the product's words: a student's
// reservation is a "booking" in both languages (not "time", "timen" or
// "bestilling" in Norwegian, which also reads as hours or an order, nor
// "appointment" in English), and a topic is a "tema" (not "emne", except
// in "emneknagg", the word for a hashtag). The librarian's own Outlook
// or Google events are "avtaler" / "appointments", which is another thing.
func TestOneWordForOneThing(t *testing.T) {
	nbWrong := regexp.MustCompile(`(?i)\b(timen|timebestilling\w*|bestilling\w*|bestillingsforsøk|emne|emnet)\b|\bbestill time\b`)
	enWrong := regexp.MustCompile(`(?i)\bappointments?\b`)
	for _, area := range areas() {
		for key, tx := range area {
			// "den siste timen" is the last hour, which is right.
			if m := nbWrong.FindString(strings.ReplaceAll(tx.nb, "siste timen", "")); m != "" {
				t.Errorf("%q: Norwegian says %q: %q", key, m, tx.nb)
			}
			if m := enWrong.FindString(tx.en); m != "" && !strings.Contains(key, "external") {
				t.Errorf("%q: English says %q: %q", key, m, tx.en)
			}
		}
	}
}
