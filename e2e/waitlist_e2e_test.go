package e2e_test

// When nothing fits: a topic with no free time shows the next drop-in
// session, the waitlist and the way to ask the librarians; a student joins
// the waitlist; a booking is cancelled; the offer e-mail arrives at the
// in-process mail server, and its link books the time with one click.
// Norwegian on a phone without JavaScript, English on a desktop.

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/emersion/go-smtp"

	"github.com/veileder/veileder/app"
	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
	"github.com/veileder/veileder/web"
)

// e2eMailbox is an SMTP server on a socket that keeps what it is sent.
type e2eMailbox struct {
	addr string
	mu   sync.Mutex
	msgs []e2eMail
}

type e2eMail struct {
	to      string
	subject string
	text    string
}

func startMailbox(t *testing.T) *e2eMailbox {
	t.Helper()
	mb := &e2eMailbox{}
	s := smtp.NewServer(mb)
	s.Domain = "mail.test"
	s.AllowInsecureAuth = true
	s.ReadTimeout, s.WriteTimeout = 30*time.Second, 30*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mb.addr = ln.Addr().String()
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { s.Close() })
	return mb
}

func (mb *e2eMailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &e2eSession{mb: mb}, nil }

// waitFor returns the first message to the address whose subject contains
// part, waiting for it to arrive.
func (mb *e2eMailbox) waitFor(t *testing.T, to, part string) e2eMail {
	t.Helper()
	deadline := time.Now().Add(e2eStepTimeout)
	for time.Now().Before(deadline) {
		mb.mu.Lock()
		for _, m := range mb.msgs {
			if strings.EqualFold(m.to, to) && strings.Contains(m.subject, part) {
				mb.mu.Unlock()
				return m
			}
		}
		mb.mu.Unlock()
		time.Sleep(100 * time.Millisecond)
	}
	mb.mu.Lock()
	defer mb.mu.Unlock()
	t.Fatalf("no e-mail to %s about %q within %v; got %d: %+v", to, part, e2eStepTimeout, len(mb.msgs), mb.msgs)
	return e2eMail{}
}

type e2eSession struct {
	mb *e2eMailbox
	to string
}

func (s *e2eSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *e2eSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	return nil
}
func (s *e2eSession) Reset()        {}
func (s *e2eSession) Logout() error { return nil }

// Data keeps the message's subject and plain text, decoded.
func (s *e2eSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		subject = m.Header.Get("Subject")
	}
	body, err := io.ReadAll(m.Body)
	if err != nil {
		return err
	}
	switch strings.ToLower(m.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body, err = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
	case "base64":
		body, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(body)), ""))
	}
	if err != nil {
		return err
	}
	s.mb.mu.Lock()
	s.mb.msgs = append(s.mb.msgs, e2eMail{to: s.to, subject: subject, text: string(body)})
	s.mb.mu.Unlock()
	return nil
}

// e2eWaitTopic is the topic of this test: one librarian, one time a week
// at most, and a drop-in session with its theme.
const e2eWaitTopic = "e2e-venteliste"

var offerLinkRe = regexp.MustCompile(`https?://\S+/waitlist/offer/[A-Za-z0-9_-]+`)

