package scheduling_test

import (
	"errors"
	"testing"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// A student's own booking of the general topic needs the question: it is
// all the librarian knows of the need. At the desk the inquiry holds it.
func TestGeneralTopicNeedsTheQuestion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, booking.Rules{})
		desk := f.librarian("desk", "Desk, Dag")
		ingrid := f.librarian("ingrid", "Haugen, Ingrid", "generell")
		f.weekly(ingrid, "w", "")
		at := f.local("2026-03-23 09:00")

		r := request(at, "john@student.example")
		r.TopicSlug, r.Question = "generell", "  "
		_, _, err := f.svc.Book(f.ctx, r)
		if fe := (*booking.FieldError)(nil); !errors.As(err, &fe) || fe.Field != "question" || fe.Code != "required" {
			t.Fatalf("general topic without a question: got %v, want a question required error", err)
		}
		r.BookedBy = desk.ID
		if _, _, err := f.svc.Book(f.ctx, r); err != nil {
			t.Errorf("desk booking of the general topic without a question: %v", err)
		}
		r.BookedBy, r.Question, r.Start = 0, "Jeg vet ikke hvor jeg skal begynne.", f.local("2026-03-23 10:00")
		v, _, err := f.svc.Book(f.ctx, r)
		if err != nil || v.Question != r.Question {
			t.Errorf("general topic with a question: %+v, %v", v.Booking, err)
		}
	})
}
