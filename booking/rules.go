package booking

import (
	"fmt"
	"time"
)

// Rules are the booking rules in force for one topic: the library's
// defaults, overlaid by its service's overrides, then by the topic's own.
type Rules struct {
	MeetingLength time.Duration // a slot's real (elapsed) length
	// SlotGrid is the step of slot starts in local wall-clock time, counted
	// from local midnight. It must divide a day, so that every day has the
	// same grid.
	SlotGrid  time.Duration
	MinNotice time.Duration // earliest bookable start is now+MinNotice
	Horizon   time.Duration // a slot must end by now+Horizon
	// Buffer is kept free on both sides of every busy interval, bookings
	// included, so that meetings never run back to back.
	Buffer                time.Duration
	MaxActivePerStudent   int // active bookings one student e-mail may hold
	MaxPerLibrarianPerDay int // bookings one librarian takes per local day
}

// DefaultRules are the product's defaults (PRODUCT.md, "Booking rules").
func DefaultRules() Rules {
	return Rules{
		MeetingLength:         45 * time.Minute,
		SlotGrid:              15 * time.Minute,
		MinNotice:             24 * time.Hour,
		Horizon:               28 * 24 * time.Hour,
		Buffer:                15 * time.Minute,
		MaxActivePerStudent:   2,
		MaxPerLibrarianPerDay: 4,
	}
}

// RulesOverride holds the rules a service or a topic sets for itself. A nil
// field inherits; pointers are used because zero is a meaningful override
// (no buffer, no notice).
type RulesOverride struct {
	MeetingLength         *time.Duration
	SlotGrid              *time.Duration
	MinNotice             *time.Duration
	Horizon               *time.Duration
	Buffer                *time.Duration
	MaxActivePerStudent   *int
	MaxPerLibrarianPerDay *int
}

// With returns r with every field that o sets replaced.
func (r Rules) With(o RulesOverride) Rules {
	setD := func(dst *time.Duration, src *time.Duration) {
		if src != nil {
			*dst = *src
		}
	}
	setI := func(dst *int, src *int) {
		if src != nil {
			*dst = *src
		}
	}
	setD(&r.MeetingLength, o.MeetingLength)
	setD(&r.SlotGrid, o.SlotGrid)
	setD(&r.MinNotice, o.MinNotice)
	setD(&r.Horizon, o.Horizon)
	setD(&r.Buffer, o.Buffer)
	setI(&r.MaxActivePerStudent, o.MaxActivePerStudent)
	setI(&r.MaxPerLibrarianPerDay, o.MaxPerLibrarianPerDay)
	return r
}

// EffectiveRules overlays the service's overrides, then the topic's, on
// base and validates the result. The topic must belong to the service.
func EffectiveRules(base Rules, s Service, t Topic) (Rules, error) {
	if t.ServiceSlug != s.Slug {
		return Rules{}, fmt.Errorf("topic %q belongs to service %q, not %q: %w", t.Slug, t.ServiceSlug, s.Slug, ErrInvalid)
	}
	r := base.With(s.Rules).With(t.Rules)
	if err := r.Validate(); err != nil {
		return Rules{}, fmt.Errorf("rules for topic %q: %w", t.Slug, err)
	}
	return r, nil
}

// Validate reports the first rule that cannot work, wrapped in ErrInvalid.
func (r Rules) Validate() error {
	const day = 24 * time.Hour
	switch {
	case r.MeetingLength <= 0 || r.MeetingLength > day:
		return fmt.Errorf("meeting length %v must be more than 0 and at most 24h: %w", r.MeetingLength, ErrInvalid)
	case r.SlotGrid <= 0 || day%r.SlotGrid != 0:
		// A grid that divides the day restarts at every local midnight in
		// step, which is what lets the engine find grid points with one
		// modulo per zone offset instead of walking each day.
		return fmt.Errorf("slot grid %v must be more than 0 and divide 24h: %w", r.SlotGrid, ErrInvalid)
	case r.MinNotice < 0:
		return fmt.Errorf("minimum notice %v must not be negative: %w", r.MinNotice, ErrInvalid)
	case r.Horizon < r.MinNotice+r.MeetingLength:
		return fmt.Errorf("horizon %v leaves no room after notice %v for a %v meeting: %w", r.Horizon, r.MinNotice, r.MeetingLength, ErrInvalid)
	case r.Buffer < 0:
		return fmt.Errorf("buffer %v must not be negative: %w", r.Buffer, ErrInvalid)
	case r.MaxActivePerStudent < 1:
		return fmt.Errorf("active bookings per student %d must be at least 1: %w", r.MaxActivePerStudent, ErrInvalid)
	case r.MaxPerLibrarianPerDay < 1:
		return fmt.Errorf("bookings per librarian per day %d must be at least 1: %w", r.MaxPerLibrarianPerDay, ErrInvalid)
	}
	return nil
}

// CheckStudentLimit says whether a student holding active bookings may make
// one more.
func CheckStudentLimit(active int, r Rules) error {
	if active >= r.MaxActivePerStudent {
		return fmt.Errorf("student holds %d active bookings, at most %d allowed: %w", active, r.MaxActivePerStudent, ErrLimitReached)
	}
	return nil
}

// CheckStart says whether a meeting starting at start may be booked at now
// under r, whoever is free then: a *FieldError for "start" with code
// "past", "too_soon" (inside the minimum notice), "too_far" (beyond the
// horizon) or "off_grid" (not on the slot grid of loc's wall clock), or
// nil. A start that passes can still be taken (ErrSlotTaken); one that
// fails never could be, and saying "someone just booked it" would be
// wrong.
func (r Rules) CheckStart(start, now time.Time, loc *time.Location) error {
	switch {
	case !start.After(now):
		return &FieldError{"start", "past"}
	case start.Before(now.Add(r.MinNotice)):
		return &FieldError{"start", "too_soon"}
	case start.After(now.Add(r.Horizon)):
		return &FieldError{"start", "too_far"}
	case r.SlotGrid > 0 && !(grid{loc: loc, step: r.SlotGrid}).at(start).t.Equal(start):
		return &FieldError{"start", "off_grid"}
	}
	return nil
}
