package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
)

// Move moves a fake booking to a free slot: a slot the fake offers is
// free unless another booking holds it; "taken@example.com"'s moves find
// every time taken, as if someone got there first.
func (f *fakeBooker) Move(_ context.Context, token string, r booking.MoveRequest) (booking.View, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.bookings[token]
	switch {
	case !ok:
		return booking.View{}, fmt.Errorf("fake: booking: %w", booking.ErrNotFound)
	case !v.Active():
		return booking.View{}, fmt.Errorf("fake: cancelled: %w", booking.ErrConflict)
	case r.Start.Equal(v.Start):
		return booking.View{}, &booking.FieldError{Field: "start", Code: "same"}
	case r.LibrarianID > 1:
		return booking.View{}, &booking.FieldError{Field: "librarian", Code: "invalid"}
	}
	free := slices.ContainsFunc(f.slots, func(sl fakeSlot) bool { return sl.Start.Equal(r.Start.UTC()) })
	for other, b := range f.bookings {
		if other != token && b.Active() && b.Start.Equal(r.Start.UTC()) {
			free = false
		}
	}
	if !free || v.StudentEmail == "taken@example.com" {
		return booking.View{}, fmt.Errorf("fake: moving to %v: %w", r.Start, booking.ErrSlotTaken)
	}
	v.Start, v.End = r.Start.UTC(), r.Start.Add(45*time.Minute).UTC()
	v.Sequence++
	f.bookings[token] = v
	return v, nil
}

func TestMovePage(t *testing.T) {
	for _, lang := range []string{"nb", "en"} {
		t.Run(lang, func(t *testing.T) {
			e := newEnv(t)
			c := e.client(t)
			token := e.booker.addBooking(t, slotTue9)
			base := "/booking/" + token
			accept := []string{"Accept-Language", lang}

			manage := e.get(t, c, base, accept...)
			for _, want := range []string{
				`href="` + base + `/move"`, T(lang, "booking.move"),
				`href="https://calendar.google.com/calendar/render?action=TEMPLATE&amp;dates=20260310T080000Z%2F20260310T084500Z`,
				`href="https://outlook.office.com/calendar/0/deeplink/compose?`, "startdt=2026-03-10T08%3A00%3A00Z",
			} {
				if !strings.Contains(manage.body, want) {
					t.Errorf("manage page lacks %q", want)
				}
			}

			form := e.get(t, c, base+"/move", accept...)
			if form.status != http.StatusOK {
				t.Fatalf("GET move: %d\n%s", form.status, form.body)
			}
			wed := slotWed13.UTC().Format(time.RFC3339)
			for _, want := range []string{`<form method="post" action="` + base + `/move"`, `value="` + wed + `"`, T(lang, "move.submit")} {
				if !strings.Contains(form.body, want) {
					t.Errorf("move form lacks %q:\n%s", want, form.body)
				}
			}
			// The booking's own time is not offered, nor another mode's.
			for _, not := range []string{`value="` + slotTue9.UTC().Format(time.RFC3339) + `"`, `value="` + slotTue10.UTC().Format(time.RFC3339) + `"`} {
				if strings.Contains(form.body, not) {
					t.Errorf("move form offers %s", not)
				}
			}
			csrf := csrfFrom(t, form.body)

			// No time chosen: the form again, with the error tied to it.
			res := e.postForm(t, c, base+"/move", url.Values{"csrf": {csrf}}) // Accept-Language is not sent: nb
			if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `href="#move-times"`) {
				t.Errorf("no time: got %d, want 422 with the error summary", res.status)
			}
			// Without the CSRF token nothing moves.
			if res := e.postForm(t, c, base+"/move", url.Values{"start": {wed}}); res.status != http.StatusForbidden {
				t.Errorf("no CSRF: got %d, want 403", res.status)
			}
			if v, _ := e.booker.Booking(context.Background(), token); !v.Start.Equal(slotTue9.UTC()) {
				t.Fatalf("moved without a valid form: %v", v.Start)
			}

			// A time someone else holds: 409, the form again, with the time kept.
			e.booker.addBooking(t, slotNextMo)
			next := slotNextMo.UTC().Format(time.RFC3339)
			res = e.postForm(t, c, base+"/move", url.Values{"csrf": {csrf}, "start": {next}})
			if res.status != http.StatusConflict || !strings.Contains(res.body, T("nb", "move.taken")) {
				t.Errorf("taken time: got %d, want 409 saying so:\n%s", res.status, res.body)
			}
			if v, _ := e.booker.Booking(context.Background(), token); !v.Start.Equal(slotTue9.UTC()) {
				t.Errorf("a refused move changed the booking: %v", v.Start)
			}

			res = e.postForm(t, c, base+"/move", url.Values{"csrf": {csrf}, "start": {wed}})
			if res.status != http.StatusSeeOther || res.header.Get("Location") != base+"?moved=1" {
				t.Fatalf("move: got %d to %q, want 303 to %s?moved=1", res.status, res.header.Get("Location"), base)
			}
			if v, _ := e.booker.Booking(context.Background(), token); !v.Start.Equal(slotWed13.UTC()) {
				t.Errorf("booking after the move: %v, want %v", v.Start, slotWed13)
			}
			done := e.get(t, c, base+"?moved=1", accept...)
			if !strings.Contains(done.body, T(lang, "move.done.title")) {
				t.Errorf("manage page after the move lacks the notice")
			}
		})
	}
}

