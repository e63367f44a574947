package notify_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/notify"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// newSender returns a sender on s that sends to srv without TLS.
func newSender(t *testing.T, s *store.Store, srv *smtpServer, c *clock, mod func(*notify.Config)) *notify.Sender {
	t.Helper()
	cfg := notify.Config{
		Store:     s,
		SMTPURL:   "smtp://" + srv.Addr + "?starttls=none&timeout=5s",
		From:      "Veileder <noreply@veileder.example.org>",
		BaseURL:   "https://veileder.example.org",
		ManageURL: manageURL,
		Now:       c.Now,
		Batch:     5,
		RetryBase: time.Minute,
		RetryMax:  time.Hour,
		Logger:    slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	if mod != nil {
		mod(&cfg)
	}
	sender, err := notify.New(cfg)
	if err != nil {
		t.Fatalf("notify.New: %v", err)
	}
	return sender
}

// testWriter sends log lines to t.Log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// want is what one message must be.
type want struct {
	kind     booking.MessageKind
	to       string
	subject  string   // a word the subject holds in the message's language
	text     []string // what the plain text must hold
	method   string   // "" for no invitation
	sequence int
	status   string
}

// Each kind of message arrives once, in the student's language, with its
// headers and, for the student, an iTIP invitation that an independent
// parser reads with the right METHOD, UID and SEQUENCE.
func TestEachKindArrives(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := startSMTP(t, serverOptions{})
		f := newFixture(t, s)
		base := time.Now().UTC().Truncate(time.Second)
		c := newClock(base)
		sender := newSender(t, s, srv, c, nil)
		reminders, err := notify.NewReminderJob(notify.ReminderConfig{Store: s, Before: 24 * time.Hour, Now: c.Now})
		if err != nil {
			t.Fatal(err)
		}

		for _, lang := range []string{"nb", "en"} {
			t.Run(lang, func(t *testing.T) {
				email := "ola." + lang + "@student.example.org"
				start := base.Add(72 * time.Hour).Truncate(time.Hour)
				c.Set(base)
				b := f.book(t, start, lang, email, c.Now())
				words := map[string]map[booking.MessageKind]string{
					"nb": {booking.MessageConfirmation: "Bekreftet", booking.MessageReminder: "Påminnelse", booking.MessageMoved: "Ny tid", booking.MessageCancelled: "Avlyst"},
					"en": {booking.MessageConfirmation: "Confirmed", booking.MessageReminder: "Reminder", booking.MessageMoved: "New time", booking.MessageCancelled: "Cancelled"},
				}[lang]
				manage := manageURL(b)
				seen := len(srv.Messages())
				step := func(w want) {
					t.Helper()
					drain(t, sender)
					msgs := srv.Messages()[seen:]
					seen += len(msgs)
					checkMessages(t, b, c.Now(), msgs, []want{w})
				}

				// Booked: the student's confirmation, and the librarian's
				// note (in Norwegian, whatever the student's language).
				drain(t, sender)
				msgs := srv.Messages()[seen:]
				seen += len(msgs)
				checkMessages(t, b, c.Now(), msgs, []want{
					{kind: booking.MessageConfirmation, to: email, subject: words[booking.MessageConfirmation],
						text: []string{manage, "Zotero", "LaTeX"}, method: "REQUEST", sequence: 0, status: "CONFIRMED"},
					{kind: booking.MessageLibrarianNew, to: "kari@ub.example.org", subject: "Ny booking",
						text: []string{email, "Hvordan bruker jeg Zotero med Word?", "Master i historie"}},
				})

				// The reminder, 23 hours before; asking again queues none.
				c.Set(start.Add(-23 * time.Hour))
				for i := range 2 {
					n, err := reminders.RunOnce(t.Context())
					if err != nil || n != 1-i {
						t.Fatalf("reminder run %d: got %d, %v; want %d", i, n, err, 1-i)
					}
				}
				step(want{kind: booking.MessageReminder, to: email, subject: words[booking.MessageReminder],
					text: []string{manage}, method: "REQUEST", sequence: 0, status: "CONFIRMED"})

				// The librarian moves it an hour later: a REQUEST with a
				// higher SEQUENCE and the new time.
				b = f.change(t, b, booking.MessageMoved, c.Now(), func(b *booking.Booking) {
					b.Start, b.End = b.Start.Add(time.Hour), b.End.Add(time.Hour)
				})
				step(want{kind: booking.MessageMoved, to: email, subject: words[booking.MessageMoved],
					text: []string{manage}, method: "REQUEST", sequence: 1, status: "CONFIRMED"})
				// The moved meeting is within the window, but was moved
				// after its reminder time: no second reminder.
				if n, err := reminders.RunOnce(t.Context()); err != nil || n != 0 {
					t.Errorf("reminders after the move: got %d, %v; want 0", n, err)
				}

				// The librarian cancels: a CANCEL with a link to book
				// another time.
				b = f.change(t, b, booking.MessageCancelled, c.Now(), func(b *booking.Booking) {
					b.Status, b.CancelledBy = booking.StatusCancelled, booking.PartyLibrarian
				})
				step(want{kind: booking.MessageCancelled, to: email, subject: words[booking.MessageCancelled],
					text: []string{"https://veileder.example.org/topics/zotero"}, method: "CANCEL", sequence: 2, status: "CANCELLED"})
			})
		}

		st, err := s.OutboxStats(t.Context())
		if err != nil || st != (booking.OutboxStats{Sent: 10}) {
			t.Errorf("OutboxStats: got %+v, %v; want 10 sent", st, err)
		}
	})
}

