package e2e_test

// The student changes the time of a booking in the browser (nb and en, the
// Norwegian run without JavaScript), and an online booking shows its
// meeting link on the confirmation and in the .ics.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	goical "github.com/emersion/go-ical"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/web"
)

// e2eBooking is the stored booking of a manage token.
func (s *e2eSite) e2eBooking(t *testing.T, token string) booking.Booking {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), e2eStepTimeout)
	defer cancel()
	sum := sha256.Sum256([]byte(token))
	b, err := s.app.Store.BookingByTokenHash(ctx, hex.EncodeToString(sum[:]))
	if err != nil {
		t.Fatalf("the booking of the manage link: %v", err)
	}
	return b
}

func TestE2EMove(t *testing.T) {
	browser := e2eBrowser(t)
	site := startE2ESite(t, store.SQLite)
	for _, st := range []e2eStudent{
		{lang: "nb", acceptLanguage: "nb-NO,nb;q=0.9", noJS: true, name: "Mona Flytter", email: "mona.flytter@uio.example.no",
			question: "Kan jeg bytte tid?", programme: "Master i helsefag", level: "master"},
		{lang: "en", acceptLanguage: "en-GB,en;q=0.9", name: "Max Mover", email: "max.mover@uio.example.no",
			question: "Can I change the time?", programme: "PhD in medicine", level: "phd"},
	} {
		t.Run(st.lang, func(t *testing.T) {
			tab := e2eTab(t, browser, st.acceptLanguage, st.noJS)
			got := site.bookSlot(t, tab, st)
			before := site.e2eBooking(t, got.token)

			e2eNavigate(t, tab, "open the change page", http.StatusOK, chromedp.Navigate(got.manageURL),
				chromedp.Click(chromedp.CSS(`a[href$="/move"]`)))
			e2ePageLang(t, tab, st.lang)
			if h1 := e2eValue(t, tab, "change page heading", chromedp.Text(chromedp.CSS("h1"))); h1 != web.T(st.lang, "move.title") {
				t.Errorf("change page: got heading %q, want %q", h1, web.T(st.lang, "move.title"))
			}
			// Another time than the first one, which is the booking's own
			// or right next to it.
			radios := e2eValue(t, tab, "free times", chromedp.Nodes(chromedp.CSSAll(`input[type="radio"][name="start"]`), chromedp.AtLeast(1)))
			pick := radios[len(radios)-1]
			value := pick.AttributeValue("value")
			to, err := time.Parse(time.RFC3339, value)
			if err != nil {
				t.Fatalf("free time %q: %v", value, err)
			}
			e2eStep(t, tab, "choose the new time", chromedp.Click(chromedp.CSS(`input[name="start"][value="`+value+`"]`)))
			e2eNavigate(t, tab, "move", http.StatusOK, chromedp.Click(chromedp.CSS(`form[method="post"] button[type="submit"]`)))

			loc := e2eValue(t, tab, "after the move", chromedp.Location())
			if !strings.HasSuffix(loc, "?moved=1") {
				t.Errorf("after the move: got %s, want the manage page with ?moved=1", loc)
			}
			if h1 := e2eValue(t, tab, "moved heading", chromedp.Text(chromedp.CSS(".notice.success h1"))); h1 != web.T(st.lang, "move.done.title") {
				t.Errorf("after the move: got heading %q, want %q", h1, web.T(st.lang, "move.done.title"))
			}
			shown := e2eValue(t, tab, "shown time", chromedp.AttributeValue(chromedp.CSS("dl.summary time"), "datetime"))
			if at, err := time.Parse(time.RFC3339, shown.Value); err != nil || !at.Equal(to) {
				t.Errorf("manage page: got time %q, want %v", shown.Value, to)
			}
			after := site.e2eBooking(t, got.token)
			if after.ID != before.ID || after.EventUID != before.EventUID || !after.Start.Equal(to) || after.Sequence != before.Sequence+1 || !after.Active() {
				t.Errorf("stored booking: got %+v, want booking %d at %v with sequence %d", after, before.ID, to, before.Sequence+1)
			}
			// The librarian's calendar has the event at the new time, same UID.
			librarian, err := site.app.Store.UserByID(context.Background(), after.LibrarianID)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), e2eStepTimeout)
			defer cancel()
			c := site.librarianClient(t, librarian.Username)
			objs := e2eBookingEvents(t, ctx, c, e2eBookingsCalendar(t, ctx, c, librarian.Username), st.email)
			if len(objs) != 1 {
				t.Fatalf("CalDAV: got %d events for %s, want 1", len(objs), st.email)
			}
			ev := objs[0].Data.Events()[0]
			if uid, _ := ev.Props.Text(goical.PropUID); uid != before.EventUID {
				t.Errorf("CalDAV event: UID %q, want %q", uid, before.EventUID)
			}
			if start, err := ev.DateTimeStart(time.UTC); err != nil || !start.Equal(to) {
				t.Errorf("CalDAV event: DTSTART %v (%v), want %v", start, err, to)
			}
			e2eCheckICS(t, got.icsURL, after, "PUBLISH")
		})
	}
}