func TestE2EWaitlist(t *testing.T) {
	browser := e2eBrowser(t)
	axeJS := axeScript(t)
	mb := startMailbox(t)
	site := startE2ESite(t, store.SQLite, func(c *app.Config) {
		c.Mail.SMTPURL = "smtp://" + mb.addr + "?starttls=none&auth=none"
		c.Mail.PollInterval = 200 * time.Millisecond
		c.Waitlist = app.WaitlistConfig{Hold: 30 * time.Minute, Interval: 300 * time.Millisecond}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	st := site.app.Store
	if _, err := st.CreateTopic(ctx, booking.Topic{Slug: e2eWaitTopic, ServiceSlug: "bibliotekar",
		NameNB: "Ventelistetest", NameEN: "Waitlist test"}); err != nil {
		t.Fatal(err)
	}
	wanda, err := st.CreateUser(ctx, booking.User{Username: "wanda", DisplayName: "Wanda Vente", Email: "wanda@ub.example.org", Role: booking.RoleLibrarian}, "wanda-password")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddCompetence(ctx, wanda.ID, e2eWaitTopic, booking.LevelPrimary, []string{"nb", "en"}); err != nil {
		t.Fatal(err)
	}
	loc := site.app.Location
	// The one time: Wednesday 6 May 2026, 10:00-10:45.
	at := time.Date(2026, time.May, 6, 10, 0, 0, 0, loc)
	site.putEvent(t, wanda.ID, "availability", "one.ics", "e2e-one@test", "Veiledning", "Rom 101", at, at.Add(45*time.Minute))
	marit, err := st.UserByUsername(ctx, "marit")
	if err != nil {
		t.Fatal(err)
	}
	dropinAt := time.Date(2026, time.May, 7, 13, 0, 0, 0, loc)
	site.putEvent(t, marit.ID, "dropin", "e2e-venteliste.ics", "e2e-dropin@test", "Drop-in: venteliste #"+e2eWaitTopic,
		"Georg Sverdrups hus, Kafé", dropinAt, dropinAt.Add(time.Hour))
	site.app.Start(context.Background())

	// Someone has the one time.
	_, holder, err := site.app.Scheduling.Book(ctx, booking.Request{TopicSlug: e2eWaitTopic, Start: at, StudentName: "Først Først",
		StudentEmail: "forst@uio.example.no", Locale: "nb", Consent: true})
	if err != nil {
		t.Fatal(err)
	}

	for _, run := range []struct {
		lang, acceptLanguage string
		noJS                 bool
		width, height        int64
		mobile               bool
		name, email          string
	}{
		{"nb", "nb-NO,nb;q=0.9", true, 390, 844, true, "Vera Venter", "vera.venter@uio.example.no"},
		{"en", "en-GB,en;q=0.9", false, 1280, 800, false, "Walt Waiter", "walt.waiter@uio.example.no"},
	} {
		t.Run(run.lang, func(t *testing.T) {
			tab := e2eTab(t, browser, run.acceptLanguage, run.noJS)
			opts := []chromedp.EmulateViewportOption{}
			if run.mobile {
				opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateScale(1))
			}
			e2eStep(t, tab, "viewport", chromedp.EmulateViewport(run.width, run.height, opts...))

			// No free time: the next drop-in, the waitlist, the request.
			e2eNavigate(t, tab, "open the topic", http.StatusOK, chromedp.Navigate(site.base+"/topics/"+e2eWaitTopic))
			e2ePageLang(t, tab, run.lang)
			if got := e2eValue(t, tab, "no free times", chromedp.Text(chromedp.CSS(".notice"))); !strings.Contains(got, web.T(run.lang, "nothing.none")) {
				t.Errorf("topic page: got %q, want %q", got, web.T(run.lang, "nothing.none"))
			}
			dropin := e2eValue(t, tab, "next drop-in", chromedp.Text(chromedp.CSS("#nothing-dropin")))
			if !strings.Contains(dropin, "Drop-in: venteliste") || !strings.Contains(dropin, "Georg Sverdrups hus, Kafé") {
				t.Errorf("next drop-in: got %q", dropin)
			}
			req := e2eValue(t, tab, "request link", chromedp.AttributeValue(chromedp.CSS("#nothing-request a"), "href"))
			if req.Value != "/request/"+e2eWaitTopic {
				t.Errorf("request link: got %q", req.Value)
			}
			scan := func(page string) {
				t.Helper()
				if !run.noJS {
					axeCheck(t, tab, axeJS, page)
					return
				}
				// axe-core is a script: scan the same page in a tab that
				// runs scripts, with the same language and size.
				u := e2eValue(t, tab, "location", chromedp.Location())
				js := e2eTab(t, browser, run.acceptLanguage, false)
				e2eStep(t, js, "viewport", chromedp.EmulateViewport(run.width, run.height, opts...))
				e2eNavigate(t, js, "open "+page+" to scan it", http.StatusOK, chromedp.Navigate(u))
				axeCheck(t, js, axeJS, page)
			}
			scan("topic without free times (" + run.lang + ")")
			extShoot(t, tab, "waitlist-topic-"+run.lang)
			e2eStep(t, tab, "viewport", chromedp.EmulateViewport(run.width, run.height, opts...))

			// Join the waitlist.
			e2eNavigate(t, tab, "open the waitlist form", http.StatusOK, chromedp.Click(chromedp.CSS("#nothing-waitlist a")))
			scan("waitlist form (" + run.lang + ")")
			e2eStep(t, tab, "fill in the waitlist form",
				chromedp.SendKeys(chromedp.ID("wl-name"), run.name),
				chromedp.SendKeys(chromedp.ID("wl-email"), run.email),
				chromedp.Click(chromedp.ID("wl-mode-in-person")),
				chromedp.Click(chromedp.ID("wl-weekday-3")),
				chromedp.Click(chromedp.ID("wl-time-morning")),
			)
			extShoot(t, tab, "waitlist-form-"+run.lang)
			e2eStep(t, tab, "viewport", chromedp.EmulateViewport(run.width, run.height, opts...))
			// Without consent the form comes back with the error.
			e2eNavigate(t, tab, "submit without consent", http.StatusUnprocessableEntity,
				chromedp.Click(chromedp.CSS(`form[method="post"] button[type="submit"]`)))
			if !run.noJS {
				axeCheck(t, tab, axeJS, "waitlist form with an error ("+run.lang+")")
			}
			e2eStep(t, tab, "consent", chromedp.Click(chromedp.ID("wl-consent")))
			e2eNavigate(t, tab, "join", http.StatusOK, chromedp.Click(chromedp.CSS(`form[method="post"] button[type="submit"]`)))
			if got := e2eValue(t, tab, "joined", chromedp.Text(chromedp.CSS(".notice.success h1"))); got != web.T(run.lang, "waitlist.joined.title") {
				t.Errorf("after joining: got %q", got)
			}
			scan("waitlist entry (" + run.lang + ")")

			// The time frees up.
			if _, err := site.app.Scheduling.Cancel(ctx, holder); err != nil {
				t.Fatal(err)
			}
			m := mb.waitFor(t, run.email, map[string]string{"nb": "er ledig", "en": "is free"}[run.lang])
			link := offerLinkRe.FindString(m.text)
			if link == "" || !strings.Contains(m.text, "/waitlist/leave/") {
				t.Fatalf("offer e-mail without its links:\n%s", m.text)
			}

			// Following the link books nothing; the button does.
			e2eNavigate(t, tab, "open the offer", http.StatusOK, chromedp.Navigate(link))
			if got := e2eValue(t, tab, "offer heading", chromedp.Text(chromedp.CSS("h1"))); got != web.T(run.lang, "waitlist.offer.title") {
				t.Errorf("offer page: got heading %q", got)
			}
			if bs, err := st.BookingsOfLibrarian(ctx, wanda.ID, at, at.Add(time.Hour)); err != nil || len(bs) != 0 {
				t.Errorf("bookings after only opening the offer: %+v, %v", bs, err)
			}
			scan("waitlist offer (" + run.lang + ")")
			extShoot(t, tab, "waitlist-offer-"+run.lang)
			e2eStep(t, tab, "viewport", chromedp.EmulateViewport(run.width, run.height, opts...))
			e2eNavigate(t, tab, "accept the offer", http.StatusOK, chromedp.Click(chromedp.CSS(`form[method="post"] button[type="submit"]`)))
			if got := e2eValue(t, tab, "booked", chromedp.Text(chromedp.CSS(".notice.success h1"))); got != web.T(run.lang, "booking.title.new") {
				t.Errorf("after accepting: got heading %q", got)
			}
			shown := e2eValue(t, tab, "booked time", chromedp.AttributeValue(chromedp.CSS("dl.summary time"), "datetime"))
			if got, err := time.Parse(time.RFC3339, shown.Value); err != nil || !got.Equal(at) {
				t.Errorf("booked time: got %q, want %v", shown.Value, at)
			}
			bs, err := st.BookingsOfLibrarian(ctx, wanda.ID, at, at.Add(time.Hour))
			if err != nil || len(bs) != 1 || !strings.EqualFold(bs[0].StudentEmail, run.email) {
				t.Fatalf("bookings after accepting: %+v, %v", bs, err)
			}
			mb.waitFor(t, run.email, map[string]string{"nb": "Bekreftet", "en": "Confirmed"}[run.lang])
			// The next round frees this student's time for the next.
			holder = site.e2eManageToken(t, tab)
		})
	}
}

// putEvent stores one event in a calendar of the user's, as a calendar
// app's PUT would.
func (s *e2eSite) putEvent(t *testing.T, userID int64, calendar, name, uid, summary, location string, start, end time.Time) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), e2eStepTimeout)
	defer cancel()
	cal, err := s.app.Store.CalendarBySlug(ctx, userID, calendar)
	if err != nil {
		t.Fatal(err)
	}
	ics := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//e2e//EN\r\nBEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20260101T000000Z\r\n" +
		"DTSTART:" + start.UTC().Format("20060102T150405Z") + "\r\nDTEND:" + end.UTC().Format("20060102T150405Z") + "\r\n" +
		"SUMMARY:" + summary + "\r\nLOCATION:" + strings.ReplaceAll(location, ",", `\,`) + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	obj, err := storetest.Object(cal, name, []byte(ics), s.app.Location)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.app.Store.PutObject(ctx, obj, booking.WriteCondition{}); err != nil {
		t.Fatal(err)
	}
}

// e2eManageToken is the manage token of the booking page the tab shows.
func (s *e2eSite) e2eManageToken(t *testing.T, tab context.Context) string {
	t.Helper()
	loc := e2eValue(t, tab, "manage URL", chromedp.Location())
	i := strings.Index(loc, "/booking/")
	if i < 0 {
		t.Fatalf("not a booking page: %s", loc)
	}
	token := loc[i+len("/booking/"):]
	if j := strings.IndexAny(token, "?/"); j >= 0 {
		token = token[:j]
	}
	return token
}
