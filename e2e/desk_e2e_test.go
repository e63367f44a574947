package e2e_test

// The first line in real headless Chromium, on SQLite and PostgreSQL: a
// desk user logs three inquiries with the keyboard only, in under a
// minute, and hands one over by booking a librarian for the student; the
// librarian finds the event in their bookings calendar over CalDAV.
// TestDeskA11y scans the log and the hand-over with axe-core in both
// languages.

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/demo"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// deskUser is the desk account the tests add to the demo data.
const deskUser = "dina"

// withDeskUser adds the desk account.
func (s *e2eSite) withDeskUser(t *testing.T) booking.User {
	t.Helper()
	u, err := s.app.Store.CreateUser(t.Context(), booking.User{Username: deskUser, DisplayName: "Dina Skranke",
		Email: "dina@ub.example.org", Role: booking.RoleDesk}, demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// deskSignIn signs the desk user in; the staff home sends them to the log.
func (s *e2eSite) deskSignIn(t *testing.T, tab context.Context) {
	t.Helper()
	e2eNavigate(t, tab, "open the sign-in page", http.StatusOK, chromedp.Navigate(s.base+"/staff/login"))
	staffSubmitLogin(t, tab, deskUser, demo.Password, http.StatusOK)
	if loc := e2eValue(t, tab, "location", chromedp.Location()); loc != s.base+"/staff/desk" {
		t.Fatalf("after signing in as %s: got %s, want %s/staff/desk", deskUser, loc, s.base)
	}
}

// focused is the id of the focused element.
func focused(t *testing.T, tab context.Context) string {
	t.Helper()
	return e2eValue(t, tab, "focused element", chromedp.Evaluate[string](`document.activeElement?.id ?? ''`))
}

// keys presses keys one by one: kb constants or plain text.
func keys(t *testing.T, tab context.Context, what string, ks ...string) {
	t.Helper()
	steps := make([]chromedp.Action[chromedp.Void], 0, len(ks))
	for _, k := range ks {
		steps = append(steps, chromedp.KeyEvent(k))
	}
	e2eStep(t, tab, what, steps...)
}

// repeat is k n times.
func repeat(k string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = k
	}
	return out
}

// optionIndex is the index of the option with value in the select id.
func optionIndex(t *testing.T, tab context.Context, id, value string) int {
	t.Helper()
	js := fmt.Sprintf(`[...document.getElementById(%q).options].findIndex(o => o.value === %q)`, id, value)
	i := e2eValue(t, tab, "option "+value, chromedp.Evaluate[int](js))
	if i < 0 {
		t.Fatalf("select %s has no option %q", id, value)
	}
	return i
}

func TestDeskE2E(t *testing.T) {
	browser := e2eBrowser(t)
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			site := startE2ESite(t, d)
			desk := site.withDeskUser(t)
			tab := e2eTab(t, browser, staffAcceptLanguage["nb"], false)
			site.deskSignIn(t, tab)
			site.deskKeyboardFlow(t, tab, desk)
			site.deskHandOverFlow(t, tab, desk)
		})
	}
}

