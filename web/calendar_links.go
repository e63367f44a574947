package web

import (
	"net/url"
	"strings"
	"time"
)

// Links that put the booking into a web calendar in one click, beside the
// .ics download, for students whose calendar is Google's or Outlook's on
// the web: both take the event in the address and ask before saving it.
// Only what the student needs goes in (topic, librarian, place or meeting
// link, the manage link), never their question.

// GoogleURL is Google Calendar's "add event" link for the booking.
func (p bookingPage) GoogleURL() string {
	q := url.Values{
		"action":   {"TEMPLATE"},
		"text":     {p.calendarTitle()},
		"dates":    {p.V.Start.UTC().Format("20060102T150405Z") + "/" + p.V.End.UTC().Format("20060102T150405Z")},
		"details":  {p.calendarDetails()},
		"location": {p.calendarPlace()},
	}
	return "https://calendar.google.com/calendar/render?" + q.Encode()
}

// OutlookURL is Outlook on the web's compose link for the booking.
func (p bookingPage) OutlookURL() string {
	q := url.Values{
		"path":     {"/calendar/action/compose"},
		"rru":      {"addevent"},
		"subject":  {p.calendarTitle()},
		"startdt":  {p.V.Start.UTC().Format(time.RFC3339)},
		"enddt":    {p.V.End.UTC().Format(time.RFC3339)},
		"body":     {p.calendarDetails()},
		"location": {p.calendarPlace()},
	}
	return "https://outlook.office.com/calendar/0/deeplink/compose?" + q.Encode()
}

func (p bookingPage) calendarTitle() string {
	return p.T("event.summary", p.TopicName(p.V.Topic), p.V.LibrarianName)
}

func (p bookingPage) calendarPlace() string {
	if p.MeetingURL != "" {
		return p.MeetingURL
	}
	if p.V.Location != "" {
		return p.V.Location
	}
	if p.V.Online {
		return p.T("mode.online.long")
	}
	return ""
}

func (p bookingPage) calendarDetails() string {
	var lines []string
	if p.MeetingURL != "" {
		lines = append(lines, p.T("booking.join")+": "+p.MeetingURL)
	}
	lines = append(lines, p.T("event.manage")+": "+p.ManageURL)
	return strings.Join(lines, "\n")
}
