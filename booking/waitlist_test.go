package booking

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestWaitlistRequestValidate(t *testing.T) {
	ok := func() WaitlistRequest {
		return WaitlistRequest{TopicSlug: "zotero", Name: " Kari ", Email: " kari@example.org ", Consent: true,
			Weekdays: []time.Weekday{time.Friday, time.Monday, time.Friday}, TimesOfDay: []string{" Afternoon", "morning", "afternoon"}}
	}
	tests := []struct {
		name        string
		mod         func(*WaitlistRequest)
		field, code string
	}{
		{"valid", func(*WaitlistRequest) {}, "", ""},
		{"no topic", func(r *WaitlistRequest) { r.TopicSlug = " " }, "topic", "required"},
		{"no name", func(r *WaitlistRequest) { r.Name = "" }, "name", "required"},
		{"control character", func(r *WaitlistRequest) { r.Name = "Ka\x00ri" }, "name", "invalid"},
		{"bad e-mail", func(r *WaitlistRequest) { r.Email = "kari" }, "email", "invalid"},
		{"bad mode", func(r *WaitlistRequest) { r.Mode = "pigeon" }, "mode", "invalid"},
		{"bad language", func(r *WaitlistRequest) { r.Language = "n b" }, "language", "invalid"},
		{"bad weekday", func(r *WaitlistRequest) { r.Weekdays = []time.Weekday{7} }, "weekdays", "invalid"},
		{"bad time of day", func(r *WaitlistRequest) { r.TimesOfDay = []string{"night"} }, "times_of_day", "invalid"},
		{"no consent", func(r *WaitlistRequest) { r.Consent = false }, "consent", "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok()
			tt.mod(&r)
			err := r.Validate()
			var fe *FieldError
			switch {
			case tt.field == "" && err != nil:
				t.Fatalf("Validate: %v, want nil", err)
			case tt.field == "":
				if r.Name != "Kari" || r.Email != "kari@example.org" || fmt.Sprint(r.Weekdays) != "[Monday Friday]" || fmt.Sprint(r.TimesOfDay) != "[afternoon morning]" {
					t.Errorf("normalised: %+v", r)
				}
			case !errors.As(err, &fe) || fe.Field != tt.field || fe.Code != tt.code || !errors.Is(err, ErrInvalid):
				t.Errorf("Validate: %v, want %s %s", err, tt.field, tt.code)
			}
		})
	}
}

// Suits reads the weekday and the part of the day on the library's wall
// clock, across the DST change.
func TestWaitlistEntrySuits(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	mon1130 := time.Date(2026, 3, 30, 11, 30, 0, 0, oslo) // CEST: 09:30 UTC
	mon1200 := time.Date(2026, 3, 30, 12, 0, 0, 0, oslo)
	tests := []struct {
		name string
		e    WaitlistEntry
		at   time.Time
		want bool
	}{
		{"any", WaitlistEntry{}, mon1130, true},
		{"monday", WaitlistEntry{Weekdays: []time.Weekday{time.Monday}}, mon1130, true},
		{"tuesday only", WaitlistEntry{Weekdays: []time.Weekday{time.Tuesday}}, mon1130, false},
		{"morning", WaitlistEntry{TimesOfDay: []string{Morning}}, mon1130.UTC(), true},
		{"afternoon at 11:30", WaitlistEntry{TimesOfDay: []string{Afternoon}}, mon1130, false},
		{"afternoon at noon", WaitlistEntry{TimesOfDay: []string{Afternoon}}, mon1200, true},
		{"monday morning at noon", WaitlistEntry{Weekdays: []time.Weekday{time.Monday}, TimesOfDay: []string{Morning}}, mon1200, false},
	}
	for _, tt := range tests {
		if got := tt.e.Suits(tt.at, oslo); got != tt.want {
			t.Errorf("%s: Suits(%v) = %v, want %v", tt.name, tt.at, got, tt.want)
		}
	}
}
