package booking

import "time"

// MoveRequest is a student's wish to move their booking to another free
// time of the same topic.
type MoveRequest struct {
	Start time.Time
	// LibrarianID asks for one librarian with the topic's competence; 0
	// lets the service choose: the booking's own librarian when free, else
	// the fair assignment.
	LibrarianID int64
}
