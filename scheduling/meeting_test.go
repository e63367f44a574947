package scheduling_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// TestMeetingLink: an online booking gets the window's link, else the
// librarian's room, else the service's room per booking; it lands in the
// booking's location, the librarian's event (URL, CONFERENCE, LOCATION)
// and the student's file; an in-person booking gets none.
func TestMeetingLink(t *testing.T) {
	tests := []struct {
		name     string
		window   string // the window's LOCATION
		profile  string
		template string
		want     string // "{id}" is the booking's number
		online   bool
	}{
		{"window's own link wins", "Zoom https://zoom.example/j/1", "https://teams.example/me", "https://meet.example/v-{id}", "https://zoom.example/j/1", true},
		{"librarian's room", "Digitalt", "https://teams.example/me", "https://meet.example/v-{id}", "https://teams.example/me", true},
		{"service's room per booking", "Digitalt", "", "https://meet.example/v-{id}", "https://meet.example/v-{id}", true},
		{"no link anywhere", "Digitalt", "", "", "Digitalt", true},
		{"in person has none", "Rom 2", "https://teams.example/me", "https://meet.example/v-{id}", "Rom 2", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				f := newFixture(t, s, booking.Rules{})
				svc, err := s.ServiceBySlug(f.ctx, "bibliotekar")
				if err != nil {
					t.Fatal(err)
				}
				svc.MeetingURLTemplate = tt.template
				if _, err := s.UpdateService(f.ctx, svc); err != nil {
					t.Fatal(err)
				}
				u := f.librarian("lib", "Lib", "zotero")
				p, err := s.Profile(f.ctx, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				p.MeetingURL = tt.profile
				if err := s.SetProfile(f.ctx, p); err != nil {
					t.Fatal(err)
				}
				f.weekly(u, "w", "", "LOCATION:"+tt.window)
				v, token, err := f.svc.Book(f.ctx, request(f.local("2026-03-23 09:00"), "john@student.example"))
				if err != nil {
					t.Fatal(err)
				}
				want := strings.ReplaceAll(tt.want, "{id}", strconv.FormatInt(v.ID, 10))
				if got := v.Location; got != want || v.Online != tt.online {
					t.Errorf("location %q online %v, want %q %v", got, v.Online, want, tt.online)
				}
				stored, err := f.svc.Booking(f.ctx, token)
				if err != nil || stored.Location != want {
					t.Errorf("stored location %q (%v), want %q", stored.Location, err, want)
				}
				obj, err := s.Object(f.ctx, f.calendar(u.ID, "bookings").ID, v.EventName)
				if err != nil {
					t.Fatal(err)
				}
				ev := parseEvent(t, obj.Data)
				ics, err := f.svc.StudentICS(f.ctx, token)
				if err != nil {
					t.Fatal(err)
				}
				isLink := strings.HasPrefix(want, "https://")
				for _, prop := range []string{"URL", "CONFERENCE", "LOCATION"} {
					got, wantProp := "", ""
					if p := ev.Props.Get(prop); p != nil {
						got = p.Value
					}
					if isLink || prop == "LOCATION" {
						wantProp = want
					}
					if got != wantProp {
						t.Errorf("event %s = %q, want %q", prop, got, wantProp)
					}
				}
				unfolded := strings.ReplaceAll(string(ics), "\r\n ", "")
				if isLink {
					for _, line := range []string{"URL:" + want, "CONFERENCE;FEATURE=VIDEO;VALUE=URI:" + want, "LOCATION:" + want} {
						if !strings.Contains(unfolded, line+"\r\n") {
							t.Errorf("student's file lacks %q:\n%s", line, ics)
						}
					}
				} else if strings.Contains(unfolded, "CONFERENCE") {
					t.Errorf("student's file has a CONFERENCE without a link:\n%s", ics)
				}
			})
		})
	}
}

// TestMeetingLinkValidation: a link that is no web address is refused
// and changes nothing.
func TestMeetingLinkValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, booking.Rules{})
		u := f.librarian("ingrid", "Ingrid", "zotero")
		for _, bad := range []string{"zoom.example/j/1", "javascript:alert(1)", "https://", "https://x.example/a b", "https://x.example/" + strings.Repeat("a", 500)} {
			p := booking.DefaultProfile(u.ID)
			p.MeetingURL = bad
			if err := s.SetProfile(f.ctx, p); !errorsIsInvalid(err) {
				t.Errorf("SetProfile(%q): got %v, want ErrInvalid", bad, err)
			}
			svc, err := s.ServiceBySlug(f.ctx, "bibliotekar")
			if err != nil {
				t.Fatal(err)
			}
			svc.MeetingURLTemplate = strings.ReplaceAll(bad, "/j/1", "/{id}")
			if _, err := s.UpdateService(f.ctx, svc); !errorsIsInvalid(err) {
				t.Errorf("UpdateService(%q): got %v, want ErrInvalid", svc.MeetingURLTemplate, err)
			}
		}
		p, err := s.Profile(f.ctx, u.ID)
		if err != nil || p.MeetingURL != "" {
			t.Errorf("profile after refusals: %+v, %v", p, err)
		}
		svc, err := s.ServiceBySlug(f.ctx, "bibliotekar")
		if err != nil || svc.MeetingURLTemplate != "" {
			t.Errorf("service after refusals: %+v, %v", svc, err)
		}
	})
}

func errorsIsInvalid(err error) bool { return errors.Is(err, booking.ErrInvalid) }
