package app_test

// The admin pages on the outbox's health and on unknown drop-in tags, and
// the metrics the mail sender adds to /metrics, wired by app.New, over a
// real socket on SQLite and PostgreSQL.

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/app"
	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// adminExtraStart is stStart with the mail written to a folder of the test's.
func adminExtraStart(t *testing.T, dialect store.Dialect) (*stSite, string) {
	t.Helper()
	mailDir := t.TempDir()
	return stStartWith(t, dialect, app.MailConfig{Dir: mailDir}), mailDir
}

// A message that failed shows on the admin's e-mail page; retrying it
// requeues it and the sender sends it, which /metrics counts beside the
// web and CalDAV requests.
func TestAdminExtraOutboxAndMetrics(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s, mailDir := adminExtraStart(t, d)
			ctx := t.Context()
			s.withCompetence(t)
			student := s.client(t)
			student.book(student.slots()[0], stStudent{"M Student", "m@student.example.org", "", ""})

			// The confirmation fails for good.
			msgs, err := s.app.Store.ClaimMessages(ctx, s.now(), time.Minute, 10)
			if err != nil || len(msgs) != 1 || msgs[0].Kind != booking.MessageConfirmation {
				t.Fatalf("claim: got %+v, %v; want the confirmation", msgs, err)
			}
			id := msgs[0].ID
			if err := s.app.Store.FailMessage(ctx, id, s.now(), "550 5.1.1 mailbox unavailable"); err != nil {
				t.Fatal(err)
			}

			admin := s.signedIn(t, "admin")
			r := admin.get("/admin/outbox")
			retry := fmt.Sprintf("/admin/outbox/%d/retry", id)
			for _, want := range []string{
				`<a href="/admin/outbox" aria-current="page">`, `<a href="/admin/dropin-tags">`,
				`<li class="alert"><strong>1</strong>failed</li>`,
				"550 5.1.1 mailbox unavailable", `action="` + retry + `"`,
			} {
				if !strings.Contains(r.body, want) {
					t.Errorf("GET /admin/outbox (%d) lacks %q", r.status, want)
				}
			}
			if r := admin.post(retry, nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/outbox?done=requeued" {
				t.Fatalf("retry: got %d to %q, want 303 to /admin/outbox?done=requeued:\n%s", r.status, r.header.Get("Location"), r.body)
			}
			if st, err := s.app.Store.OutboxStats(ctx); err != nil || st != (booking.OutboxStats{Pending: 1}) {
				t.Errorf("OutboxStats after the retry: got %+v, %v; want 1 pending", st, err)
			}
			if r := admin.post(retry, nil); r.status != http.StatusConflict {
				t.Errorf("retry again: got %d, want 409", r.status)
			}
			if n, err := s.app.Mailer.SendDue(ctx); n != 1 || err != nil {
				t.Fatalf("SendDue: got %d, %v; want 1", n, err)
			}
			if files, _ := os.ReadDir(mailDir); len(files) != 1 {
				t.Errorf("mail folder: got %d files, want the confirmation", len(files))
			}

			if got := stPropfind(t, s, "lib1", stPassword); got != http.StatusMultiStatus {
				t.Fatalf("PROPFIND: got %d", got)
			}
			r = s.client(t).get("/metrics")
			for _, want := range []string{
				`veileder_mail_sent_total{kind="confirmation"} 1`,
				`veileder_mail_failed_total{kind="confirmation"} 0`,
				`veileder_mail_reminders_queued_total 0`,
				`veileder_outbox_pending 0`,
				`veileder_http_requests_total{method="POST",route="/admin/outbox/:id/retry",status="303"} 1`,
				`veileder_http_requests_total{method="POST",route="/api/bookings",status="201"} 1`,
				`veileder_caldav_requests_total{method="PROPFIND",status="207"} 1`,
			} {
				if !strings.Contains(r.body, want) {
					t.Errorf("/metrics lacks %s", want)
				}
			}
		})
	}
}

// A drop-in session tagged with no topic's slug shows on the admin's tag
// page, which the feeds service answers.
func TestAdminExtraDropinTags(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s := stStart(t, d)
			ctx := t.Context()
			cal, err := s.app.Store.CalendarBySlug(ctx, 0, "dropin")
			if err != nil {
				t.Fatal(err)
			}
			data := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:tags@test\r\n" +
				"DTSTAMP:20260501T000000Z\r\nDTSTART;TZID=Europe/Oslo:20260512T140000\r\nDTEND;TZID=Europe/Oslo:20260512T150000\r\n" +
				"SUMMARY:Skriveverksted #zotero #zotro\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
			obj, err := storetest.Object(cal, "tags.ics", []byte(data), s.loc)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.app.Store.PutObject(ctx, obj, booking.WriteCondition{}); err != nil {
				t.Fatal(err)
			}
			r := s.signedIn(t, "admin").get("/admin/dropin-tags")
			if r.status != http.StatusOK {
				t.Fatalf("GET /admin/dropin-tags: got %d:\n%s", r.status, r.body)
			}
			for _, want := range []string{`<th scope="row">#zotro</th>`, `href="/staff/dropin/tags.ics"`, `aria-current="page"`} {
				if !strings.Contains(r.body, want) {
					t.Errorf("the tag page lacks %q:\n%s", want, r.body)
				}
			}
			if strings.Contains(r.body, "#zotero<") {
				t.Errorf("the tag page lists #zotero, which is a topic")
			}
			if r := s.signedIn(t, "lib1").get("/admin/dropin-tags"); r.status != http.StatusForbidden {
				t.Errorf("a librarian: got %d, want 403", r.status)
			}
		})
	}
}