// deskKeyboardFlow logs three inquiries with the keyboard only: the form
// has the focus when it opens, Tab and the arrow keys fill it in, Enter
// saves it and brings back an empty one.
func (s *e2eSite) deskKeyboardFlow(t *testing.T, tab context.Context, desk booking.User) {
	ctx := t.Context()
	topic, err := s.app.Store.TopicBySlug(ctx, staffBookTopic)
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	// ready checks that the page is the empty log with the focus on the
	// channel, and how many entries it lists.
	ready := func(what string, entries int) {
		t.Helper()
		// autofocus applies once the page has loaded; wait for it.
		got := focused(t, tab)
		for tries := 0; got != "channel" && tries < 40; tries++ {
			time.Sleep(25 * time.Millisecond)
			got = focused(t, tab)
		}
		if got != "channel" {
			t.Fatalf("%s: focus on %q, want the channel", what, got)
		}
		if got := len(e2eValue(t, tab, "entries", chromedp.Nodes(chromedp.CSSAll(`table tbody tr`), chromedp.AtLeast(0)))); got != entries {
			t.Fatalf("%s: got %d entries listed, want %d", what, got, entries)
		}
	}
	submit := func(what string) {
		t.Helper()
		e2eNavigate(t, tab, what, http.StatusOK, chromedp.KeyEvent(kb.Enter))
	}

	ready("the log", 0)
	// 1: at the desk, the topic the student asks about, READ 2, 4 minutes.
	i := optionIndex(t, tab, "topic", fmt.Sprint(topic.ID))
	keys(t, tab, "first inquiry", kb.Tab)
	keys(t, tab, "choose the topic", append(repeat(kb.Home, 1), repeat(kb.ArrowDown, i)...)...)
	keys(t, tab, "READ and minutes", kb.Tab, kb.Tab, kb.ArrowRight, kb.Tab, kb.Backspace, "4")
	submit("save the first inquiry")

	// 2: on the phone, "other" with a tag, READ 1, answered.
	ready("after the first", 1)
	keys(t, tab, "second inquiry", kb.ArrowDown, kb.Tab, kb.End, kb.Tab, "p", "r", "i", "n", "t", "i", "n", "g")
	submit("save the second inquiry")

	// 3: by e-mail (the phone stays chosen, one further down), the topic,
	// READ 3, referred to a librarian, with a note.
	ready("after the second", 2)
	keys(t, tab, "third inquiry", kb.ArrowDown, kb.Tab)
	keys(t, tab, "choose the topic", append(repeat(kb.Home, 1), repeat(kb.ArrowDown, i)...)...)
	keys(t, tab, "READ, minutes, outcome", kb.Tab, kb.Tab, kb.ArrowRight, kb.ArrowRight, kb.Tab, kb.Tab, kb.ArrowRight, kb.Tab)
	if got := focused(t, tab); got != "note" {
		t.Fatalf("after the outcome: focus on %q, want the note", got)
	}
	keys(t, tab, "note", strings.Split("fagbibliotekar", "")...)
	submit("save the third inquiry")
	ready("after the third", 3)
	if took := time.Since(began); took > time.Minute {
		t.Errorf("three inquiries took %s, want under a minute", took)
	}

	list, err := s.app.Store.Inquiries(ctx, booking.InquirySearch{UserID: desk.ID})
	if err != nil || len(list) != 3 {
		t.Fatalf("inquiries: got %d, %v; want 3", len(list), err)
	}
	type entry struct {
		channel booking.Channel
		topic   int64
		tags    string
		read    int
		minutes int
		outcome booking.Outcome
		note    string
	}
	var got []entry
	for _, q := range list {
		got = append(got, entry{q.Channel, q.TopicID, strings.Join(q.Tags, ","), q.READ, q.Minutes, q.Outcome, q.Note})
	}
	want := []entry{ // latest first
		{booking.ChannelEmail, topic.ID, "", 3, 2, booking.OutcomeReferred, "fagbibliotekar"},
		{booking.ChannelPhone, 0, "printing", 1, 2, booking.OutcomeAnswered, ""},
		{booking.ChannelDesk, topic.ID, "", 2, 4, booking.OutcomeAnswered, ""},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("inquiries: got %+v, want %+v", got, want)
	}
}