// checkMessages checks that msgs are the wanted ones, once each.
func checkMessages(t *testing.T, b booking.Booking, now time.Time, msgs []received, wants []want) {
	t.Helper()
	if len(msgs) != len(wants) {
		t.Fatalf("got %d messages, want %d (%v)", len(msgs), len(wants), wants)
	}
	idRE := regexp.MustCompile(`^<booking-(\d+)-([a-z-]+)-(\d+)@veileder\.example\.org>$`)
	for _, w := range wants {
		i := slices.IndexFunc(msgs, func(r received) bool {
			return bytes.Contains(r.Data, fmt.Appendf(nil, "booking-%d-%s-%d@", b.ID, w.kind, w.sequence))
		})
		if i < 0 {
			t.Errorf("no %s message of sequence %d", w.kind, w.sequence)
			continue
		}
		r := msgs[i]
		p := parseMail(t, r.Data)
		if !slices.Equal(r.To, []string{w.to}) || r.From != "noreply@veileder.example.org" {
			t.Errorf("%s: envelope from %s to %v, want from noreply@veileder.example.org to %s", w.kind, r.From, r.To, w.to)
		}
		if from := p.Header.Get("From"); !strings.Contains(from, "<noreply@veileder.example.org>") {
			t.Errorf("%s: From %q", w.kind, from)
		}
		to, err := mail.ParseAddress(p.Header.Get("To"))
		if err != nil || to.Address != w.to {
			t.Errorf("%s: To %q (%v), want %s", w.kind, p.Header.Get("To"), err, w.to)
		}
		if w.kind != booking.MessageLibrarianNew && (to == nil || to.Name != `Ola "Student" Nordmann`) {
			t.Errorf("%s: To %q, want the student's name", w.kind, p.Header.Get("To"))
		}
		id := p.Header.Get("Message-ID")
		if m := idRE.FindStringSubmatch(id); m == nil || m[1] != fmt.Sprint(b.ID) || m[2] != string(w.kind) || m[3] != fmt.Sprint(w.sequence) {
			t.Errorf("%s: Message-ID %q, want <booking-%d-%s-%d@veileder.example.org>", w.kind, id, b.ID, w.kind, w.sequence)
		}
		if d, err := p.Header.Date(); err != nil || d.Sub(now).Abs() > time.Second {
			t.Errorf("%s: Date %q (%v), want %s", w.kind, p.Header.Get("Date"), err, now)
		}
		if !strings.Contains(p.Subject, w.subject) {
			t.Errorf("%s: Subject %q, want it to hold %q", w.kind, p.Subject, w.subject)
		}
		if p.Header.Get("Auto-Submitted") != "auto-generated" {
			t.Errorf("%s: Auto-Submitted %q", w.kind, p.Header.Get("Auto-Submitted"))
		}
		for _, s := range w.text {
			if !strings.Contains(p.Text, s) {
				t.Errorf("%s: text does not hold %q:\n%s", w.kind, s, p.Text)
			}
		}
		if p.HTML == "" || !strings.Contains(p.HTML, "<html") {
			t.Errorf("%s: no HTML part", w.kind)
		}
		if strings.Contains(p.HTML, `"Student"`) || !strings.Contains(p.HTML, "&#34;Student&#34;") {
			t.Errorf("%s: the student's name is not escaped in the HTML", w.kind)
		}
		if w.method == "" {
			if p.InlineCal != nil || p.AttachedCal != nil {
				t.Errorf("%s: got an invitation, want none", w.kind)
			}
			continue
		}
		wantType := "text/calendar; method=" + w.method
		if !strings.HasPrefix(p.InlineType, wantType) || !strings.HasPrefix(p.AttachType, wantType) || !strings.HasSuffix(p.AttachName, ".ics") {
			t.Errorf("%s: calendar parts %q and %q (%q), want %s inline and attached", w.kind, p.InlineType, p.AttachType, p.AttachName, wantType)
		}
		if !bytes.Equal(p.InlineCal, p.AttachedCal) {
			t.Errorf("%s: the inline and attached invitations differ", w.kind)
		}
		info := parseICS(t, p.AttachedCal)
		if info.Method != w.method || info.UID != b.EventUID || info.Sequence != w.sequence || info.Status != w.status {
			t.Errorf("%s: invitation METHOD %s UID %s SEQUENCE %d STATUS %s, want %s %s %d %s",
				w.kind, info.Method, info.UID, info.Sequence, info.Status, w.method, b.EventUID, w.sequence, w.status)
		}
		if info.Organizer != "mailto:kari@ub.example.org" || info.OrganizerCN != "Nordmann, Kari" {
			t.Errorf("%s: ORGANIZER %s CN %q, want the librarian with the whole name", w.kind, info.Organizer, info.OrganizerCN)
		}
		if info.Attendee != "mailto:"+w.to || info.AttendeeCN != "Ola Student Nordmann" || info.PartStat != "ACCEPTED" {
			t.Errorf("%s: ATTENDEE %s CN %q PARTSTAT %s, want the student, accepted", w.kind, info.Attendee, info.AttendeeCN, info.PartStat)
		}
		wantStart := b.Start
		if got, err := time.Parse(time.RFC3339, info.Start); err != nil || !got.Equal(wantStart) {
			t.Errorf("%s: DTSTART %s, want %s", w.kind, info.Start, wantStart)
		}
		if !strings.Contains(info.Description, "LaTeX") && w.method == "REQUEST" {
			t.Errorf("%s: DESCRIPTION %q lacks the question", w.kind, info.Description)
		}
	}
}

