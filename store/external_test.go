package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

const secretFeed = "https://outlook.office365.com/owa/calendar/abc@uio.example/s3cr3t/calendar.ics"

func TestExternalCalendars(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		kari := createUser(t, s, "kari", booking.RoleLibrarian)

		c, err := s.AddExternalCalendar(ctx, booking.ExternalCalendar{UserID: ola.ID, Name: " Outlook ", URL: secretFeed})
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != "Outlook" || c.URLHint != "https://outlook.office365.com/…" || c.State != booking.ExternalPending || c.NextFetch.IsZero() {
			t.Errorf("added: got %+v, want a pending calendar named Outlook with a host-only hint, due now", c)
		}
		tests := []struct {
			name string
			c    booking.ExternalCalendar
			want error
		}{
			{"same link twice", booking.ExternalCalendar{UserID: ola.ID, URL: secretFeed}, booking.ErrConflict},
			{"same link, other librarian", booking.ExternalCalendar{UserID: kari.ID, URL: secretFeed}, nil},
			{"no user", booking.ExternalCalendar{UserID: 9999, URL: secretFeed + "?x"}, booking.ErrNotFound},
			{"no address", booking.ExternalCalendar{UserID: ola.ID}, booking.ErrInvalid},
			{"long name", booking.ExternalCalendar{UserID: ola.ID, URL: secretFeed + "?y", Name: strings.Repeat("n", 201)}, booking.ErrInvalid},
		}
		for _, tt := range tests {
			_, err := s.AddExternalCalendar(ctx, tt.c)
			checkErr(t, tt.name, err, tt.want)
		}
		for i := range store.MaxExternalCalendars - 1 {
			if _, err := s.AddExternalCalendar(ctx, booking.ExternalCalendar{UserID: ola.ID, URL: secretFeed + "?n=" + string(rune('a'+i))}); err != nil {
				t.Fatal(err)
			}
		}
		_, err = s.AddExternalCalendar(ctx, booking.ExternalCalendar{UserID: ola.ID, URL: secretFeed + "?one-too-many"})
		checkErr(t, "past the limit", err, booking.ErrInvalid)

		all, err := s.ExternalCalendars(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		mine, err := s.ExternalCalendars(ctx, kari.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(all), store.MaxExternalCalendars+1; got != want {
			t.Errorf("all calendars: got %d, want %d", got, want)
		}
		if len(mine) != 1 || mine[0].UserID != kari.ID {
			t.Errorf("kari's calendars: got %+v, want her one", mine)
		}
		checkErr(t, "remove another's calendar", s.RemoveExternalCalendar(ctx, kari.ID, c.ID), booking.ErrNotFound)
		checkErr(t, "remove own calendar", s.RemoveExternalCalendar(ctx, ola.ID, c.ID), nil)
		checkErr(t, "remove it again", s.RemoveExternalCalendar(ctx, ola.ID, c.ID), booking.ErrNotFound)
	})
}

