package booking

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRequestValidate(t *testing.T) {
	ok := func() Request {
		return Request{TopicSlug: "zotero", Start: time.Unix(1, 0), StudentName: "Kari Nordmann",
			StudentEmail: "kari@student.example.org", Question: "Hvordan?\nTakk.", Consent: true}
	}
	tests := []struct {
		name      string
		edit      func(*Request)
		field     string // "" for valid
		code      string
		wantLevel string
	}{
		{name: "valid", edit: func(*Request) {}},
		{name: "level normalised", edit: func(r *Request) { r.StudyLevel = " Master " }, wantLevel: "master"},
		{name: "level given", edit: func(r *Request) { r.StudyLevel = "phd" }, wantLevel: "phd"},
		{name: "level unknown", edit: func(r *Request) { r.StudyLevel = "professor" }, field: "study_level", code: "invalid"},
		{name: "level with markup", edit: func(r *Request) { r.StudyLevel = "<b>master</b>" }, field: "study_level", code: "invalid"},
		{name: "level huge", edit: func(r *Request) { r.StudyLevel = strings.Repeat("m", 120000) }, field: "study_level", code: "invalid"},
		{name: "name not UTF-8", edit: func(r *Request) { r.StudentName = "Kari \xff" }, field: "name", code: "invalid"},
		{name: "programme not UTF-8", edit: func(r *Request) { r.Programme = "Historie \xc3" }, field: "programme", code: "invalid"},
		{name: "question with NUL", edit: func(r *Request) { r.Question = "a\x00b" }, field: "question", code: "invalid"},
		{name: "name with escape", edit: func(r *Request) { r.StudentName = "Kari\x1b[31m" }, field: "name", code: "invalid"},
		{name: "campus not UTF-8", edit: func(r *Request) { r.Campus = "\xfe" }, field: "campus", code: "invalid"},
		{name: "no consent", edit: func(r *Request) { r.Consent = false }, field: "consent", code: "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok()
			tt.edit(&r)
			err := r.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				if r.StudyLevel != tt.wantLevel {
					t.Errorf("study level %q, want %q", r.StudyLevel, tt.wantLevel)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || fe.Code != tt.code || !errors.Is(err, ErrInvalid) {
				t.Errorf("Validate() = %v, want %s: %s (ErrInvalid)", err, tt.field, tt.code)
			}
		})
	}
}

func TestCheckStart(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	r := DefaultRules()
	now := time.Date(2026, 3, 20, 8, 0, 0, 0, time.UTC)
	local := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04:05", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		start time.Time
		want  string
	}{
		{local("2026-03-23 09:00:00"), ""},
		{local("2026-03-23 09:15:00"), ""},
		{local("2026-03-29 03:00:00"), ""}, // the spring DST day: 03:00 CEST is on the grid
		{now.Add(-time.Hour), "past"},
		{now, "past"},
		{now.Add(2 * time.Hour), "too_soon"},
		{now.AddDate(0, 0, 40), "too_far"},
		{local("2026-03-23 09:07:00"), "off_grid"},
		{local("2026-03-23 09:15:30"), "off_grid"},
	}
	for _, tt := range tests {
		err := r.CheckStart(tt.start, now, loc)
		var fe *FieldError
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckStart(%v) = %v, want nil", tt.start, err)
		case tt.want != "" && (!errors.As(err, &fe) || fe.Field != "start" || fe.Code != tt.want):
			t.Errorf("CheckStart(%v) = %v, want start: %s", tt.start, err, tt.want)
		}
	}
}
