package scheduling

import (
	"context"
	"fmt"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
)

// StudentICS is the calendar file the student downloads for the booking of
// a manage token: METHOD:PUBLISH with the same UID and SEQUENCE as the
// librarian's event, so that importing a newer file replaces the older
// one, or METHOD:CANCEL once the booking is cancelled.
func (s *Service) StudentICS(ctx context.Context, token string) ([]byte, error) {
	v, err := s.Booking(ctx, token)
	if err != nil {
		return nil, err
	}
	return studentICS(v, s.manageURL(token), s.now(), s.loc), nil
}

func (s *Service) manageURL(token string) string {
	return s.baseURL + "/booking/" + token
}

// studentICS renders the student's file with golang-ical, the library for
// what Veileder generates but does not store (docs/ICALENDAR.md).
func studentICS(v booking.View, manageURL string, now time.Time, loc *time.Location) []byte {
	b := v.Booking
	cal := ics.NewCalendar()
	cal.SetProductId(ProductID)
	cancelled := !b.Active()
	if cancelled {
		cal.SetMethod(ics.MethodCancel)
	} else {
		cal.SetMethod(ics.MethodPublish)
	}
	ev := cal.AddEvent(b.EventUID)
	ev.SetDtStampTime(now)
	ev.SetSequence(b.Sequence)
	// A single meeting in UTC: SetStartAt's conversion to UTC only hurts
	// recurring events (docs/ICALENDAR.md).
	ev.SetStartAt(b.Start)
	ev.SetEndAt(b.End)
	lang := i18n.NB
	if b.Locale == i18n.EN {
		lang = i18n.EN
	}
	ev.SetSummary(oneLine(i18n.T(lang, "event.summary", v.Topic.Name(lang), v.LibrarianName)))
	if l := oneLine(b.Location); l != "" {
		ev.SetLocation(l)
	}
	ev.SetDescription(studentDescription(v, manageURL, lang, loc))
	// An online meeting's URL is where to join (the manage link stays in
	// the description); otherwise it is the manage page.
	if link := meetingLink(b); link != "" && !cancelled {
		ev.SetURL(link)
		ev.AddProperty(ics.ComponentProperty("CONFERENCE;FEATURE=VIDEO"), link, ics.WithValue("URI"))
	} else {
		ev.SetURL(manageURL)
	}
	if cancelled {
		ev.SetStatus(ics.ObjectStatusCancelled)
	} else {
		ev.SetStatus(ics.ObjectStatusConfirmed)
	}
	if addr := calAddress(v.LibrarianMail); addr != "" {
		addQuotedCN(&ev.ComponentBase, ics.ComponentPropertyOrganizer, v.LibrarianName, addr)
	}
	if cancelled {
		// RFC 5546 §3.2.5: a CANCEL names the attendees it removes.
		addQuotedCN(&ev.ComponentBase, ics.ComponentPropertyAttendee, b.StudentName, calAddress(b.StudentEmail))
	}
	return []byte(cal.Serialize(ics.WithNewLineWindows))
}

// addQuotedCN adds a calendar-address property with its CN quoted.
// golang-ical backslash-escapes parameter values (CN=Doe\, John), which
// RFC 5545 §3.1 does not allow and other parsers misread as two values, and
// has no option to quote them. The parameter is therefore written into the
// property name, which golang-ical writes out verbatim before the ':'; its
// folding still applies to the whole line. paramText has removed every
// DQUOTE and control character, so the quoted string is well-formed.
func addQuotedCN(c *ics.ComponentBase, prop ics.ComponentProperty, name, addr string) {
	token := string(prop)
	if cn := paramText(name); cn != "" {
		token += `;CN="` + cn + `"`
	}
	// The address passed calAddress: it holds none of the characters TEXT
	// escaping would touch.
	c.AddProperty(ics.ComponentProperty(token), addr)
}

func studentDescription(v booking.View, manageURL, lang string, loc *time.Location) string {
	b := v.Booking
	var sb strings.Builder
	line := func(key, value string) {
		if value = strings.TrimSpace(value); value != "" {
			fmt.Fprintf(&sb, "%s: %s\n", i18n.T(lang, key), value)
		}
	}
	if !b.Active() {
		sb.WriteString(i18n.T(lang, "event.cancelled") + "\n\n")
	}
	line("event.topic", v.Topic.Name(lang))
	line("event.librarian", v.LibrarianName)
	line("event.time", b.Start.In(loc).Format("2006-01-02 15:04")+"–"+b.End.In(loc).Format("15:04 MST"))
	if b.Online {
		line("event.online", oneLine(b.Location))
	} else {
		line("event.place", oneLine(b.Location))
	}
	line("event.yours", multiLine(b.Question))
	fmt.Fprintf(&sb, "\n%s: %s\n", i18n.T(lang, "event.manage"), manageURL)
	return strings.TrimSpace(sb.String())
}
