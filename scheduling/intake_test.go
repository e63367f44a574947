package scheduling_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// The service's intake questions are checked at booking, land in the
// librarian's event, survive a move to another librarian, are in the
// student's data export, and are gone after anonymising.
func TestIntakeAnswers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, booking.Rules{})
		ingrid := f.librarian("ingrid", "Haugen, Ingrid", "zotero")
		per := f.librarian("per", "Berg, Per", "zotero")
		f.weekly(ingrid, "wi", "")
		f.weekly(per, "wp", "")
		svc, err := s.ServiceBySlug(f.ctx, "bibliotekar")
		if err != nil {
			t.Fatal(err)
		}
		faculty, err := s.AddQuestion(f.ctx, booking.Question{ServiceID: svc.ID, Kind: booking.QuestionChoice, Required: true,
			LabelNB: "Fakultet", LabelEN: "Faculty", Options: []booking.Option{{NB: "Jus", EN: "Law"}, {NB: "Medisin", EN: "Medicine"}}})
		if err != nil {
			t.Fatal(err)
		}
		course, err := s.AddQuestion(f.ctx, booking.Question{ServiceID: svc.ID, Kind: booking.QuestionText, LabelNB: "Emnekode", LabelEN: "Course code"})
		if err != nil {
			t.Fatal(err)
		}
		at := f.local("2026-03-23 09:00")
		r := request(at, "john@student.example")

		// A required question left out is the question's field error.
		_, _, err = f.svc.Book(f.ctx, r)
		if fe := (*booking.FieldError)(nil); !errors.As(err, &fe) || fe.Field != faculty.Field() || fe.Code != "required" {
			t.Fatalf("without the required answer: got %v", err)
		}
		r.Answers = map[int64]string{faculty.ID: "2", course.ID: "MED4500 Kari-Nordmann-prosjekt"}
		v, token, err := f.svc.Book(f.ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Answers) != 2 || v.Answers[0].Value != "Medisin" || v.Answers[0].ValueEN != "Medicine" {
			t.Errorf("booked answers: %+v", v.Answers)
		}
		description := func(u booking.User) string {
			t.Helper()
			obj, err := s.Object(f.ctx, f.calendar(u.ID, "bookings").ID, v.EventName)
			if err != nil {
				t.Fatalf("event of %s: %v", u.Username, err)
			}
			return parseEvent(t, obj.Data).Props.Get("DESCRIPTION").Value
		}
		own := map[int64]booking.User{ingrid.ID: ingrid, per.ID: per}[v.LibrarianID]
		other := map[int64]booking.User{ingrid.ID: per, per.ID: ingrid}[v.LibrarianID]
		for _, want := range []string{"Fakultet: Medisin", "Emnekode: MED4500 Kari-Nordmann-prosjekt"} {
			if d := description(own); !strings.Contains(d, want) {
				t.Errorf("event DESCRIPTION lacks %q:\n%s", want, d)
			}
		}

		// Moved to the other librarian, the new event has them too.
		if _, err := f.svc.Move(f.ctx, token, booking.MoveRequest{Start: at, LibrarianID: other.ID}); err != nil {
			t.Fatal(err)
		}
		if d := description(other); !strings.Contains(d, "Fakultet: Medisin") {
			t.Errorf("moved event DESCRIPTION lacks the answers:\n%s", d)
		}

		p := f.svc.Privacy(s)
		exp, err := p.Export(f.ctx, "john@student.example")
		if err != nil || len(exp.Bookings) != 1 {
			t.Fatalf("export: %+v, %v", exp, err)
		}
		if got := exp.Bookings[0].Answers; len(got) != 2 || got[0] != (booking.ExportedAnswer{Question: "Fakultet", Answer: "Medisin"}) {
			t.Errorf("exported answers: %+v", got)
		}

		if err := p.Anonymise(f.ctx, v.ID); err != nil {
			t.Fatal(err)
		}
		b, err := s.BookingByID(f.ctx, v.ID)
		if err != nil || len(b.Answers) != 0 {
			t.Errorf("answers after anonymising: %+v, %v", b.Answers, err)
		}
		obj, err := s.Object(f.ctx, f.calendar(other.ID, "bookings").ID, v.EventName)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(obj.Data), "MED4500") || strings.Contains(string(obj.Data), "Medisin") {
			t.Errorf("anonymised event still holds the answers:\n%s", obj.Data)
		}
	})
}
