package e2e_test

// Accessibility: axe-core scans every student page, in both languages, in
// headless Chromium against the whole service, and a keyboard-only walk
// checks the booking form's focus order. axe-core is the exact version in
// testdata/axe/package.json and package-lock.json, installed with npm ci
// on first use (node_modules is ignored by git). Without Chromium or
// npm the test skips, except when $CI is "true", where it fails.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/veileder/veileder/store"
)

const (
	axeDir = "testdata/axe"
	// axeInstallTimeout bounds npm ci.
	axeInstallTimeout = 3 * time.Minute
)

// axeRun runs the WCAG 2.0 and 2.1 level A and AA rules and returns the
// violations, each node named by its CSS target.
const axeRun = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
	.then(r => ({
		passes: r.passes.length,
		violations: r.violations.map(v => ({
			id: v.id, impact: v.impact || '', help: v.help,
			nodes: v.nodes.map(n => ({target: n.target.map(String).join(' '), html: n.html, summary: n.failureSummary || ''})),
		})),
	}))`

// axeResults is the part of axe.run's results the test reads.
type axeResults struct {
	Passes     int            `json:"passes"`
	Violations []axeViolation `json:"violations"`
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  string `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

// axeScript returns axe.min.js, installing the pinned axe-core first when
// it is missing or another version.
func axeScript(t *testing.T) string {
	t.Helper()
	var want struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	b, err := os.ReadFile(filepath.Join(axeDir, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &want); err != nil || want.Dependencies["axe-core"] == "" {
		t.Fatalf("%s/package.json: no axe-core version (%v)", axeDir, err)
	}
	if installedAxe() != want.Dependencies["axe-core"] {
		npm, err := exec.LookPath("npm")
		if err != nil {
			e2eNeed(t, "npm is not installed (%v); it installs axe-core into %s", err, axeDir)
		}
		ctx, cancel := context.WithTimeout(context.Background(), axeInstallTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "ci", "--prefix", axeDir, "--no-audit", "--no-fund", "--ignore-scripts")
		out, err := cmd.CombinedOutput()
		if err != nil {
			e2eNeed(t, "npm ci in %s: %v\n%s", axeDir, err, out)
		}
		if got := installedAxe(); got != want.Dependencies["axe-core"] {
			t.Fatalf("after npm ci: got axe-core %q, want %q", got, want.Dependencies["axe-core"])
		}
	}
	js, err := os.ReadFile(filepath.Join(axeDir, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	return string(js)
}

// installedAxe is the version of axe-core in node_modules, or "".
func installedAxe() string {
	dir := filepath.Join(axeDir, "node_modules", "axe-core")
	if _, err := os.Stat(filepath.Join(dir, "axe.min.js")); err != nil {
		return ""
	}
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return ""
	}
	var p struct {
		Version string `json:"version"`
	}
	if json.Unmarshal(b, &p) != nil {
		return ""
	}
	return p.Version
}

// axeCheck runs axe-core on the tab's page and reports every violation.
func axeCheck(t *testing.T, tab context.Context, axeJS, page string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, e2eStepTimeout)
	defer cancel()
	// Open every <details> (the filters), so that what is folded away is
	// scanned too.
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeJS+
		"\n;document.querySelectorAll('details').forEach(d => { d.open = true; });\ntypeof axe === 'object'"))
	if err != nil || !loaded {
		t.Fatalf("%s: inject axe-core: %v", page, err)
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[axeResults](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe.run: %v", page, err)
	}
	if res.Passes == 0 {
		t.Errorf("%s: axe.run passed no rule at all: the scan did not run", page)
	}
	for _, v := range res.Violations {
		var sb strings.Builder
		fmt.Fprintf(&sb, "%s: axe %s (%s): %s", page, v.ID, v.Impact, v.Help)
		for i, n := range v.Nodes {
			if i == 5 {
				fmt.Fprintf(&sb, "\n\t(and %d more)", len(v.Nodes)-i)
				break
			}
			fmt.Fprintf(&sb, "\n\t%s\n\t\t%s\n\t\t%s", n.Target, n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n\t\t"))
		}
		t.Error(sb.String())
	}
}

// focusStep is where focus is after one Tab.
type focusStep struct {
	Key    string `json:"key"`
	InForm bool   `json:"inForm"`
}

// focusJS names the focused element: its id (a radio: its group's name),
// "submit" for the submit button, "link:href" for a link.
const focusJS = `(() => {
	const e = document.activeElement;
	if (!e || e === document.body) return {key: '', inForm: false};
	let key = e.id || e.tagName.toLowerCase();
	if (e.type === 'radio') key = e.name;
	if (e.tagName === 'BUTTON' && e.type === 'submit') key = 'submit';
	if (e.tagName === 'A') key = 'link:' + e.getAttribute('href');
	return {key, inForm: !!e.closest('form[method="post"]')};
})()`

// errorLinksJS lists the error summary's links that lead nowhere, and the
// invalid fields whose aria-describedby names no error message.
const errorLinksJS = `(() => {
	const bad = [];
	for (const a of document.querySelectorAll('.error-summary a')) {
		if (!document.getElementById(decodeURIComponent(a.hash.slice(1)))) bad.push('summary link ' + a.getAttribute('href'));
	}
	for (const f of document.querySelectorAll('[aria-invalid="true"]')) {
		const ids = (f.getAttribute('aria-describedby') || f.closest('fieldset')?.getAttribute('aria-describedby') || '').split(/\s+/);
		if (!ids.some(id => document.getElementById(id)?.classList.contains('error-message'))) bad.push('field #' + f.id);
	}
	return bad;
})()`

// checkFocusOrder tabs through the booking form from the top of the page
// and checks that focus reaches every field and then the submit button,
// in order, and nothing hidden (the honeypot) on the way.
func checkFocusOrder(t *testing.T, tab context.Context, lang string) {
	t.Helper()
	want := []string{"name", "email", "question", "level", "programme", "language", "consent", "submit"}
	if len(e2eValue(t, tab, "language choices", chromedp.Nodes(chromedp.CSSAll(`input[type="radio"][name="language"]`), chromedp.AtLeast(0)))) == 0 {
		want = []string{"name", "email", "question", "level", "programme", "consent", "submit"}
	}
	var got, all []string
	for range 40 {
		e2eStep(t, tab, "press Tab", chromedp.KeyEvent(kb.Tab))
		f := e2eValue(t, tab, "focused element", chromedp.Evaluate[focusStep](focusJS))
		all = append(all, f.Key)
		if f.InForm && !strings.HasPrefix(f.Key, "link:") {
			got = append(got, f.Key)
		}
		if f.Key == "submit" {
			break
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("%s: Tab through the booking form: got fields %q, want %q (every stop: %q)", lang, got, want, all)
	}
}

// TestA11y scans the student pages with axe-core (WCAG 2.1 A and AA) in
// both languages, and checks the booking form with the keyboard only.
// The pages are the same on both databases, so it runs on SQLite.
func TestA11y(t *testing.T) {
	axeJS := axeScript(t)
	browser := e2eBrowser(t)
	site := startE2ESite(t, store.SQLite)
	langs := []struct{ lang, acceptLanguage string }{
		{"nb", "nb-NO,nb;q=0.9,en;q=0.5"},
		{"en", "en-GB,en;q=0.9"},
	}
	tabs := map[string]context.Context{}
	for _, l := range langs {
		tabs[l.lang] = e2eTab(t, browser, l.acceptLanguage, false)
	}
	scan := func(t *testing.T, lang, page string, wantStatus int64, trigger ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		tab := tabs[lang]
		e2eNavigate(t, tab, page, wantStatus, trigger...)
		e2ePageLang(t, tab, lang)
		axeCheck(t, tab, axeJS, lang+" "+page)
	}
	// scanOther is scan for the pages of other parts (drop-in, staff),
	// which may come in one language only.
	scanOther := func(t *testing.T, lang, page string) {
		t.Helper()
		tab := tabs[lang]
		e2eNavigate(t, tab, page, http.StatusOK, chromedp.Navigate(site.base+page))
		if got := e2eValue(t, tab, "html lang", chromedp.AttributeValue(chromedp.CSS("html"), "lang")); got.Value != lang {
			t.Logf("%s asked in %s: got <html lang=%q>", page, lang, got.Value)
		}
		axeCheck(t, tab, axeJS, lang+" "+page)
	}

	// Pages that other work adds: scanned when they are there.
	var optional []string
	for _, p := range []string{"/dropin", "/staff/login"} {
		switch ok, err := site.exists(t, p); {
		case err != nil:
			t.Errorf("%s: %v", p, err)
		case !ok:
			t.Logf("%s: 404, not scanned", p)
		default:
			optional = append(optional, p)
		}
	}

	var manage string // the booking's manage page, made by the Norwegian form
	for _, l := range langs {
		t.Run(l.lang, func(t *testing.T) {
			lang, tab := l.lang, tabs[l.lang]
			scan(t, lang, "front page", http.StatusOK, chromedp.Navigate(site.base+"/"))
			scan(t, lang, "front page, no topic chosen", http.StatusUnprocessableEntity,
				chromedp.Click(chromedp.CSS(`form[action="/topics"] button[type="submit"]`)))
			scan(t, lang, "slot list", http.StatusOK, chromedp.Navigate(site.base+"/topics/"+e2eTopic))
			scan(t, lang, "booking form", http.StatusOK, chromedp.Click(chromedp.CSS("a.slot")))
			form := e2eValue(t, tab, "form URL", chromedp.Location())
			checkFocusOrder(t, tab, lang)
			e2eNavigate(t, tab, "reload the form", http.StatusOK, chromedp.Navigate(form))
			scan(t, lang, "booking form with errors", http.StatusUnprocessableEntity,
				chromedp.Click(chromedp.CSS(`form[method="post"] button[type="submit"]`)))
			if got := len(e2eValue(t, tab, "error messages", chromedp.Nodes(chromedp.CSSAll(".error-summary li"), chromedp.AtLeast(0)))); got < 3 {
				t.Errorf("empty form: got %d errors in the summary, want at least 3 (name, e-mail, consent)", got)
			}
			if broken := e2eValue(t, tab, "error links", chromedp.Evaluate[[]string](errorLinksJS)); len(broken) > 0 {
				t.Errorf("%s booking form with errors: errors not tied to a field: %q", lang, broken)
			}

			if manage == "" {
				e2eStep(t, tab, "fill in the form",
					chromedp.SendKeys(chromedp.ID("name"), "Åse Tilgjengelig"),
					chromedp.SendKeys(chromedp.ID("email"), "ase.tilgjengelig@uio.example.no"),
					chromedp.Click(chromedp.ID("consent")),
				)
				scan(t, lang, "confirmation", http.StatusOK,
					chromedp.Click(chromedp.CSS(`form[method="post"] button[type="submit"]`)))
				loc := e2eValue(t, tab, "confirmation URL", chromedp.Location())
				manage, _, _ = strings.Cut(loc, "?")
			} else {
				scan(t, lang, "confirmation", http.StatusOK, chromedp.Navigate(manage+"?new=1"))
			}
			scan(t, lang, "manage page", http.StatusOK, chromedp.Navigate(manage))
			scan(t, lang, "cancel confirmation", http.StatusOK, chromedp.Navigate(manage+"/cancel"))
			scan(t, lang, "change time", http.StatusOK, chromedp.Navigate(manage+"/move"))
			scan(t, lang, "change time, none chosen", http.StatusUnprocessableEntity,
				chromedp.Click(chromedp.CSS(`form[method="post"] button[type="submit"]`)))
			scan(t, lang, "moved", http.StatusOK, chromedp.Navigate(manage+"?moved=1"))
			scan(t, lang, "privacy", http.StatusOK, chromedp.Navigate(site.base+"/privacy"))
			scan(t, lang, "404", http.StatusNotFound, chromedp.Navigate(site.base+"/no-such-page"))
			for _, p := range optional {
				scanOther(t, lang, p)
			}
		})
	}
	if manage == "" {
		return
	}
	t.Run("cancelled", func(t *testing.T) {
		// The student cancels; both languages show the result.
		e2eNavigate(t, tabs["nb"], "cancel confirmation", http.StatusOK, chromedp.Navigate(manage+"/cancel"))
		scan(t, "nb", "cancelled", http.StatusOK, chromedp.Click(chromedp.CSS(`form[method="post"] button[type="submit"]`)))
		scan(t, "en", "cancelled", http.StatusOK, chromedp.Navigate(manage+"?cancelled=1"))
	})
}
