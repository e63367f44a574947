package scheduling

import (
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/recurrence"
)

// scrubEvent leaves no trace of the student in an event, including one a
// calendar app rewrote with an alarm and its own properties, and keeps
// what makes it the same event.
func TestScrubEvent(t *testing.T) {
	b := booking.Booking{
		EventUID: "abc@veileder", Start: time.Date(2026, 5, 5, 7, 0, 0, 0, time.UTC), End: time.Date(2026, 5, 5, 7, 45, 0, 0, time.UTC),
		StudentName: "Åse Ødegård", StudentEmail: "ase@student.example.org", Question: "Hvordan siterer jeg?\nOg i Word?", Programme: "Master i historie",
		Location: "Blindern", Status: booking.StatusConfirmed,
	}
	topic := booking.Topic{Slug: "zotero", NameNB: "Zotero"}
	data, err := bookingEvent(eventInput{Booking: b, Topic: topic, LibrarianName: "Liv", LibrarianEmail: "liv@ub.example.org", Stamp: b.Start.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	// What an app might add: an alarm quoting the summary, a note.
	app := strings.Replace(string(data), "END:VEVENT", "X-APPLE-NOTE:ring Åse Ødegård\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nDESCRIPTION:Veiledning – Åse Ødegård\r\nEND:VALARM\r\nEND:VEVENT", 1)
	for _, in := range []string{string(data), app} {
		out, err := scrubEvent([]byte(in), b, topic, b.Start)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.ToLower(string(out))
		for _, gone := range []string{"åse", "ødegård", "ase@student", "siterer", "master i historie", "attendee"} {
			if strings.Contains(got, gone) {
				t.Errorf("scrubbed event still holds %q:\n%s", gone, out)
			}
		}
		for _, kept := range []string{"UID:abc@veileder", "DTSTART:20260505T070000Z", "DTEND:20260505T074500Z", "SUMMARY:Veiledning: Zotero",
			"LOCATION:Blindern", "ORGANIZER", "CATEGORIES:zotero", "STATUS:CONFIRMED"} {
			if !strings.Contains(string(out), kept) {
				t.Errorf("scrubbed event lost %q:\n%s", kept, out)
			}
		}
		if strings.Contains(in, "VALARM") && !strings.Contains(string(out), "BEGIN:VALARM") {
			t.Errorf("the alarm is gone:\n%s", out)
		}
	}
}

// The drop-in form's VTIMEZONE describes Oslo's rules, and a weekly
// session keeps its wall-clock time across the October change.
func TestSessionEvent(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	d := booking.DropinSession{UID: "s1@veileder", Title: "Zotero, «grunnkurs»; del 1", Themes: []string{"zotero", "endnote"},
		Start: time.Date(2026, 10, 20, 14, 0, 0, 0, loc), End: time.Date(2026, 10, 20, 15, 0, 0, 0, loc),
		Weekly: true, RepeatUntil: time.Date(2026, 11, 3, 0, 0, 0, 0, loc)}
	data, err := sessionEvent(d, 2, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), loc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nTZNAME:CEST\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT",
		"BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZNAME:CET\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD",
		"DTSTART;TZID=Europe/Oslo:20261020T140000", "RRULE:FREQ=WEEKLY;UNTIL=20261103T225959Z", "SEQUENCE:2",
		"CATEGORIES:zotero,endnote", `SUMMARY:Zotero\, «grunnkurs»\; del 1`,
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("event lacks %q:\n%s", want, data)
		}
	}
	c, err := recurrence.ParseCalendar(data)
	if err != nil {
		t.Fatal(err)
	}
	insts, _, err := recurrence.Expand(c, time.Time{}, time.Time{}, recurrence.Options{Location: time.UTC})
	if err != nil || len(insts) != 3 {
		t.Fatalf("instances: got %d, %v; want 3", len(insts), err)
	}
	for _, in := range insts {
		if got := in.Start.In(loc).Format("15:04"); got != "14:00" {
			t.Errorf("instance %v: got %s local, want 14:00", in.Start, got)
		}
	}
}
