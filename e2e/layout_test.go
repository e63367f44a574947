package e2e_test

// TestLayout photographs the main student and staff pages at phone and
// desktop size in both languages (into testdata/screenshots, to look at
// after a run) and checks what a person would see first: nothing cut off
// or sticking out sideways, and the header lined up with the content.

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/veileder/veileder/store"
)

// layoutSizes are the two screens every page is checked at.
var layoutSizes = []struct {
	name          string
	width, height int64
	mobile        bool
}{{"phone", 390, 844, true}, {"desktop", 1280, 800, false}}

// layoutProblemsJS lists what is wrong with the page's layout: elements
// whose right edge passes the screen's without a scrolling box around
// them (cut off), and a header whose content does not start where the
// page's does.
const layoutProblemsJS = `(() => {
	const out = [];
	const vw = document.documentElement.clientWidth;
	const scrolls = el => {
		for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
			const o = getComputedStyle(p).overflowX;
			if (o === 'auto' || o === 'scroll') return true;
		}
		return false;
	};
	for (const el of document.querySelectorAll('main *, header *, footer *')) {
		const r = el.getBoundingClientRect();
		if (r.width === 0 || r.height === 0) continue;
		if (getComputedStyle(el).position === 'absolute' && r.right < 0) continue; // skip links, visually hidden
		if (r.right > vw + 1 && !scrolls(el)) {
			const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
			out.push('cut off: ' + name + ' ends at ' + Math.round(r.right) + ' px, the screen at ' + vw);
			if (out.length > 5) break;
		}
	}
	const head = document.querySelector('header .wrap'), main = document.querySelector('main.wrap');
	if (head && main) {
		const hl = head.getBoundingClientRect().left + parseFloat(getComputedStyle(head).paddingLeft);
		const ml = main.getBoundingClientRect().left + parseFloat(getComputedStyle(main).paddingLeft);
		if (Math.abs(hl - ml) > 1) out.push('the header starts at ' + Math.round(hl) + ' px, the content at ' + Math.round(ml));
	}
	return out;
})()`

// layoutShoot photographs the tab's page at both sizes and reports what
// layoutProblemsJS finds.
func layoutShoot(t *testing.T, tab context.Context, name string) {
	t.Helper()
	if err := os.MkdirAll(extShots, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, size := range layoutSizes {
		opts := []chromedp.EmulateViewportOption{}
		if size.mobile {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateScale(1))
		}
		e2eStep(t, tab, "viewport "+size.name, chromedp.EmulateViewport(size.width, size.height, opts...))
		// Measured before the screenshot, which resizes the page to
		// photograph all of it.
		width := e2eValue(t, tab, "page width", chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
		problems := e2eValue(t, tab, "layout", chromedp.Evaluate[[]string](layoutProblemsJS))
		png := e2eValue(t, tab, "screenshot", chromedp.FullScreenshot(100))
		p := filepath.Join(extShots, "layout-"+name+"-"+size.name+".png")
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		// A phone browser zooms out to fit a page that is too wide.
		if width > size.width {
			t.Errorf("%s at %s size: the page is %d px wide, wider than the screen's %d (see %s)", name, size.name, width, size.width, p)
		}
		for _, problem := range problems {
			t.Errorf("%s at %s size: %s (see %s)", name, size.name, problem, p)
		}
	}
	e2eStep(t, tab, "viewport back", chromedp.EmulateViewport(1280, 800))
}

// layoutBook books the first free slot of topic over the JSON API, with
// a long question, and returns the booking's manage token.
func (s *e2eSite) layoutBook(t *testing.T, topic, name, email string) string {
	t.Helper()
	slots := s.staffSlots(t, topic)
	if len(slots) == 0 {
		t.Fatalf("slots for %s: got none", topic)
	}
	return s.apiBook(t, topic, slots[0], name, email,
		"Jeg trenger hjelp med å finne kilder til masteroppgaven, særlig eldre tidsskriftartikler.")
}

func TestLayout(t *testing.T) {
	browser := e2eBrowser(t)
	site := startE2ESite(t, store.SQLite)
	token := site.layoutBook(t, staffLarsTopic, "Åse Kristine Tilgjengelig-Johannessen", "ase.kristine.tilgjengelig-johannessen@student.uio.example.no")
	site.layoutBook(t, staffBookTopic, "Per Hansen", "per.hansen@uio.example.no")

	student := []string{"/", "/topics/" + staffBookTopic, "/booking/" + token, "/booking/" + token + "/move",
		"/booking/" + token + "/cancel", "/privacy", "/dropin", "/dropin/widget"}
	staff := []string{"/staff/bookings", "/staff/profile", "/staff/competences", "/staff/hours", "/staff/caldav",
		"/staff/external", "/staff/desk", "/staff/password", "/staff/dropin", "/staff/api-tokens",
		"/admin/bookings", "/admin/users", "/admin/topics", "/admin/services", "/admin/stats", "/admin/privacy",
		"/admin/competence", "/admin/outbox", "/admin/dropin-tags", "/admin/external"}
	shotName := func(lang, path string) string {
		n := strings.Trim(strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace(path), "-")
		if n == "" {
			n = "home"
		}
		return strings.Replace(n, token, "token", 1) + "-" + lang
	}
	for _, lang := range []string{"nb", "en"} {
		t.Run(lang, func(t *testing.T) {
			tab := e2eTab(t, browser, staffAcceptLanguage[lang], false)
			// The manage pages speak the booking's language unless the
			// visitor chose one: choose.
			e2eNavigate(t, tab, "choose the language", http.StatusOK, chromedp.Navigate(site.base+"/?lang="+lang))
			for _, p := range student {
				if p == "/dropin/widget" { // its language comes from the address alone
					p += "?lang=" + lang
				}
				e2eNavigate(t, tab, p, http.StatusOK, chromedp.Navigate(site.base+p))
				e2ePageLang(t, tab, lang)
				layoutShoot(t, tab, shotName(lang, p))
			}
			// The booking form needs a slot from the topic page.
			e2eNavigate(t, tab, "the topic page", http.StatusOK, chromedp.Navigate(site.base+"/topics/"+staffBookTopic))
			e2eNavigate(t, tab, "the booking form", http.StatusOK, chromedp.Click(chromedp.CSS("a.slot")))
			layoutShoot(t, tab, "book-"+lang)

			// Staff pages as the admin, who sees them all, with an app
			// password so that its table has a row.
			site.staffSignIn(t, tab, "admin")
			e2eNavigate(t, tab, "the CalDAV page", http.StatusOK, chromedp.Navigate(site.base+"/staff/caldav"))
			staffCreateAppPassword(t, tab, lang, fmt.Sprintf("Thunderbird på kontoret (%s)", lang))
			for _, p := range staff {
				e2eNavigate(t, tab, p, http.StatusOK, chromedp.Navigate(site.base+p))
				e2ePageLang(t, tab, lang)
				layoutShoot(t, tab, shotName(lang, p))
			}
		})
	}
}
