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

// The messages about a request over the in-process SMTP server: the note
// to the librarian who opted in, in their language, with the request's
// page; the student's offered times, in theirs, with the link and a
// Reply-To the librarian; and none once they are moot (taken before the
// note went out, a newer round, the student's data purged).
func TestRequestMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		srv := startSMTP(t, serverOptions{})
		f := newFixture(t, s)
		p, err := s.Profile(ctx, f.librarian.ID)
		if err != nil {
			t.Fatal(err)
		}
		p.NotifyRequests = true
		if err := s.SetProfile(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := s.AddCompetence(ctx, f.librarian.ID, "zotero", booking.LevelPrimary, nil); err != nil {
			t.Fatal(err)
		}
		base := time.Date(2030, 3, 11, 9, 0, 0, 0, time.UTC)
		c := newClock(base)
		sender := newSender(t, s, srv, c, func(cfg *notify.Config) {
			cfg.RequestURL = func(r booking.HelpRequest) string {
				if r.TokenHash == "" {
					return ""
				}
				return "https://veileder.example.org/requests/" + r.UID
			}
		})
		file := func(uid string) booking.HelpRequest {
			t.Helper()
			r := booking.NewHelpRequest(booking.HelpRequest{TopicID: f.topic.ID, Need: "Zotero with Word", Times: "mornings",
				StudentName: "Ola Student", StudentEmail: "ola@student.example.org", Locale: "en"}, base, 2, time.UTC)
			r.UID, r.TokenHash = uid, "hash-"+uid
			err := s.Tx(ctx, 0, func(ctx context.Context, tx *store.Tx) error {
				var err error
				if r, err = tx.InsertRequest(ctx, r); err != nil {
					return err
				}
				return tx.Enqueue(ctx, booking.Message{Kind: booking.MessageRequestNew, RequestID: r.ID})
			})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		offer := func(r booking.HelpRequest, starts ...time.Time) booking.HelpRequest {
			t.Helper()
			next, err := r.Offer(f.librarian.ID, len(starts), 0, base)
			if err != nil {
				t.Fatal(err)
			}
			err = s.Tx(ctx, 0, func(ctx context.Context, tx *store.Tx) error {
				if err := tx.UpdateRequest(ctx, next, r.State, r.Round); err != nil {
					return err
				}
				var offers []booking.RequestOffer
				for _, st := range starts {
					offers = append(offers, booking.RequestOffer{RequestID: r.ID, LibrarianID: f.librarian.ID, Start: st, End: st.Add(45 * time.Minute), Round: next.Round})
				}
				if err := tx.InsertOffers(ctx, offers); err != nil {
					return err
				}
				return tx.Enqueue(ctx, booking.Message{Kind: booking.MessageRequestOffer, RequestID: r.ID, Sequence: next.Round})
			})
			if err != nil {
				t.Fatal(err)
			}
			return next
		}
		take := func(r booking.HelpRequest) booking.HelpRequest {
			t.Helper()
			taken, err := r.Take(f.librarian.ID, base)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Tx(ctx, 0, func(ctx context.Context, tx *store.Tx) error { return tx.UpdateRequest(ctx, taken, r.State, r.Round) }); err != nil {
				t.Fatal(err)
			}
			return taken
		}
		seen := 0
		next := func() []parsedMail {
			t.Helper()
			drain(t, sender)
			msgs := srv.Messages()[seen:]
			seen += len(msgs)
			var out []parsedMail
			for _, m := range msgs {
				out = append(out, parseMail(t, m.Data))
			}
			return out
		}

		r := file("r1")
		got := next()
		if len(got) != 1 || !strings.Contains(got[0].Subject, "Ny forespørsel") || !strings.Contains(got[0].Text, "https://veileder.example.org/staff/requests/") ||
			!strings.Contains(got[0].Text, "Zotero with Word") || !strings.Contains(got[0].Header.Get("To"), "kari@ub.example.org") {
			t.Fatalf("the librarian's note: got %+v", got)
		}
		r = take(r)
		st := base.Add(48 * time.Hour)
		offer(r, st, st.Add(2*time.Hour))
		got = next()
		if len(got) != 1 || !strings.Contains(got[0].Subject, "Times for your guidance") || !strings.Contains(got[0].Text, "https://veileder.example.org/requests/r1") ||
			strings.Count(got[0].Text, "\n- ") != 2 || !strings.Contains(got[0].Header.Get("Reply-To"), "kari@ub.example.org") {
			t.Fatalf("the student's offer: got %+v", got)
		}

		// Moot: taken before its note went out; a round offered again
		// before the first round's e-mail went out; purged.
		r2 := file("r2")
		take(r2)
		r3 := take(file("r3"))
		if got := next(); len(got) != 0 {
			t.Errorf("notes for requests taken before sending: got %d, want none", len(got))
		}
		r3 = offer(r3, st.Add(4*time.Hour))
		offer(r3, st.Add(6*time.Hour))
		if got := next(); len(got) != 1 || !strings.Contains(got[0].Text, "2030") {
			t.Errorf("two rounds queued: got %d messages, want the newer one only", len(got))
		}
		r4 := take(file("r4"))
		offer(r4, st.Add(8*time.Hour))
		if _, err := s.AnonymiseRequests(ctx, base.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got := next(); len(got) != 0 {
			t.Errorf("after the purge: got %d messages, want none", len(got))
		}
	})
}
