package store_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

func TestIntakeQuestions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		svc, err := s.ServiceBySlug(ctx, "bibliotekar")
		if err != nil {
			t.Fatal(err)
		}
		zotero := createTopic(t, s, "zotero")
		jus := createTopic(t, s, "jus")

		// No questions anywhere: the defaults (none stored).
		if qs, err := s.AskedQuestions(ctx, zotero); err != nil || len(qs) != 0 {
			t.Fatalf("AskedQuestions without any: %v, %v", qs, err)
		}
		faculty, err := s.AddQuestion(ctx, booking.Question{ServiceID: svc.ID, Kind: booking.QuestionChoice, Required: true,
			LabelNB: " Fakultet ", LabelEN: "Faculty", Options: []booking.Option{{NB: "Jus", EN: "Law"}, {NB: "Medisin", EN: "Medicine"}}})
		if err != nil {
			t.Fatal(err)
		}
		if faculty.Position != 1 || faculty.LabelNB != "Fakultet" || faculty.ServiceID != svc.ID || faculty.TopicID != 0 {
			t.Errorf("AddQuestion: %+v", faculty)
		}
		thesis, err := s.AddQuestion(ctx, booking.Question{ServiceID: svc.ID, Kind: booking.QuestionYesNo, LabelNB: "Skriver du masteroppgave?"})
		if err != nil || thesis.Position != 2 {
			t.Fatalf("second question: %+v, %v", thesis, err)
		}
		// The topics of the service ask the service's questions...
		if qs, err := s.AskedQuestions(ctx, jus); err != nil || len(qs) != 2 || qs[0].ID != faculty.ID || qs[1].ID != thesis.ID {
			t.Errorf("AskedQuestions of a topic without its own: %+v, %v", qs, err)
		}
		// ...unless they have their own.
		version, err := s.AddQuestion(ctx, booking.Question{TopicID: zotero.ID, Kind: booking.QuestionText, LabelEN: "Which version?"})
		if err != nil {
			t.Fatal(err)
		}
		if qs, err := s.AskedQuestions(ctx, zotero); err != nil || len(qs) != 1 || qs[0].ID != version.ID {
			t.Errorf("AskedQuestions of a topic with its own: %+v, %v", qs, err)
		}
		if all, err := s.IntakeQuestions(ctx); err != nil || len(all) != 3 {
			t.Errorf("IntakeQuestions: %d, %v; want 3", len(all), err)
		}

		// Bad questions and unknown owners are refused.
		for _, tc := range []struct {
			name string
			q    booking.Question
			want error
		}{
			{"no label", booking.Question{ServiceID: svc.ID, Kind: booking.QuestionText}, booking.ErrInvalid},
			{"bad kind", booking.Question{ServiceID: svc.ID, Kind: "essay", LabelNB: "x"}, booking.ErrInvalid},
			{"choice of one", booking.Question{ServiceID: svc.ID, Kind: booking.QuestionChoice, LabelNB: "x", Options: []booking.Option{{NB: "a"}}}, booking.ErrInvalid},
			{"both owners", booking.Question{ServiceID: svc.ID, TopicID: zotero.ID, Kind: booking.QuestionText, LabelNB: "x"}, booking.ErrInvalid},
			{"unknown topic", booking.Question{TopicID: 99999, Kind: booking.QuestionText, LabelNB: "x"}, booking.ErrNotFound},
		} {
			if _, err := s.AddQuestion(ctx, tc.q); !errors.Is(err, tc.want) {
				t.Errorf("AddQuestion(%s): got %v, want %v", tc.name, err, tc.want)
			}
		}

		// Ten at most, per owner.
		for i := 2; i < booking.MaxQuestions; i++ {
			if _, err := s.AddQuestion(ctx, booking.Question{ServiceID: svc.ID, Kind: booking.QuestionText, LabelNB: fmt.Sprint("Spørsmål ", i)}); err != nil {
				t.Fatalf("question %d: %v", i+1, err)
			}
		}
		if _, err := s.AddQuestion(ctx, booking.Question{ServiceID: svc.ID, Kind: booking.QuestionText, LabelNB: "elleve"}); !errors.Is(err, booking.ErrLimitReached) {
			t.Errorf("eleventh question: got %v, want ErrLimitReached", err)
		}

		// Update keeps owner and position; move up swaps; delete closes the gap.
		thesis.LabelEN, thesis.Required = "Are you writing a thesis?", true
		if _, err := s.UpdateQuestion(ctx, thesis); err != nil {
			t.Fatal(err)
		}
		if err := s.MoveQuestionUp(ctx, thesis.ID); err != nil {
			t.Fatal(err)
		}
		qs, err := s.QuestionsOf(ctx, svc.ID, 0)
		if err != nil || len(qs) != booking.MaxQuestions || qs[0].ID != thesis.ID || qs[1].ID != faculty.ID || !qs[0].Required || qs[0].LabelEN != "Are you writing a thesis?" {
			t.Fatalf("after update and move: %+v, %v", qs[:2], err)
		}
		if err := s.DeleteQuestion(ctx, thesis.ID); err != nil {
			t.Fatal(err)
		}
		qs, err = s.QuestionsOf(ctx, svc.ID, 0)
		if err != nil || len(qs) != booking.MaxQuestions-1 {
			t.Fatalf("after delete: %d, %v", len(qs), err)
		}
		for i, q := range qs {
			if q.Position != i+1 {
				t.Errorf("question %d at position %d, want %d", q.ID, q.Position, i+1)
			}
		}
		if q, err := s.Question(ctx, faculty.ID); err != nil || !reflect.DeepEqual(q.Options, faculty.Options) {
			t.Errorf("choice options after the round trip: %+v, %v", q.Options, err)
		}
		if _, err := s.Question(ctx, thesis.ID); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("deleted question: %v", err)
		}
	})
}

