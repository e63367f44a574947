package notify_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// The librarian's new-booking note is in Norwegian when their profile
// has it (or names no language), in English when it does not, whatever
// the student's language.
func TestLibrarianNewLanguage(t *testing.T) {
	tests := []struct {
		langs                []string
		wantLang, wantSubj   string
		wantText, wantNoText string
		// The answers to the library's questions, in the note's language.
		wantAnswers string
	}{
		{[]string{"nb", "en"}, "nb", "Ny booking", "har booket veiledning hos deg", "has booked", "Fakultet: Jus\nHva har du prøvd?: Oria\nGoogle Scholar"},
		{[]string{"nn"}, "nb", "Ny booking", "har booket veiledning hos deg", "has booked", "Fakultet: Jus"},
		{[]string{"en"}, "en", "New booking", "has booked guidance with you", "har booket", "Faculty: Law\nWhat have you tried?: Oria\nGoogle Scholar"},
		{[]string{"de", "en"}, "en", "New booking", "has booked guidance with you", "har booket", "Faculty: Law"},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := startSMTP(t, serverOptions{})
		f := newFixture(t, s)
		f.answers = []booking.Answer{
			{QuestionID: 1, Kind: booking.QuestionChoice, LabelNB: "Fakultet", LabelEN: "Faculty", Value: "Jus", ValueEN: "Law"},
			{QuestionID: 2, Kind: booking.QuestionLongText, LabelNB: "Hva har du prøvd?", LabelEN: "What have you tried?", Value: "Oria\nGoogle Scholar"},
		}
		base := time.Now().UTC().Truncate(time.Second)
		c := newClock(base)
		sender := newSender(t, s, srv, c, nil)
		for i, tt := range tests {
			t.Run(strings.Join(tt.langs, ","), func(t *testing.T) {
				p := booking.DefaultProfile(f.librarian.ID)
				p.Languages, p.NotifyNewBooking = tt.langs, true
				if err := s.SetProfile(t.Context(), p); err != nil {
					t.Fatal(err)
				}
				seen := len(srv.Messages())
				// The student writes in the other language.
				locale := map[string]string{"nb": "en", "en": "nb"}[tt.wantLang]
				b := f.book(t, base.Add(time.Duration(48+i)*time.Hour), locale, fmt.Sprintf("s%d@student.example.org", i), c.Now())
				drain(t, sender)
				var found bool
				for _, r := range srv.Messages()[seen:] {
					if !bytes.Contains(r.Data, fmt.Appendf(nil, "booking-%d-%s-0@", b.ID, booking.MessageLibrarianNew)) {
						continue
					}
					found = true
					m := parseMail(t, r.Data)
					if got := m.Header.Get("Content-Language"); got != tt.wantLang {
						t.Errorf("Content-Language: got %q, want %q", got, tt.wantLang)
					}
					if !strings.Contains(m.Subject, tt.wantSubj) {
						t.Errorf("Subject: got %q, want it to hold %q", m.Subject, tt.wantSubj)
					}
					if !strings.Contains(strings.ReplaceAll(m.Text, "\r\n", "\n"), tt.wantAnswers) {
						t.Errorf("text: got\n%s\nwant the answers %q", m.Text, tt.wantAnswers)
					}
					if label, _, _ := strings.Cut(tt.wantAnswers, ":"); !strings.Contains(m.HTML, label) {
						t.Errorf("HTML lacks the answers:\n%s", m.HTML)
					}
					if !strings.Contains(m.Text, tt.wantText) || strings.Contains(m.Text, tt.wantNoText) {
						t.Errorf("text: got\n%s\nwant %q in it and not %q", m.Text, tt.wantText, tt.wantNoText)
					}
				}
				if !found {
					t.Fatalf("no new-booking note for booking %d", b.ID)
				}
			})
		}
	})
}
