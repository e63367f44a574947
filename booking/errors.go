// Package booking is Veileder's domain core: users and their roles, topics,
// competences, availability, slots and bookings. It knows no HTTP, no SQL and
// no iCalendar; adapters translate to and from it.
package booking

import "errors"

// The closed set of domain errors. Adapters map each to one protocol status
// in a single place and check them with errors.Is.
var (
	// ErrNotFound: the thing asked for does not exist (or is not visible to
	// the caller, which must look the same).
	ErrNotFound = errors.New("not found")
	// ErrInvalid: the input is malformed or breaks a rule; nothing was changed.
	ErrInvalid = errors.New("invalid input")
	// ErrConflict: the change collides with existing state (a duplicate name
	// or UID, a calendar that already exists).
	ErrConflict = errors.New("conflict")
	// ErrPreconditionFailed: a conditional write (If-Match, If-None-Match)
	// did not hold.
	ErrPreconditionFailed = errors.New("precondition failed")
	// ErrForbidden: the caller is known but may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthenticated: the caller's credentials are missing or wrong.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrSlotTaken: the slot was free when shown but is no longer.
	ErrSlotTaken = errors.New("slot taken")
	// ErrLimitReached: a per-student or per-librarian limit would be exceeded.
	ErrLimitReached = errors.New("limit reached")
	// ErrUnavailable: a service outside Veileder that the request needs
	// (the sign-in provider) cannot be reached now; trying later may work.
	ErrUnavailable = errors.New("unavailable")
)