// TestExternalFetchOutcomes: a good fetch replaces the events (without
// the librarian's own bookings), 304 and failures keep them, and a holder
// that lost its lease writes nothing.
func TestExternalFetchOutcomes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		zotero := createTopic(t, s, "zotero")
		own := mustInsert(t, s, newBooking(zotero.ID, ola.ID, 10, 0, "a@example.org", "t1"))
		c, err := s.AddExternalCalendar(ctx, booking.ExternalCalendar{UserID: ola.ID, URL: secretFeed})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().Truncate(time.Second).UTC()
		at := func(h int) time.Time { return now.Add(time.Duration(h) * time.Hour) }

		claimed, err := s.ClaimDueExternalCalendars(ctx, now, time.Minute, "a", 10)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: got %d, %v; want the one calendar", len(claimed), err)
		}
		again, err := s.ClaimDueExternalCalendars(ctx, now, time.Minute, "b", 10)
		if err != nil || len(again) != 0 {
			t.Fatalf("claim by another holder during the lease: got %d, %v; want none", len(again), err)
		}
		if _, ok, err := s.ClaimExternalCalendar(ctx, c.ID, now, time.Minute, "b"); ok || err != nil {
			t.Fatalf("forced claim by another holder during the lease: got %v, %v; want refused", ok, err)
		}
		good := booking.ExternalFetch{At: now, ETag: `"v1"`, LastModified: "Mon, 01 Mar 2027 10:00:00 GMT", NextFetch: at(1),
			Refresh: time.Hour, Events: []booking.ExternalEvent{
				{UID: "m1", Start: at(2), End: at(3), Busy: true},
				{UID: "w1", Start: at(4), End: at(6), Busy: false, Tags: []string{"veiledning", "jus,medisin"}, Location: "Rom 1"},
				{UID: own.EventUID, Start: own.Start, End: own.End, Busy: true},
			}}
		checkErr(t, "save good fetch", s.SaveExternalFetch(ctx, c.ID, "a", good), nil)
		checkErr(t, "save without the lease", s.SaveExternalFetch(ctx, c.ID, "a", booking.ExternalFetch{At: now, Err: "x", NextFetch: at(1)}), booking.ErrConflict)

		events := func() []booking.ExternalEvent {
			t.Helper()
			evs, err := s.ExternalEvents(ctx, ola.ID, now, at(48*365))
			if err != nil {
				t.Fatal(err)
			}
			return evs
		}
		want := good.Events[:2]
		check := func(step string, wantState booking.ExternalState, wantErr string) booking.ExternalCalendar {
			t.Helper()
			got := events()
			if len(got) != len(want) {
				t.Fatalf("%s: got events %+v, want %+v", step, got, want)
			}
			for i := range got {
				if g, w := got[i], want[i]; g.UID != w.UID || !g.Start.Equal(w.Start) || !g.End.Equal(w.End) || g.Busy != w.Busy ||
					!slices.Equal(g.Tags, w.Tags) || g.Location != w.Location {
					t.Errorf("%s: event %d: got %+v, want %+v", step, i, g, w)
				}
			}
			cur, err := s.ExternalCalendar(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if cur.State != wantState || cur.Error != wantErr || cur.Events != 2 || cur.ETag != `"v1"` {
				t.Errorf("%s: got %+v, want state %s, error %q, 2 events, ETag \"v1\"", step, cur, wantState, wantErr)
			}
			return cur
		}
		cur := check("after a good fetch", booking.ExternalOK, "")
		if !cur.NextFetch.Equal(at(1)) || cur.Refresh != time.Hour || !cur.LastOK.Equal(now) {
			t.Errorf("after a good fetch: got next %v, refresh %v, last ok %v", cur.NextFetch, cur.Refresh, cur.LastOK)
		}
		// Nothing is due before the next fetch time.
		if due, _ := s.ClaimDueExternalCalendars(ctx, now, time.Minute, "b", 10); len(due) != 0 {
			t.Errorf("claim before due: got %d calendars, want none", len(due))
		}

		fetch := func(h int, f booking.ExternalFetch) {
			t.Helper()
			if _, ok, err := s.ClaimExternalCalendar(ctx, c.ID, at(h), time.Minute, "b"); !ok || err != nil {
				t.Fatalf("forced claim: %v, %v", ok, err)
			}
			f.At, f.NextFetch = at(h), at(h+1)
			if err := s.SaveExternalFetch(ctx, c.ID, "b", f); err != nil {
				t.Fatal(err)
			}
		}
		fetch(1, booking.ExternalFetch{NotModified: true})
		check("after 304", booking.ExternalOK, "")
		fetch(2, booking.ExternalFetch{Err: "the server answered 500"})
		fetch(3, booking.ExternalFetch{Err: "the server answered 503", Reason: "server_error", ReasonArg: "503"})
		cur = check("while failing", booking.ExternalFailing, "the server answered 503")
		if cur.Reason != "server_error" || cur.ReasonArg != "503" {
			t.Errorf("while failing: got reason %q %q, want server_error 503", cur.Reason, cur.ReasonArg)
		}
		if !cur.FailingSince.Equal(at(2)) || !cur.Flagged(at(8), 6*time.Hour) || cur.Flagged(at(7), 6*time.Hour) {
			t.Errorf("while failing: got failing since %v, want %v and flagged after 6 hours", cur.FailingSince, at(2))
		}
		byState, flagged, err := s.ExternalFeedCounts(ctx, at(2))
		if err != nil || byState[booking.ExternalFailing] != 1 || flagged != 1 {
			t.Errorf("counts: got %v, %d, %v; want one failing, flagged", byState, flagged, err)
		}
		fetch(4, booking.ExternalFetch{NotModified: true})
		if cur := check("recovered", booking.ExternalOK, ""); !cur.FailingSince.IsZero() || cur.Reason != "" || cur.ReasonArg != "" {
			t.Errorf("recovered: still failing since %v, reason %q %q", cur.FailingSince, cur.Reason, cur.ReasonArg)
		}

		// Removing the calendar removes its events.
		if err := s.RemoveExternalCalendar(ctx, ola.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		if got := events(); len(got) != 0 {
			t.Errorf("after removal: got %d events, want none", len(got))
		}
	})
}

