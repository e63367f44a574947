package booking

import (
	"fmt"
	"strings"
	"time"
)

// Role is what a staff account may do. Students have no account.
type Role string

const (
	// RoleDesk is the first line's service-team staff: they log inquiries
	// and book librarians for students, and guide no one by appointment.
	RoleDesk        Role = "desk"
	RoleLibrarian   Role = "librarian"
	RoleCoordinator Role = "coordinator"
	RoleAdmin       Role = "admin"
)

// ParseRole accepts a role name in any case.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleDesk, RoleLibrarian, RoleCoordinator, RoleAdmin:
		return r, nil
	}
	return "", fmt.Errorf("unknown role %q (want desk, librarian, coordinator or admin): %w", s, ErrInvalid)
}

// User is a staff account: desk staff, a librarian, a drop-in coordinator
// or an admin.
// The same account signs in to the web pages and to CalDAV.
type User struct {
	ID          int64
	Username    string
	DisplayName string
	Email       string
	Role        Role
	Disabled    bool
	CreatedAt   time.Time
}

// Name is what the user is called on pages, in mails and in calendars:
// the display name, or the user name when there is none.
func (u User) Name() string {
	if n := strings.TrimSpace(u.DisplayName); n != "" {
		return n
	}
	return u.Username
}

// CanCoordinate says whether the user may write the shared drop-in calendar.
func (u User) CanCoordinate() bool {
	return u.Role == RoleCoordinator || u.Role == RoleAdmin
}

// ValidUsername reports whether s can be a user name: it becomes a path
// segment in CalDAV URLs, so it is kept to a safe alphabet. '@' is allowed
// because many libraries use e-mail addresses as log-ins (clients send it
// percent-encoded as %40).
func ValidUsername(s string) error {
	if len(s) < 2 || len(s) > 64 {
		return fmt.Errorf("user name must be 2 to 64 characters: %w", ErrInvalid)
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '-', r == '_', r == '@':
		default:
			return fmt.Errorf("user name %q may hold only a-z, 0-9, '.', '-', '_' and '@': %w", s, ErrInvalid)
		}
	}
	return nil
}