func TestE2EOnlineLink(t *testing.T) {
	browser := e2eBrowser(t)
	site := startE2ESite(t, store.SQLite)
	ctx, cancel := context.WithTimeout(context.Background(), e2eStepTimeout)
	defer cancel()
	topic, err := site.app.Store.TopicBySlug(ctx, e2eTopic)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := site.app.Store.ServiceBySlug(ctx, topic.ServiceSlug)
	if err != nil {
		t.Fatal(err)
	}
	svc.MeetingURLTemplate = "https://meet.example.org/veileder-{id}"
	if _, err := site.app.Store.UpdateService(ctx, svc); err != nil {
		t.Fatal(err)
	}
	for _, st := range []e2eStudent{
		{lang: "nb", acceptLanguage: "nb-NO,nb;q=0.9", name: "Nils Nett", email: "nils.nett@uio.example.no"},
		{lang: "en", acceptLanguage: "en-GB,en;q=0.9", name: "Olive Online", email: "olive.online@uio.example.no"},
	} {
		t.Run(st.lang, func(t *testing.T) {
			tab := e2eTab(t, browser, st.acceptLanguage, false)
			e2eNavigate(t, tab, "online times", http.StatusOK, chromedp.Navigate(site.base+"/topics/"+e2eTopic+"?mode=online"))
			e2eNavigate(t, tab, "pick the first online time", http.StatusOK, chromedp.Click(chromedp.CSS("a.slot")))
			e2eStep(t, tab, "fill in the form",
				chromedp.SendKeys(chromedp.ID("name"), st.name),
				chromedp.SendKeys(chromedp.ID("email"), st.email),
			)
			if radios := e2eValue(t, tab, "language choices", chromedp.Nodes(chromedp.CSSAll(`input[name="language"]`), chromedp.AtLeast(0))); len(radios) > 0 {
				e2eStep(t, tab, "choose the meeting language", chromedp.Click(chromedp.ID("language-"+st.lang)))
			}
			e2eStep(t, tab, "consent", chromedp.Click(chromedp.ID("consent")))
			e2eNavigate(t, tab, "submit the booking", http.StatusOK, chromedp.Click(chromedp.CSS(`form[method="post"] button[type="submit"]`)))
			loc := e2eValue(t, tab, "confirmation URL", chromedp.Location())
			path, _, _ := strings.Cut(strings.TrimPrefix(loc, site.base), "?")
			token := strings.TrimPrefix(path, "/booking/")
			b := site.e2eBooking(t, token)
			want := "https://meet.example.org/veileder-" + strconv.FormatInt(b.ID, 10)
			if !b.Online || b.Location != want {
				t.Fatalf("stored booking: online %v at %q, want online at %s", b.Online, b.Location, want)
			}
			link := e2eValue(t, tab, "join link", chromedp.AttributeValue(chromedp.CSS(`dl.summary a[href^="https://meet.example.org/"]`), "href"))
			if link.Value != want {
				t.Errorf("confirmation: join link %q, want %q", link.Value, want)
			}
			status, _, body := e2eGet(t, site.base+path+"/ics")
			unfolded := strings.ReplaceAll(string(body), "\r\n ", "")
			for _, line := range []string{"URL:" + want, "CONFERENCE;FEATURE=VIDEO;VALUE=URI:" + want, "LOCATION:" + want} {
				if status != http.StatusOK || !strings.Contains(unfolded, line+"\r\n") {
					t.Errorf(".ics (%d) lacks %q:\n%s", status, line, body)
				}
			}
		})
	}
}