// A mail server that refuses (4xx) and then accepts: the message is
// retried after the backoff, then sent once; nothing is lost. One that
// keeps refusing: the message is marked failed after its attempts,
// logged at error level and counted.
func TestRetryThenSent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		srv := startSMTP(t, serverOptions{refuse: 3})
		f := newFixture(t, s)
		c := newClock(time.Now().UTC().Truncate(time.Second))
		metrics := notify.NewMetrics()
		sender := newSender(t, s, srv, c, func(cfg *notify.Config) { cfg.Metrics = metrics })
		f.book(t, c.Now().Add(72*time.Hour), "nb", "ola@student.example.org", c.Now())

		steps := []struct {
			wait    time.Duration
			claimed int
		}{
			{0, 2},           // both refused (attempt 1)
			{0, 0},           // not due again before the backoff
			{time.Minute, 2}, // the confirmation refused again, the librarian's note sent
			{time.Minute, 0}, // the backoff doubled
			{time.Minute, 1}, // the confirmation sent
			{time.Hour, 0},   // nothing left
		}
		for i, st := range steps {
			c.Add(st.wait)
			if n, err := sender.SendDue(ctx); n != st.claimed || err != nil {
				t.Fatalf("pass %d: got %d claimed, %v; want %d", i, n, err, st.claimed)
			}
		}
		ids := map[string]int{}
		for _, r := range srv.Messages() {
			ids[parseMail(t, r.Data).Header.Get("Message-ID")]++
		}
		if len(ids) != 2 || len(srv.Messages()) != 2 {
			t.Errorf("got messages %v, want the confirmation and the librarian's note once each", ids)
		}
		if st, _ := s.OutboxStats(ctx); st != (booking.OutboxStats{Sent: 2}) {
			t.Errorf("OutboxStats: got %+v, want 2 sent", st)
		}

		t.Run("out of attempts", func(t *testing.T) {
			bad := startSMTP(t, serverOptions{refuse: 1000})
			var logs bytes.Buffer
			var mu sync.Mutex
			sender := newSender(t, s, bad, c, func(cfg *notify.Config) {
				cfg.MaxAttempts = 3
				cfg.Metrics = metrics
				cfg.Logger = slog.New(slog.NewJSONHandler(lockedWriter{&mu, &logs}, nil))
			})
			b := f.book(t, c.Now().Add(96*time.Hour), "en", "kim@student.example.org", c.Now())
			for range 10 {
				drain(t, sender)
				c.Add(time.Hour)
			}
			st, err := s.OutboxStats(ctx)
			if err != nil || st.Failed != 2 || st.Pending != 0 {
				t.Errorf("OutboxStats: got %+v, %v; want 2 failed, none pending", st, err)
			}
			failed, err := s.FailedMessages(ctx, 10)
			if err != nil || len(failed) != 2 || failed[0].BookingID != b.ID || failed[0].Attempts != 3 || !strings.Contains(failed[0].LastError, "451") {
				t.Errorf("FailedMessages: got %+v, %v; want booking %d's two messages after 3 attempts with the 451", failed, err, b.ID)
			}
			mu.Lock()
			if !strings.Contains(logs.String(), `"level":"ERROR","msg":"notify: message could not be sent; marked failed"`) {
				t.Errorf("no error-level log line for the failed message:\n%s", logs.String())
			}
			mu.Unlock()
			reg := prometheus.NewRegistry()
			if err := metrics.Register(reg); err != nil {
				t.Fatal(err)
			}
			if got := counterSum(t, reg, "veileder_mail_failed_total"); got != 2 {
				t.Errorf("veileder_mail_failed_total: got %v, want 2", got)
			}
			if got := counterSum(t, reg, "veileder_mail_sent_total"); got != 2 {
				t.Errorf("veileder_mail_sent_total: got %v, want 2", got)
			}
		})

		t.Run("refused for good", func(t *testing.T) {
			bad := startSMTP(t, serverOptions{reject: true})
			sender := newSender(t, s, bad, c, nil)
			before, _ := s.OutboxStats(ctx)
			f.book(t, c.Now().Add(120*time.Hour), "nb", "nobody@student.example.org", c.Now())
			drain(t, sender)
			after, _ := s.OutboxStats(ctx)
			if after.Failed-before.Failed != 2 || after.Pending != 0 {
				t.Errorf("after a 550: got %+v (before %+v), want both messages failed at once", after, before)
			}
		})
	})
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// counterSum sums a counter family across its labels.
func counterSum(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, f := range fams {
		if f.GetName() == name {
			for _, m := range f.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

// Two senders working the same outbox at once (two replicas) send every
// message exactly once.
func TestTwoSendersNoDuplicates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := startSMTP(t, serverOptions{})
		f := newFixture(t, s)
		c := newClock(time.Now().UTC().Truncate(time.Second))
		const bookings = 15
		for i := range bookings {
			f.book(t, c.Now().Add(72*time.Hour+time.Duration(i)*time.Hour), "nb", fmt.Sprintf("s%d@student.example.org", i), c.Now())
		}
		var wg sync.WaitGroup
		for range 2 {
			sender := newSender(t, s, srv, c, func(cfg *notify.Config) { cfg.Batch = 2 })
			wg.Go(func() {
				for range 200 {
					n, err := sender.SendDue(t.Context())
					if err != nil {
						t.Errorf("SendDue: %v", err)
						return
					}
					if n == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		ids := map[string]int{}
		for _, r := range srv.Messages() {
			ids[parseMail(t, r.Data).Header.Get("Message-ID")]++
		}
		for id, n := range ids {
			if n != 1 {
				t.Errorf("%s arrived %d times", id, n)
			}
		}
		if len(ids) != 2*bookings {
			t.Errorf("got %d distinct messages, want %d", len(ids), 2*bookings)
		}
		if st, _ := s.OutboxStats(t.Context()); st != (booking.OutboxStats{Sent: 2 * bookings}) {
			t.Errorf("OutboxStats: got %+v, want %d sent", st, 2*bookings)
		}
	})
}

// Messages whose booking was anonymised or deleted, or that a later
// change made moot, are skipped, not sent and not failed.
func TestSkipped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := startSMTP(t, serverOptions{})
		f := newFixture(t, s)
		c := newClock(time.Now().UTC().Truncate(time.Second))
		sender := newSender(t, s, srv, c, nil)

		// Anonymised before the sender got to it.
		a := f.book(t, c.Now().Add(72*time.Hour), "nb", "a@student.example.org", c.Now())
		f.change(t, a, booking.MessageCancelled, c.Now(), func(b *booking.Booking) {
			b.Status, b.CancelledBy, b.Anonymised = booking.StatusCancelled, booking.PartySystem, true
			b.StudentName, b.StudentEmail, b.Question = "", "", ""
		})
		// Cancelled before its confirmation went out: only the
		// cancellation is sent.
		b := f.book(t, c.Now().Add(96*time.Hour), "en", "b@student.example.org", c.Now())
		f.change(t, b, booking.MessageCancelled, c.Now(), func(b *booking.Booking) {
			b.Status, b.CancelledBy = booking.StatusCancelled, booking.PartyStudent
		})
		drain(t, sender)
		msgs := srv.Messages()
		if len(msgs) != 1 {
			t.Fatalf("got %d messages, want 1 (the cancellation of booking %d)", len(msgs), b.ID)
		}
		p := parseMail(t, msgs[0].Data)
		if id := p.Header.Get("Message-ID"); id != fmt.Sprintf("<booking-%d-cancelled-1@veileder.example.org>", b.ID) {
			t.Errorf("sent %s, want booking %d's cancellation", id, b.ID)
		}
		if !strings.Contains(p.Text, "You have cancelled") {
			t.Errorf("the cancellation does not say who cancelled:\n%s", p.Text)
		}
		if st, _ := s.OutboxStats(t.Context()); st != (booking.OutboxStats{Sent: 1, Skipped: 5}) {
			t.Errorf("OutboxStats: got %+v, want 1 sent and 5 skipped", st)
		}
	})
}

// Without a mail server every message is written to the folder as an
// .eml file named after its Message-ID, which a mail program can read.
func TestFolder(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	f := newFixture(t, s)
	c := newClock(time.Now().UTC().Truncate(time.Second))
	dir := filepath.Join(t.TempDir(), "mail")
	var logs bytes.Buffer
	sender, err := notify.New(notify.Config{Store: s, Dir: dir, BaseURL: "http://127.0.0.1:8080", Now: c.Now,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	b := f.book(t, c.Now().Add(72*time.Hour), "en", "ola@student.example.org", c.Now())
	drain(t, sender)
	path := filepath.Join(dir, fmt.Sprintf("booking-%d-confirmation-0.eml", b.ID))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("confirmation file: %v", err)
	}
	p := parseMail(t, data)
	if p.Header.Get("Message-ID") != fmt.Sprintf("<booking-%d-confirmation-0@localhost>", b.ID) || !strings.Contains(p.Subject, "Confirmed") {
		t.Errorf("file holds %q, %q", p.Header.Get("Message-ID"), p.Subject)
	}
	if !strings.Contains(logs.String(), path) {
		t.Errorf("the log does not say where the message went:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "ola@student.example.org") {
		t.Errorf("the log holds the student's address:\n%s", logs.String())
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 2 {
		t.Errorf("folder holds %v, want the confirmation and the librarian's note", files)
	}
}

// STARTTLS with authentication, as a real submission server wants it; and
// a server that offers no STARTTLS gets nothing when it is required.
func TestSTARTTLSAndAuth(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	f := newFixture(t, s)
	c := newClock(time.Now().UTC().Truncate(time.Second))
	serverTLS, clientTLS := testTLS(t)
	secure := startSMTP(t, serverOptions{tls: serverTLS, user: "veileder", password: "s3cret/pass"})
	plain := startSMTP(t, serverOptions{})

	// Required STARTTLS against a server without it: refused, retried.
	sender, err := notify.New(notify.Config{Store: s, SMTPURL: "smtp://" + plain.Addr + "?timeout=5s", Now: c.Now,
		BaseURL: "https://veileder.example.org", From: "noreply@veileder.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	f.book(t, c.Now().Add(72*time.Hour), "nb", "ola@student.example.org", c.Now())
	drain(t, sender)
	if got := len(plain.Messages()); got != 0 {
		t.Errorf("a server without STARTTLS got %d messages", got)
	}
	if st, _ := s.OutboxStats(t.Context()); st.Pending != 2 {
		t.Errorf("OutboxStats: got %+v, want both messages still pending", st)
	}

	c.Add(time.Hour)
	sender, err = notify.New(notify.Config{Store: s, Now: c.Now, TLSConfig: clientTLS,
		SMTPURL: "smtp://veileder:s3cret%2Fpass@" + secure.Addr + "?starttls=required&auth=plain&timeout=5s",
		BaseURL: "https://veileder.example.org", From: "noreply@veileder.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	drain(t, sender)
	if got := len(secure.Messages()); got != 2 {
		t.Errorf("the STARTTLS server got %d messages, want 2", got)
	}
}

// The SMTP URL is checked at start, and its password never shows.
func TestSMTPURL(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	tests := []struct {
		url, wantErr string
	}{
		{"smtp://user:pw@mail.example.org:587?starttls=required&auth=plain&timeout=10s", ""},
		{"smtps://user:pw@mail.example.org", ""},
		{"smtp://mail.example.org?starttls=opportunistic", ""},
		{"smtp://mail.example.org?starttls=none", ""},
		{"http://mail.example.org", "scheme"},
		{"smtp://:25", "no host"},
		{"smtp://user:hunter2@mail.example.org?starttls=maybe", "starttls"},
		{"smtp://user:hunter2@mail.example.org?timeout=soon", "timeout"},
		{"smtp://user:hunter2@mail.example.org?tls=yes", "unknown parameter"},
		{"smtps://user:hunter2@mail.example.org?starttls=none", "does not apply"},
		{"smtp://user:hunter2@mail.example.org?auth=magic", "auth"},
		{"smtp://mail.example.org:99999", "port"},
		{"smtp://mail.example.org?auth=plain", "needs a user name"},
	}
	for _, tt := range tests {
		_, err := notify.New(notify.Config{Store: s, SMTPURL: tt.url})
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("New(%s): %v", tt.url, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("New(%s): got %v, want an error about %s", tt.url, err, tt.wantErr)
		case err != nil && strings.Contains(err.Error(), "hunter2"):
			t.Errorf("New(%s): the error shows the password: %v", tt.url, err)
		}
	}
	if _, err := notify.New(notify.Config{Store: s, SMTPURL: "smtp://mail.example.org", Lease: time.Second}); err == nil {
		t.Error("New with a lease too short to renew: no error")
	}
	if _, err := notify.New(notify.Config{Store: s}); err == nil {
		t.Error("New without a mail server or folder: no error")
	}
}

// Reminders are queued once per booking and sequence however many
// replicas run the job at once, and not for cancelled, anonymised or
// distant bookings.
func TestRemindersOnceAcrossReplicas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		now := time.Now().UTC().Truncate(time.Second)
		c := newClock(now)
		soon := f.book(t, now.Add(30*time.Hour), "nb", "a@student.example.org", now)
		f.book(t, now.Add(80*time.Hour), "nb", "b@student.example.org", now) // beyond the window
		gone := f.book(t, now.Add(31*time.Hour), "nb", "c@student.example.org", now)
		f.change(t, gone, booking.MessageCancelled, now, func(b *booking.Booking) { b.Status = booking.StatusCancelled })
		c.Set(now.Add(7 * time.Hour)) // soon starts in 23 h

		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for range 4 {
			job, err := notify.NewReminderJob(notify.ReminderConfig{Store: s, Before: 24 * time.Hour, Now: c.Now})
			if err != nil {
				t.Fatal(err)
			}
			wg.Go(func() {
				for range 3 {
					n, err := job.RunOnce(context.Background())
					if err != nil {
						t.Errorf("RunOnce: %v", err)
					}
					mu.Lock()
					total += n
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if total != 1 {
			t.Errorf("queued %d reminders across replicas, want 1 (booking %d)", total, soon.ID)
		}
	})
}

// A mail server that stalls after the data cannot hold a message past the
// timeout: the attempt ends, and the message waits for its retry.
func TestStallingServerTimesOut(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	f := newFixture(t, s)
	c := newClock(time.Now().UTC().Truncate(time.Second))
	srv := startSMTP(t, serverOptions{stall: true})
	sender := newSender(t, s, srv, c, func(cfg *notify.Config) {
		cfg.SMTPURL = "smtp://" + srv.Addr + "?starttls=none&timeout=1s"
		cfg.Batch = 1
	})
	f.book(t, c.Now().Add(72*time.Hour), "nb", "ola@student.example.org", c.Now())
	began := time.Now()
	if n, err := sender.SendDue(t.Context()); n != 1 || err != nil {
		t.Fatalf("SendDue: %d, %v", n, err)
	}
	if d := time.Since(began); d > 3*time.Second {
		t.Errorf("the attempt took %s, want about the 1 s timeout", d)
	}
	if st, _ := s.OutboxStats(t.Context()); st.Pending != 2 || st.Sent != 0 {
		t.Errorf("OutboxStats: got %+v, want both pending", st)
	}
}