// The answers are stored with the booking, read with it, and deleted when
// the booking is anonymised.
func TestBookingAnswers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		zotero := createTopic(t, s, "zotero")
		b := newBooking(zotero.ID, ola.ID, 10, 0, "student@example.org", "t1")
		b.Answers = []booking.Answer{
			{QuestionID: 7, Position: 1, Kind: booking.QuestionChoice, LabelNB: "Fakultet", LabelEN: "Faculty", Value: "Jus", ValueEN: "Law"},
			{QuestionID: 9, Position: 3, Kind: booking.QuestionLongText, LabelNB: "Hva har du prøvd?", Value: "Oria\nGoogle Scholar"},
		}
		got := mustInsert(t, s, b)
		want := []booking.Answer{b.Answers[0], b.Answers[1]}
		want[1].Position = 2 // the answer's place in the booking
		for _, read := range []func() (booking.Booking, error){
			func() (booking.Booking, error) { return s.BookingByID(t.Context(), got.ID) },
			func() (booking.Booking, error) { return s.BookingByTokenHash(t.Context(), "t1") },
		} {
			r, err := read()
			if err != nil || !reflect.DeepEqual(r.Answers, want) {
				t.Errorf("answers read back: %+v, %v; want %+v", r.Answers, err, want)
			}
		}
		// A change of time keeps them.
		moved := got
		moved.Answers = nil
		moved.Start, moved.End = slot(12, 0)
		if err := update(t, s, moved); err != nil {
			t.Fatal(err)
		}
		if r, err := s.BookingByID(t.Context(), got.ID); err != nil || len(r.Answers) != 2 {
			t.Errorf("answers after a move: %+v, %v", r.Answers, err)
		}
		moved.Anonymised, moved.StudentName, moved.StudentEmail, moved.TokenHash = true, "", "", ""
		if err := update(t, s, moved); err != nil {
			t.Fatal(err)
		}
		if r, err := s.BookingByID(t.Context(), got.ID); err != nil || len(r.Answers) != 0 {
			t.Errorf("answers after anonymising: %+v, %v", r.Answers, err)
		}
	})
}
