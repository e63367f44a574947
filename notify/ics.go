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
	cal := ics.NewCalendar()
	cal.SetProductId(productID)
	cancelled := d.Kind == booking.MessageCancelled
	if cancelled {
		cal.SetMethod(ics.MethodCancel)
		method = "CANCEL"
	} else {
		cal.SetMethod(ics.MethodRequest)
		method = "REQUEST"
	}
	ev := cal.AddEvent(d.UID)
	ev.SetDtStampTime(now.UTC())
	ev.SetSequence(d.Sequence)
	ev.SetStartAt(d.Start.UTC())
	ev.SetEndAt(d.End.UTC())
	ev.SetSummary(oneLine(d.Summary))
	if l := oneLine(d.Location); l != "" {
		ev.SetLocation(l)
	}
	ev.SetDescription(d.CalendarText)
	switch {
	case d.MeetingURL != "" && !cancelled:
		// Where to join (RFC 7986 §5.11); the manage link is in the text.
		ev.SetURL(d.MeetingURL)
		ev.AddProperty(ics.ComponentProperty("CONFERENCE;FEATURE=VIDEO"), d.MeetingURL, ics.WithValue("URI"))
	case d.ManageURL != "" && !cancelled:
		ev.SetURL(d.ManageURL)
	}
	if cancelled {
		ev.SetStatus(ics.ObjectStatusCancelled)
	} else {
		ev.SetStatus(ics.ObjectStatusConfirmed)
		ev.SetProperty(ics.ComponentPropertyTransp, "OPAQUE")
	}
	orgName, orgAddr := d.Librarian, recurrence.CalAddress(d.LibrarianMail)
	if orgAddr == "" {
		orgName, orgAddr = "Veileder", recurrence.CalAddress(organizer)
	}
	addAddress(&ev.ComponentBase, ics.ComponentPropertyOrganizer, orgName, orgAddr, "")
	// The student booked the time: they have accepted, and no reply is
	// asked of them (RSVP=FALSE), so calendar apps need not mail the
	// librarian one.
	addAddress(&ev.ComponentBase, ics.ComponentPropertyAttendee, d.StudentName, recurrence.CalAddress(d.StudentEmail),
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