// deskHandOverFlow books a librarian for the student from the referred
// inquiry: the slot list names the librarian, the booking lands in their
// bookings calendar, and the entry says booked.
func (s *e2eSite) deskHandOverFlow(t *testing.T, tab context.Context, desk booking.User) {
	ctx := t.Context()
	const email = "sindre.student@uio.example.no"
	list, err := s.app.Store.Inquiries(ctx, booking.InquirySearch{UserID: desk.ID})
	if err != nil || len(list) == 0 {
		t.Fatalf("inquiries: %v", err)
	}
	referred := list[0]
	e2eNavigate(t, tab, "book from the entry", http.StatusOK,
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href^="/staff/desk/book?inquiry=%d"]`, referred.ID))))
	label := staffText(t, tab, `label[for="start-0"]`)
	if label == "" {
		t.Fatal("the hand-over lists no free time")
	}
	e2eStep(t, tab, "the student's details",
		chromedp.SendKeys(chromedp.ID("name"), "Sindre Student"),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.Click(chromedp.ID("consent")),
	)
	e2eNavigate(t, tab, "book", http.StatusOK, chromedp.Click(chromedp.CSS(`form[method="post"][action="/staff/desk/book"] button[type="submit"]`)))
	if loc := e2eValue(t, tab, "location", chromedp.Location()); !strings.HasSuffix(loc, "/staff/desk?done=deskbooked") {
		t.Fatalf("after booking: at %s, want the log with its confirmation", loc)
	}
	bs, err := s.app.Store.StaffBookings(ctx, booking.BookingSearch{Email: email})
	if err != nil || len(bs) != 1 {
		t.Fatalf("bookings of %s: got %d, %v; want 1", email, len(bs), err)
	}
	b := bs[0]
	if b.BookedBy != desk.ID || b.InquiryID != referred.ID {
		t.Errorf("booking: got booked by %d from %d, want %d from %d", b.BookedBy, b.InquiryID, desk.ID, referred.ID)
	}
	if !strings.Contains(label, b.LibrarianName) {
		t.Errorf("the slot offered said %q, but the booking went to %s", label, b.LibrarianName)
	}
	if q, err := s.app.Store.Inquiry(ctx, referred.ID); err != nil || q.Outcome != booking.OutcomeBooked {
		t.Errorf("the entry after booking: got %+v, %v; want booked", q, err)
	}
	lib, err := s.app.Store.UserByID(ctx, b.LibrarianID)
	if err != nil {
		t.Fatal(err)
	}
	c := s.librarianClient(t, lib.Username)
	cal := e2eBookingsCalendar(t, ctx, c, lib.Username)
	if evs := e2eBookingEvents(t, ctx, c, cal, email); len(evs) != 1 {
		t.Errorf("CalDAV: %s's bookings calendar holds %d events for %s, want 1", lib.Username, len(evs), email)
	}
}

// TestDeskA11y scans the log (empty, with entries, with errors, one entry
// being changed) and the hand-over (with slots, with errors) with axe-core
// in both languages, on a phone-sized and a desktop window, then the API
// tokens page and the competence page.
func TestDeskA11y(t *testing.T) {
	axeJS := axeScript(t)
	browser := e2eBrowser(t)
	site := startE2ESite(t, store.SQLite)
	site.withDeskUser(t)
	tab := e2eTab(t, browser, staffAcceptLanguage["en"], false)
	site.deskSignIn(t, tab)
	scanBoth := func(what string, wantStatus int64, open chromedp.Action[chromedp.Void]) {
		t.Helper()
		e2eNavigate(t, tab, what, wantStatus, open)
		lang := e2eValue(t, tab, "html lang", chromedp.AttributeValue(chromedp.CSS("html"), "lang")).Value
		axeCheck(t, tab, axeJS, lang+" "+what)
		if wantStatus == http.StatusOK {
			e2eNavigate(t, tab, what+": switch language", wantStatus, chromedp.Click(chromedp.CSS("a.lang-switch")))
			axeCheck(t, tab, axeJS, otherLang(lang)+" "+what)
		}
	}
	for _, size := range []struct {
		name string
		w, h int64
	}{{"phone", 390, 844}, {"desktop", 1280, 900}} {
		t.Run(size.name, func(t *testing.T) {
			e2eStep(t, tab, "window size", chromedp.EmulateViewport(size.w, size.h))
			scanBoth("/staff/desk", http.StatusOK, chromedp.Navigate(site.base+"/staff/desk"))
			e2eStep(t, tab, "choose other without a tag", chromedp.SetValue(chromedp.ID("topic"), ""))
			scanBoth("/staff/desk with errors", http.StatusUnprocessableEntity,
				chromedp.Click(chromedp.CSS(`form[action="/staff/desk"] button[type="submit"]`)))
			e2eNavigate(t, tab, "the log", http.StatusOK, chromedp.Navigate(site.base+"/staff/desk"))
			e2eNavigate(t, tab, "log one", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action="/staff/desk"] button[type="submit"]`)))
			scanBoth("/staff/desk with entries", http.StatusOK, chromedp.Navigate(site.base+"/staff/desk"))
			edit := e2eValue(t, tab, "edit link", chromedp.Evaluate[string](`document.querySelector('table a[href^="/staff/desk/"]:not([href*="book"])')?.getAttribute('href') ?? ''`))
			if edit == "" {
				t.Fatal("no entry to change")
			}
			scanBoth(edit, http.StatusOK, chromedp.Navigate(site.base+edit))
			scanBoth("/staff/desk/book", http.StatusOK, chromedp.Navigate(site.base+"/staff/desk/book?topic="+staffBookTopic))
			e2eNavigate(t, tab, "the hand-over", http.StatusOK, chromedp.Navigate(site.base+"/staff/desk/book?topic="+staffBookTopic))
			scanBoth("/staff/desk/book with errors", http.StatusUnprocessableEntity,
				chromedp.Click(chromedp.CSS(`form[method="post"][action="/staff/desk/book"] button[type="submit"]`)))
		})
	}
	// The API tokens page: empty, with an error, with a new token shown.
	t.Run("tokens", func(t *testing.T) {
		scanBoth("/staff/api-tokens", http.StatusOK, chromedp.Navigate(site.base+"/staff/api-tokens"))
		scanBoth("/staff/api-tokens with an error", http.StatusUnprocessableEntity,
			chromedp.Click(chromedp.CSS(`form[action="/staff/api-tokens"] button[type="submit"]`)))
		e2eStep(t, tab, "label", chromedp.SendKeys(chromedp.ID("label"), "Chat"))
		e2eNavigate(t, tab, "make a token", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action="/staff/api-tokens"] button[type="submit"]`)))
		axeCheck(t, tab, axeJS, "/staff/api-tokens with a new token")
		scanBoth("/staff/api-tokens with a token", http.StatusOK, chromedp.Navigate(site.base+"/staff/api-tokens"))
	})
	// The section heads' competence page, with the entries logged above.
	t.Run("competence", func(t *testing.T) {
		tab = e2eTab(t, browser, staffAcceptLanguage["nb"], false)
		site.staffSignIn(t, tab, "admin")
		scanBoth("/admin/competence", http.StatusOK, chromedp.Navigate(site.base+"/admin/competence"))
		if n := len(e2eValue(t, tab, "gap sentences", chromedp.Nodes(chromedp.CSSAll("ul.gaps li"), chromedp.AtLeast(0)))); n == 0 {
			t.Error("/admin/competence: no topic sentences, want the topic the desk logged")
		}
	})
}
