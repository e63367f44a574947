package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/veileder/veileder/booking"
)

// TestAnswerOf checks the one mapping from errors to what the client is
// told: the error page's status, the API's status, code and field, and
// whether the detail is logged.
func TestAnswerOf(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("scheduling: book zotero: %w", err) }
	tests := []struct {
		name        string
		err         error
		page, api   int
		code, field string
		log         bool
	}{
		{"not found", wrap(booking.ErrNotFound), 404, 404, "not_found", "", false},
		{"slot taken", wrap(booking.ErrSlotTaken), 409, 409, "slot_taken", "", true},
		{"limit reached", wrap(booking.ErrLimitReached), 409, 409, "limit_reached", "", true},
		{"conflict", wrap(booking.ErrConflict), 409, 409, "conflict", "", true},
		{"precondition failed", wrap(booking.ErrPreconditionFailed), 409, 409, "conflict", "", true},
		{"invalid", wrap(booking.ErrInvalid), 409, 422, "invalid", "", true},
		{"field error", wrap(&booking.FieldError{Field: "email", Code: "invalid"}), 409, 422, "invalid", "email", true},
		{"internal", errors.New("connection reset"), 500, 500, "internal", "", true},
		{"forbidden is ours to fix", wrap(booking.ErrForbidden), 500, 500, "internal", "", true},
		{"status", errStatus(http.StatusForbidden), 403, 403, "", "", false},
		{"status with an API code", errStatus(http.StatusNotFound), 404, 404, "not_found", "", false},
		{"API error", errAPI(http.StatusBadRequest, "required", "topic"), 400, 400, "required", "topic", false},
		{"token kept out", withToken(wrap(booking.ErrSlotTaken), "abc"), 409, 409, "slot_taken", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := answerOf(tt.err)
			if a.page != tt.page || a.api != tt.api || a.code != tt.code || a.field != tt.field || a.log != tt.log {
				t.Errorf("answerOf(%v): got page %d, api %d %q %q, log %v; want page %d, api %d %q %q, log %v",
					tt.err, a.page, a.api, a.code, a.field, a.log, tt.page, tt.api, tt.code, tt.field, tt.log)
			}
		})
	}
}

func TestWithToken(t *testing.T) {
	err := fmt.Errorf("web: %w", withToken(fmt.Errorf("booking abc-123 gone: %w", booking.ErrNotFound), "abc-123"))
	if got, want := err.Error(), "web: booking REDACTED gone: not found"; got != want {
		t.Errorf("Error(): got %q, want %q", got, want)
	}
	if !errors.Is(err, booking.ErrNotFound) {
		t.Errorf("errors.Is(%v, ErrNotFound) = false, want true", err)
	}
	if strings.Contains(withToken(errors.New("x"), "").Error(), "REDACTED") {
		t.Error("an empty token redacted something")
	}
}
