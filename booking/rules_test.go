package booking

import (
	"errors"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func TestDefaultRules(t *testing.T) {
	got := DefaultRules()
	want := Rules{
		MeetingLength: 45 * time.Minute, SlotGrid: 15 * time.Minute, MinNotice: 24 * time.Hour,
		Horizon: 28 * 24 * time.Hour, Buffer: 15 * time.Minute, MaxActivePerStudent: 2, MaxPerLibrarianPerDay: 4,
	}
	if got != want {
		t.Errorf("DefaultRules() = %+v, want %+v", got, want)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("DefaultRules().Validate() = %v, want nil", err)
	}
}

func TestEffectiveRules(t *testing.T) {
	svc := Service{Slug: "writing", Rules: RulesOverride{
		MeetingLength: ptr(60 * time.Minute),
		Buffer:        ptr(time.Duration(0)),
		MinNotice:     ptr(48 * time.Hour),
	}}
	topic := Topic{Slug: "thesis", ServiceSlug: "writing", Rules: RulesOverride{
		MeetingLength:         ptr(30 * time.Minute), // the topic wins over the service
		MaxPerLibrarianPerDay: ptr(6),
	}}
	got, err := EffectiveRules(DefaultRules(), svc, topic)
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultRules()
	want.MeetingLength = 30 * time.Minute
	want.Buffer = 0
	want.MinNotice = 48 * time.Hour
	want.MaxPerLibrarianPerDay = 6
	if got != want {
		t.Errorf("EffectiveRules:\n got %+v\nwant %+v", got, want)
	}

	if _, err := EffectiveRules(DefaultRules(), Service{Slug: "other"}, topic); !errors.Is(err, ErrInvalid) {
		t.Errorf("EffectiveRules with the wrong service: got %v, want ErrInvalid", err)
	}
	bad := topic
	bad.Rules.SlotGrid = ptr(7 * time.Minute)
	if _, err := EffectiveRules(DefaultRules(), svc, bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("EffectiveRules with a 7m grid: got %v, want ErrInvalid", err)
	}
}

func TestRulesValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Rules)
		ok   bool
	}{
		{"defaults", func(*Rules) {}, true},
		{"no buffer, no notice", func(r *Rules) { r.Buffer, r.MinNotice = 0, 0 }, true},
		{"grid of an hour", func(r *Rules) { r.SlotGrid = time.Hour }, true},
		{"zero meeting", func(r *Rules) { r.MeetingLength = 0 }, false},
		{"meeting over a day", func(r *Rules) { r.MeetingLength = 25 * time.Hour }, false},
		{"zero grid", func(r *Rules) { r.SlotGrid = 0 }, false},
		{"grid not dividing a day", func(r *Rules) { r.SlotGrid = 7 * time.Minute }, false},
		{"negative notice", func(r *Rules) { r.MinNotice = -time.Hour }, false},
		{"horizon inside notice", func(r *Rules) { r.Horizon = r.MinNotice }, false},
		{"negative buffer", func(r *Rules) { r.Buffer = -time.Minute }, false},
		{"no bookings per student", func(r *Rules) { r.MaxActivePerStudent = 0 }, false},
		{"no bookings per day", func(r *Rules) { r.MaxPerLibrarianPerDay = 0 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := DefaultRules()
			tt.edit(&r)
			err := r.Validate()
			if tt.ok && err != nil {
				t.Errorf("Validate() = %v, want nil", err)
			}
			if !tt.ok && !errors.Is(err, ErrInvalid) {
				t.Errorf("Validate() = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestCheckStudentLimit(t *testing.T) {
	r := DefaultRules() // two active bookings per student
	for _, tt := range []struct {
		active int
		want   error
	}{
		{0, nil},
		{1, nil},
		{2, ErrLimitReached},
		{5, ErrLimitReached},
	} {
		if got := CheckStudentLimit(tt.active, r); !errors.Is(got, tt.want) || (tt.want == nil && got != nil) {
			t.Errorf("CheckStudentLimit(%d) = %v, want %v", tt.active, got, tt.want)
		}
	}
}

func TestParseLevelAndMode(t *testing.T) {
	if got, err := ParseLevel(" Primary "); err != nil || got != LevelPrimary {
		t.Errorf("ParseLevel(Primary) = %q, %v, want primary", got, err)
	}
	if _, err := ParseLevel("expert"); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParseLevel(expert): got %v, want ErrInvalid", err)
	}
	for in, want := range map[string]Mode{"": ModeAny, "any": ModeAny, "Online": ModeOnline, "in-person": ModeInPerson} {
		if got, err := ParseMode(in); err != nil || got != want {
			t.Errorf("ParseMode(%q) = %q, %v, want %q", in, got, err, want)
		}
	}
	if _, err := ParseMode("phone"); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParseMode(phone): got %v, want ErrInvalid", err)
	}
}
