package booking

import (
	"errors"
	"testing"
	"time"
)

func TestDueBy(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, oslo)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name  string
		filed string
		days  int
		want  string // local midnight ending the due day
	}{
		{"monday, two days", "2026-05-04 10:00", 2, "2026-05-07 00:00"},
		{"thursday crosses the weekend", "2026-05-07 16:00", 2, "2026-05-12 00:00"},
		{"friday afternoon", "2026-05-08 15:00", 2, "2026-05-13 00:00"},
		{"saturday counts from monday", "2026-05-09 12:00", 2, "2026-05-13 00:00"},
		{"sunday, one day", "2026-05-10 12:00", 1, "2026-05-12 00:00"},
		{"zero days is the same day", "2026-05-05 09:00", 0, "2026-05-06 00:00"},
		{"zero days on a saturday is monday", "2026-05-09 09:00", 0, "2026-05-12 00:00"},
		{"across the autumn DST change", "2026-10-23 12:00", 2, "2026-10-28 00:00"},
		{"five days is a week", "2026-05-04 08:00", 5, "2026-05-12 00:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := DueBy(at(tc.filed), tc.days, oslo)
			if want := at(tc.want); !got.Equal(want) {
				t.Errorf("DueBy(%s, %d) = %s, want %s", tc.filed, tc.days, got.In(oslo), want)
			}
		})
	}
}

func TestRequestTransitions(t *testing.T) {
	now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	open := HelpRequest{ID: 1, State: RequestOpen}
	taken, err := open.Take(7, now)
	if err != nil || taken.State != RequestTaken || taken.TakenBy != 7 {
		t.Fatalf("Take = %+v, %v", taken, err)
	}
	offered, err := taken.Offer(7, 2, 0, now)
	if err != nil || offered.State != RequestOffered || offered.Round != 1 || !offered.AnsweredAt.Equal(now) {
		t.Fatalf("Offer = %+v, %v", offered, err)
	}
	booked, err := offered.Booked(99, now)
	if err != nil || booked.State != RequestBooked || booked.BookingID != 99 {
		t.Fatalf("Booked = %+v, %v", booked, err)
	}
	closed, err := taken.Close(3, "the student found help elsewhere", now)
	if err != nil || closed.State != RequestClosed || closed.ClosedBy != 3 {
		t.Fatalf("Close = %+v, %v", closed, err)
	}

	for _, tc := range []struct {
		name string
		do   func() error
		want error
	}{
		{"take a taken one", func() error { _, err := taken.Take(8, now); return err }, ErrConflict},
		{"take a booked one", func() error { _, err := booked.Take(8, now); return err }, ErrConflict},
		{"offer an open one", func() error { _, err := open.Offer(7, 1, 0, now); return err }, ErrConflict},
		{"offer another's", func() error { _, err := taken.Offer(8, 1, 0, now); return err }, ErrForbidden},
		{"offer nothing", func() error { _, err := taken.Offer(7, 0, 0, now); return err }, ErrInvalid},
		{"offer too many", func() error { _, err := offered.Offer(7, 2, MaxRequestOffers-1, now); return err }, ErrInvalid},
		{"offer more", func() error { _, err := offered.Offer(7, 1, 2, now); return err }, nil},
		{"student books an open one", func() error { return open.CanBook(0) }, ErrConflict},
		{"student books a taken one", func() error { return taken.CanBook(0) }, ErrConflict},
		{"student books an offered one", func() error { return offered.CanBook(0) }, nil},
		{"taker books directly", func() error { return taken.CanBook(7) }, nil},
		{"another books directly", func() error { return taken.CanBook(8) }, ErrForbidden},
		{"book twice", func() error { return booked.CanBook(0) }, ErrConflict},
		{"book a closed one", func() error { return closed.CanBook(7) }, ErrConflict},
		{"book an open one", func() error { _, err := open.Booked(1, now); return err }, ErrConflict},
		{"close without reason", func() error { _, err := taken.Close(3, " ", now); return err }, ErrInvalid},
		{"close a booked one", func() error { _, err := booked.Close(3, "x", now); return err }, ErrConflict},
		{"close a closed one", func() error { _, err := closed.Close(3, "x", now); return err }, ErrConflict},
		{"close an open one", func() error { _, err := open.Close(3, "duplicate", now); return err }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestHelpRequestValidate(t *testing.T) {
	ok := HelpRequest{TopicID: 1, Need: "help with a search", StudentName: "Kari", StudentEmail: "kari@example.org"}
	for _, tc := range []struct {
		name  string
		edit  func(*HelpRequest)
		field string
	}{
		{"good", func(*HelpRequest) {}, ""},
		{"no topic", func(r *HelpRequest) { r.TopicID = 0 }, "topic"},
		{"no need", func(r *HelpRequest) { r.Need = "  " }, "need"},
		{"no name", func(r *HelpRequest) { r.StudentName = "" }, "name"},
		{"bad e-mail", func(r *HelpRequest) { r.StudentEmail = "Kari <kari@example.org>" }, "email"},
		{"bad language", func(r *HelpRequest) { r.Language = "de" }, "language"},
		{"control character", func(r *HelpRequest) { r.Times = "mornings\x00" }, "times"},
		{"bad mode", func(r *HelpRequest) { r.Mode = "telepathy" }, "mode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ok
			tc.edit(&r)
			err := r.Validate()
			var fe *FieldError
			switch {
			case tc.field == "" && err != nil:
				t.Errorf("Validate = %v, want nil", err)
			case tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field):
				t.Errorf("Validate = %v, want a field error for %s", err, tc.field)
			}
		})
	}
}

func TestOverdue(t *testing.T) {
	due := time.Date(2026, 5, 6, 22, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		state RequestState
		now   time.Time
		want  bool
	}{
		{RequestOpen, due.Add(-time.Hour), false},
		{RequestOpen, due.Add(time.Hour), true},
		{RequestTaken, due.Add(time.Hour), true},
		{RequestOffered, due.Add(time.Hour), false},
		{RequestClosed, due.Add(time.Hour), false},
	} {
		r := HelpRequest{State: tc.state, DueAt: due}
		if got := r.Overdue(tc.now); got != tc.want {
			t.Errorf("%s at %s: Overdue = %v, want %v", tc.state, tc.now, got, tc.want)
		}
		f := RequestFact{State: tc.state, DueAt: due}
		if got := f.Overdue(tc.now); got != tc.want {
			t.Errorf("fact %s at %s: Overdue = %v, want %v", tc.state, tc.now, got, tc.want)
		}
	}
}