// TestEnqueueLibrarianInvite: the invitation is queued for a librarian
// with an external calendar or who asked for it, and for nobody else; the
// failing-feed e-mail once a day for a librarian who opted in.
func TestEnqueueExternalMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		zotero := createTopic(t, s, "zotero")
		plain := createUser(t, s, "plain", booking.RoleLibrarian)
		linked := createUser(t, s, "linked", booking.RoleLibrarian)
		asked := createUser(t, s, "asked", booking.RoleLibrarian)
		c, err := s.AddExternalCalendar(ctx, booking.ExternalCalendar{UserID: linked.ID, URL: secretFeed})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetExternalPrefs(ctx, asked.ID, booking.ExternalPrefs{InviteBookings: true}); err != nil {
			t.Fatal(err)
		}
		for i, u := range []booking.User{plain, linked, asked} {
			b := mustInsert(t, s, newBooking(zotero.ID, u.ID, 9+i, 0, "a@example.org", "t"+u.Username))
			err := s.Tx(ctx, u.ID, func(ctx context.Context, tx *store.Tx) error {
				return tx.Enqueue(ctx, booking.Message{Kind: booking.MessageLibrarianInvite, BookingID: b.ID})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		var kinds []string
		if err := store.DB(s).SelectContext(ctx, &kinds, `SELECT kind FROM outbox ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		if got, want := kinds, []string{"librarian-invite", "librarian-invite"}; !slices.Equal(got, want) {
			t.Errorf("queued: got %q, want %q (linked and asked, not plain)", got, want)
		}

		now := time.Now()
		if ok, err := s.EnqueueExternalFailing(ctx, c.ID, 100, now); ok || err != nil {
			t.Errorf("failing-feed mail without opting in: got %v, %v; want none", ok, err)
		}
		if err := s.SetExternalPrefs(ctx, linked.ID, booking.ExternalPrefs{NotifyFailing: true}); err != nil {
			t.Fatal(err)
		}
		for i, want := range []bool{true, false} {
			if ok, err := s.EnqueueExternalFailing(ctx, c.ID, 100, now); ok != want || err != nil {
				t.Errorf("failing-feed mail %d on day 100: got %v, %v; want %v", i+1, ok, err, want)
			}
		}
		if ok, err := s.EnqueueExternalFailing(ctx, c.ID, 101, now); !ok || err != nil {
			t.Errorf("failing-feed mail on day 101: got %v, %v; want queued", ok, err)
		}
		msgs, err := s.ClaimMessages(ctx, now.Add(time.Second), time.Minute, 10)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range msgs {
			if m.Kind == booking.MessageExternalFailing {
				n++
				if m.ExternalCalendarID != c.ID || m.BookingID != 0 {
					t.Errorf("claimed %+v, want a message about calendar %d without a booking", m, c.ID)
				}
			}
		}
		if n != 2 {
			t.Errorf("claimed %d failing-feed messages, want 2", n)
		}
		prefs, err := s.ExternalPrefs(ctx, linked.ID)
		if err != nil || prefs != (booking.ExternalPrefs{NotifyFailing: true}) {
			t.Errorf("prefs: got %+v, %v", prefs, err)
		}
	})
}

func TestBookingsFeedLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		_, err := s.BookingsFeedNonce(ctx, ola.ID)
		checkErr(t, "no link yet", err, booking.ErrNotFound)
		checkErr(t, "set", s.SetBookingsFeedLink(ctx, ola.ID, "n1", "h1"), nil)
		checkErr(t, "replace", s.SetBookingsFeedLink(ctx, ola.ID, "n2", "h2"), nil)
		if n, err := s.BookingsFeedNonce(ctx, ola.ID); n != "n2" || err != nil {
			t.Errorf("nonce: got %q, %v; want n2", n, err)
		}
		_, err = s.UserByBookingsFeedToken(ctx, "h1")
		checkErr(t, "replaced token", err, booking.ErrNotFound)
		if id, err := s.UserByBookingsFeedToken(ctx, "h2"); id != ola.ID || err != nil {
			t.Errorf("token: got %d, %v", id, err)
		}
		checkErr(t, "revoke", s.RevokeBookingsFeedLink(ctx, ola.ID), nil)
		_, err = s.UserByBookingsFeedToken(ctx, "h2")
		checkErr(t, "revoked token", err, booking.ErrNotFound)
	})
}
