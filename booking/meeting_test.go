package booking

import (
	"errors"
	"strings"
	"testing"
)

func TestMeetingLink(t *testing.T) {
	tests := []struct {
		name, window, librarian, template string
		want                              string
	}{
		{"window wins", "https://zoom.example/j/1", "https://teams.example/me", "https://meet.example/v-{id}", "https://zoom.example/j/1"},
		{"librarian's room", "", "https://teams.example/me", "https://meet.example/v-{id}", "https://teams.example/me"},
		{"template per booking", "", "", "https://meet.example/v-{id}?x={id}", "https://meet.example/v-42?x=42"},
		{"template without a number", "", "", "https://meet.example/lobby", "https://meet.example/lobby"},
		{"none", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MeetingLink(tt.window, tt.librarian, tt.template, 42); got != tt.want {
				t.Errorf("MeetingLink = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValidMeetingURL(t *testing.T) {
	tests := []struct {
		in, code string // code "" for valid
	}{
		{"", ""},
		{"https://uio.zoom.us/my/ingrid", ""},
		{"http://meet.example.org/room", ""},
		{"uio.zoom.us/my/ingrid", "invalid"},
		{"javascript:alert(1)", "invalid"},
		{"https://", "invalid"},
		{"https://meet.example.org/a b", "invalid"},
		{"https://meet.example.org/{id}", "invalid"},
		{"https://meet.example.org/\x00", "invalid"},
		{"https://meet.example.org/" + strings.Repeat("a", MaxMeetingURLLen), "too_long"},
	}
	for _, tt := range tests {
		err := ValidMeetingURL(tt.in)
		var fe *FieldError
		switch {
		case tt.code == "" && err != nil:
			t.Errorf("ValidMeetingURL(%q) = %v, want nil", tt.in, err)
		case tt.code != "" && (!errors.As(err, &fe) || fe.Field != "meeting_url" || fe.Code != tt.code || !errors.Is(err, ErrInvalid)):
			t.Errorf("ValidMeetingURL(%q) = %v, want meeting_url: %s", tt.in, err, tt.code)
		}
	}
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"https://meet.example.org/veileder-{id}", true},
		{"https://meet.example.org/lobby", true},
		{"meet.example.org/{id}", false},
		{"https://{id}", true},
		{"https://meet.example.org/{ id }", false},
	} {
		if err := ValidMeetingTemplate(tt.in); (err == nil) != tt.ok {
			t.Errorf("ValidMeetingTemplate(%q) = %v, want ok %v", tt.in, err, tt.ok)
		}
	}
}
