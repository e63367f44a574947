package booking

import "time"

// DropInOccurrence is one occurrence of a drop-in session in the shared
// drop-in calendar, as the public pages show it (a series gives one per
// date; DropinSession is the staff form's view of a whole session). It
// carries only what the coordinator published: no organizer, no
// attendees.
type DropInOccurrence struct {
	UID string
	// RecurrenceID is the occurrence's original start in a series; zero for
	// a session that does not recur.
	RecurrenceID time.Time
	Start, End   time.Time
	// AllDay sessions run from Start's local midnight to End's (exclusive).
	AllDay      bool
	Summary     string
	Description string
	Location    string
	URL         string
	// Themes are the topic slugs the session is tagged with that name a
	// topic; tags that name none are reported (DropInTag), not shown.
	Themes []string
	// Cancelled is set for STATUS:CANCELLED and for a deleted session kept
	// as a tombstone.
	Cancelled bool
}

// DropInTombstone remembers a drop-in session that left a feed: deleted,
// or no longer tagged with some themes. Feeds keep showing it as
// STATUS:CANCELLED for a while, so that subscribers' copies are updated.
type DropInTombstone struct {
	CalendarID int64
	UID        string
	Summary    string
	// Start and End are the session's (next, else first) occurrence when
	// it left.
	Start, End time.Time
	AllDay     bool
	// Themes are the tags the session lost: all of them when it was
	// deleted. A feed of one theme shows the tombstone if the theme is
	// among them and the session is not in that feed now; the feed of all
	// themes shows it if the session is gone altogether.
	Themes    []string
	DeletedAt time.Time
	// Seq is the calendar's SyncSeq of the change, so that SEQUENCE grows.
	Seq int64
}

// DropInVersion is what identifies the current content of the drop-in
// feeds in the database: the calendar's SyncSeq, the number of tombstones
// still shown, and the time of the latest change.
type DropInVersion struct {
	CalendarID int64
	SyncSeq    int64
	// Tombstones counts tombstones newer than the cut-off asked for. With
	// SyncSeq fixed, tombstones only ever leave by ageing, oldest first, so
	// the count tells which are shown.
	Tombstones int
	// Modified is the latest of the objects' modification times, the
	// tombstones' deletion times and the moments tombstones aged out.
	Modified time.Time
}

// DropInTag is a tag in a drop-in session (a #hashtag or a CATEGORIES
// value) that names no topic, reported to coordinators.
type DropInTag struct {
	Tag     string
	Object  string // the calendar object resource's name
	UID     string
	Summary string
}
