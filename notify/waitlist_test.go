package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/notify"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// TestWaitlistOfferMail: the offer e-mail goes to the student in their
// language with the time, the place, how long it is held and both links;
// an offer that stopped holding its time before the e-mail went out is
// skipped.
func TestWaitlistOfferMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		srv := startSMTP(t, serverOptions{})
		f := newFixture(t, s)
		base := time.Now().UTC().Truncate(time.Minute)
		c := newClock(base)
		sender := newSender(t, s, srv, c, func(cfg *notify.Config) {
			cfg.WaitlistURLs = func(v booking.OfferView) (string, string) {
				return "https://veileder.example.org/waitlist/offer/o-" + v.Offer.UID, "https://veileder.example.org/waitlist/leave/e-" + v.Entry.UID
			}
		})
		start := base.Add(72 * time.Hour).Truncate(time.Hour)
		offer := func(locale, email string, hold time.Duration) booking.WaitlistOffer {
			t.Helper()
			e, err := s.InsertWaitlistEntry(ctx, booking.WaitlistEntry{TopicID: f.topic.ID, Name: "Ola Venter", Email: email, Locale: locale,
				UID: "uid-" + email, TokenHash: "hash-" + email, CreatedAt: c.Now(), ExpiresAt: c.Now().Add(28 * 24 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			var o booking.WaitlistOffer
			err = s.Tx(ctx, f.librarian.ID, func(ctx context.Context, tx *store.Tx) error {
				var err error
				o, err = tx.InsertWaitlistOffer(ctx, booking.WaitlistOffer{EntryID: e.ID, TopicID: f.topic.ID, LibrarianID: f.librarian.ID,
					Start: start, End: start.Add(45 * time.Minute), Location: "Georg Sverdrups hus, rom 2.14",
					UID: "offer-" + email, TokenHash: "offer-hash-" + email, OfferedAt: c.Now(), ExpiresAt: c.Now().Add(hold)})
				if err != nil {
					return err
				}
				return tx.Enqueue(ctx, booking.Message{Kind: booking.MessageWaitlistOffer, WaitlistOfferID: o.ID, SendAfter: c.Now()})
			})
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
		offer("en", "ola@student.example.org", 30*time.Minute)
		offer("nb", "kari@student.example.org", 30*time.Minute)
		late := offer("nb", "late@student.example.org", time.Minute)
		c.Add(2 * time.Minute) // the last offer's hold is over before it is sent
		drain(t, sender)

		got := map[string]parsedMail{}
		for _, m := range srv.Messages() {
			got[m.To[0]] = parseMail(t, m.Data)
		}
		tests := []struct {
			to   string
			want []string
		}{
			{"ola@student.example.org", []string{"A time for Zotero and references is free", "Hello Ola Venter", "Georg Sverdrups hus, rom 2.14",
				"Nordmann, Kari", "https://veileder.example.org/waitlist/offer/o-offer-ola@student.example.org",
				"https://veileder.example.org/waitlist/leave/e-uid-ola@student.example.org", "To book it, open this link and confirm"}},
			{"kari@student.example.org", []string{"En time i Zotero og referanser er ledig", "Hei Ola Venter", "holder den av for deg til",
				"/waitlist/offer/o-offer-kari@student.example.org", "Slik melder du deg av ventelisten"}},
		}
		for _, tt := range tests {
			p, ok := got[tt.to]
			if !ok {
				t.Errorf("no e-mail to %s", tt.to)
				continue
			}
			all := p.Subject + "\n" + p.Text
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("e-mail to %s lacks %q:\n%s", tt.to, w, all)
				}
			}
		}
		if _, ok := got["late@student.example.org"]; ok {
			t.Errorf("offer %d was sent after its hold ended", late.ID)
		}
		st, err := s.OutboxStats(ctx)
		if err != nil || st.Sent != 2 || st.Skipped != 1 {
			t.Errorf("outbox: %+v, %v; want 2 sent, 1 skipped", st, err)
		}
	})
}