func TestMoveAPI(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	token := e.booker.addBooking(t, slotTue9)
	cancelled := e.booker.addBooking(t, slotNextMo)
	if _, err := e.booker.Cancel(context.Background(), cancelled); err != nil {
		t.Fatal(err)
	}
	post := func(tok, body, ctype string) (int, map[string]any) {
		req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/api/bookings/"+tok+"/move", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", ctype)
		res := do(t, c, req)
		var out map[string]any
		if err := json.Unmarshal([]byte(res.body), &out); err != nil {
			t.Fatalf("answer is not JSON: %q", res.body)
		}
		return res.status, out
	}
	wed := slotWed13.UTC().Format(time.RFC3339)
	tests := []struct {
		name, token, body, ctype string
		status                   int
		code, field              string
	}{
		{"not JSON", token, `start=x`, "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType, "unsupported_media_type", ""},
		{"unknown field", token, `{"start":"` + wed + `","when":1}`, "application/json", http.StatusBadRequest, "bad_request", ""},
		{"no start", token, `{}`, "application/json", http.StatusUnprocessableEntity, "required", "start"},
		{"same time", token, `{"start":"` + slotTue9.UTC().Format(time.RFC3339) + `"}`, "application/json", http.StatusUnprocessableEntity, "same", "start"},
		{"librarian without the topic", token, `{"start":"` + wed + `","librarian_id":7}`, "application/json", http.StatusUnprocessableEntity, "invalid", "librarian"},
		{"not a free time", token, `{"start":"2026-03-12T08:00:00Z"}`, "application/json", http.StatusConflict, "slot_taken", ""},
		{"cancelled booking", cancelled, `{"start":"` + wed + `"}`, "application/json", http.StatusConflict, "conflict", ""},
		{"unknown token", "nosuchtoken", `{"start":"` + wed + `"}`, "application/json", http.StatusNotFound, "not_found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := post(tt.token, tt.body, tt.ctype)
			e, _ := out["error"].(map[string]any)
			if status != tt.status || e["code"] != tt.code || (tt.field != "" && e["field"] != tt.field) || e["message"] == "" {
				t.Errorf("got %d %v, want %d %s %s", status, out, tt.status, tt.code, tt.field)
			}
		})
	}
	if v, _ := e.booker.Booking(context.Background(), token); !v.Start.Equal(slotTue9.UTC()) {
		t.Fatalf("refused moves changed the booking: %v", v.Start)
	}
	status, out := post(token, `{"start":"`+wed+`"}`, "application/json")
	b, _ := out["booking"].(map[string]any)
	if status != http.StatusOK || b["start"] != wed || b["status"] != "confirmed" {
		t.Errorf("move: got %d %v, want 200 with the new start", status, out)
	}
}
