package notify

import (
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/recurrence"
)

// productID is the PRODID of the invitations, as of the events Veileder
// writes into the librarians' calendars.
const productID = "-//Veileder//Booking//NB"

// invitation is the student's iTIP message for the booking (RFC 5546):
// METHOD:REQUEST while the booking stands (a new SEQUENCE replaces the
// older invitation: §2.1.4), METHOD:CANCEL once it is cancelled (§3.2.5).
// The UID is the one of the event in the librarian's bookings calendar
// and SEQUENCE its sequence, so that the student's calendar and the
// librarian's speak of the same event. The librarian is the ORGANIZER,
// the student the ATTENDEE; organizer is the fallback when the librarian
// has no address (REQUEST and CANCEL both require an ORGANIZER).
//
// It is made with golang-ical, the library for what Veileder generates but
// does not store (docs/ICALENDAR.md). A single meeting is written in UTC:
// SetStartAt's conversion to UTC hurts only recurring events.
func invitation(d mailData, organizer string, now time.Time) (data []byte, method string) {
	e := meeting{
		UID: d.UID, Sequence: d.Sequence, Start: d.Start, End: d.End,
		Summary: d.Summary, Location: d.Location, Description: d.CalendarText,
		Cancelled:     d.Kind == booking.MessageCancelled,
		OrganizerName: d.Librarian, OrganizerAddr: recurrence.CalAddress(d.LibrarianMail),
		// The student booked the time: they have accepted, and no reply
		// is asked of them, so calendar apps need not mail the librarian.
		AttendeeName: d.StudentName, AttendeeAddr: recurrence.CalAddress(d.StudentEmail),
	}
	switch {
	case e.Cancelled:
	case d.MeetingURL != "":
		// Where to join (RFC 7986 §5.11); the manage link is in the text.
		e.URL, e.Conference = d.MeetingURL, d.MeetingURL
	default:
		e.URL = d.ManageURL
	}
	if e.OrganizerAddr == "" {
		e.OrganizerName, e.OrganizerAddr = "Veileder", recurrence.CalAddress(organizer)
	}
	return e.invitation(now)
}

// meeting is what an iTIP invitation to one attendee says of a single
// meeting: the student's invitation and the copy for a librarian's own
// calendar (external.go) are both one.
type meeting struct {
	UID                          string
	Sequence                     int
	Start, End                   time.Time
	Summary, Location            string
	Description, URL             string
	Conference                   string // a video meeting's address (RFC 7986 §5.11)
	Cancelled                    bool
	OrganizerName, OrganizerAddr string
	// The attendee has accepted (they booked or offered the time): RSVP is
	// FALSE.
	AttendeeName, AttendeeAddr string
}

// invitation is the meeting as METHOD:REQUEST, or METHOD:CANCEL once it
// is cancelled.
func (e meeting) invitation(now time.Time) (data []byte, method string) {
	cal := ics.NewCalendar()
	cal.SetProductId(productID)
	if e.Cancelled {
		cal.SetMethod(ics.MethodCancel)
		method = "CANCEL"
	} else {
		cal.SetMethod(ics.MethodRequest)
		method = "REQUEST"
	}
	ev := cal.AddEvent(e.UID)
	ev.SetDtStampTime(now.UTC())
	ev.SetSequence(e.Sequence)
	ev.SetStartAt(e.Start.UTC())
	ev.SetEndAt(e.End.UTC())
	ev.SetSummary(oneLine(e.Summary))
	if l := oneLine(e.Location); l != "" {
		ev.SetLocation(l)
	}
	ev.SetDescription(e.Description)
	if e.URL != "" {
		ev.SetURL(e.URL)
	}
	if e.Conference != "" {
		ev.AddProperty(ics.ComponentProperty("CONFERENCE;FEATURE=VIDEO"), e.Conference, ics.WithValue("URI"))
	}
	if e.Cancelled {
		ev.SetStatus(ics.ObjectStatusCancelled)
	} else {
		ev.SetStatus(ics.ObjectStatusConfirmed)
		ev.SetProperty(ics.ComponentPropertyTransp, "OPAQUE")
	}
	addAddress(&ev.ComponentBase, ics.ComponentPropertyOrganizer, e.OrganizerName, e.OrganizerAddr, "")
	addAddress(&ev.ComponentBase, ics.ComponentPropertyAttendee, e.AttendeeName, e.AttendeeAddr,
		";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=FALSE")
	return []byte(cal.Serialize(ics.WithNewLineWindows)), method
}

// addAddress adds a calendar-address property with its CN quoted and
// further parameters. golang-ical backslash-escapes parameter values
// (CN=Doe\, John), which RFC 5545 §3.1 does not allow and other parsers
// misread, and cannot be told to quote them (docs/ICALENDAR.md); so the
// parameters are written into the property name, which golang-ical puts
// out verbatim before the ':' (and still folds). ParamText has removed
// every DQUOTE and control character, so the quoted string is
// well-formed; CalAddress has removed what would end or split the value.
func addAddress(c *ics.ComponentBase, prop ics.ComponentProperty, name, addr, params string) {
	if addr == "" {
		return
	}
	token := string(prop)
	if cn := recurrence.ParamText(name); cn != "" {
		token += `;CN="` + cn + `"`
	}
	c.AddProperty(ics.ComponentProperty(token+params), addr)
}

// oneLine is recurrence.OneLine under the short name the renderers use.
func oneLine(s string) string { return recurrence.OneLine(s) }
