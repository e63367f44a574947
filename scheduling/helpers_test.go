package scheduling

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/recurrence"
)

func oslo(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// vcal wraps VEVENT lines into a calendar object with CRLF line ends.
func vcal(events ...[]string) []byte {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n")
	for _, ev := range events {
		b.WriteString("BEGIN:VEVENT\r\n")
		for _, l := range ev {
			b.WriteString(l + "\r\n")
		}
		b.WriteString("END:VEVENT\r\n")
	}
	b.WriteString("END:VCALENDAR\r\n")
	return []byte(b.String())
}

func component(t *testing.T, lines ...string) *ical.Component {
	t.Helper()
	c, err := recurrence.ParseCalendar(vcal(append([]string{"UID:x", "DTSTAMP:20260101T000000Z", "DTSTART:20260324T090000Z"}, lines...)))
	if err != nil {
		t.Fatal(err)
	}
	return c.Children[0]
}

func TestTopicTags(t *testing.T) {
	known := topicSet{"zotero": true, "endnote": true, "jus": true, "medisin": true}
	tests := []struct {
		name  string
		lines []string
		known topicSet
		want  []string
	}{
		{"summary and description", []string{"SUMMARY:Ledig #Zotero", `DESCRIPTION:Også #endnote\nog #zotero`}, known, []string{"zotero", "endnote"}},
		{"categories lists and repeats", []string{"CATEGORIES:JUS,Work", "CATEGORIES:#medisin"}, known, []string{"jus", "medisin"}},
		{"unknown tags do not narrow", []string{"SUMMARY:Ledig #viktig", "CATEGORIES:Arbeid"}, known, nil},
		{"nil known keeps all", []string{"SUMMARY:Ledig #viktig"}, nil, []string{"viktig"}},
		{"escaped comma in a category", []string{`CATEGORIES:jus\,medisin`}, nil, []string{"jus,medisin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := topicTags(component(t, tt.lines...), tt.known); !slices.Equal(got, tt.want) {
				t.Errorf("topicTags = %q, want %q", got, tt.want)
			}
		})
	}
}

func testService(t testing.TB, now time.Time) *Service {
	return New(Config{Location: oslo(t), Now: func() time.Time { return now }, BaseURL: "https://veileder.example/"})
}

// localWindows renders windows as "MM-DD HH:MM-HH:MM place tags online".
func localWindows(loc *time.Location, ws []booking.Window) []string {
	var out []string
	for _, w := range ws {
		s := w.Start.In(loc).Format("01-02 15:04") + "-" + w.End.In(loc).Format("15:04") + " " + w.Location
		if len(w.Topics) > 0 {
			s += " [" + strings.Join(w.Topics, ",") + "]"
		}
		if w.Online {
			s += " online"
		}
		out = append(out, s)
	}
	return out
}

// TestWindowsExpansion: a weekly window with EXDATE, an override that
// moves and retags one instance, a cancelled override, a cancelled plain
// event, across both 2026 DST days in Europe/Oslo.
func TestWindowsExpansion(t *testing.T) {
	loc := oslo(t)
	s := testService(t, time.Date(2026, 3, 20, 8, 0, 0, 0, time.UTC))
	known := topicSet{"zotero": true, "jus": true}
	lib := booking.Librarian{ID: 1, Campus: "Blindern"}
	tests := []struct {
		name   string
		data   []byte
		lo, hi time.Time
		want   []string
	}{
		{
			name: "spring forward",
			data: vcal(
				[]string{"UID:w1", "DTSTAMP:20260101T000000Z", "DTSTART;TZID=Europe/Oslo:20260322T090000", "DTEND;TZID=Europe/Oslo:20260322T120000",
					"RRULE:FREQ=WEEKLY", "EXDATE;TZID=Europe/Oslo:20260405T090000", "SUMMARY:Veiledning #zotero #ukjent", "LOCATION:Rom 1"},
				[]string{"UID:w1", "DTSTAMP:20260101T000000Z", "RECURRENCE-ID;TZID=Europe/Oslo:20260412T090000",
					"DTSTART;TZID=Europe/Oslo:20260412T130000", "DTEND;TZID=Europe/Oslo:20260412T150000", "SUMMARY:Flyttet", "CATEGORIES:jus", "LOCATION:Digitalt"},
				[]string{"UID:w1", "DTSTAMP:20260101T000000Z", "RECURRENCE-ID;TZID=Europe/Oslo:20260419T090000",
					"DTSTART;TZID=Europe/Oslo:20260419T090000", "DTEND;TZID=Europe/Oslo:20260419T120000", "STATUS:CANCELLED"},
			),
			lo: time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), hi: time.Date(2026, 4, 27, 0, 0, 0, 0, time.UTC),
			want: []string{
				"03-22 09:00-12:00 Rom 1 [zotero]",
				"03-29 09:00-12:00 Rom 1 [zotero]", // DST day: same wall time
				"04-12 13:00-15:00 Digitalt [jus] online",
				"04-26 09:00-12:00 Rom 1 [zotero]",
			},
		},
		{
			name: "fall back, floating time in the library zone",
			data: vcal([]string{"UID:w2", "DTSTAMP:20260101T000000Z", "DTSTART:20261018T090000", "DURATION:PT3H", "RRULE:FREQ=WEEKLY;COUNT=3"}),
			lo:   time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), hi: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
			want: []string{
				"10-18 09:00-12:00 Blindern",
				"10-25 09:00-12:00 Blindern", // DST day: still three hours at 09:00
				"11-01 09:00-12:00 Blindern",
			},
		},
		{
			name: "cancelled event and zero-length event give no window",
			data: vcal([]string{"UID:w3", "DTSTAMP:20260101T000000Z", "DTSTART:20260324T090000Z", "DTEND:20260324T100000Z", "STATUS:CANCELLED"}),
			lo:   time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), hi: time.Date(2026, 4, 27, 0, 0, 0, 0, time.UTC),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			insts := s.instances(booking.Calendar{ID: 1}, booking.CalendarObject{Name: "w.ics", Data: tt.data}, tt.lo, tt.hi)
			ws := windows(insts, lib, known)
			if got := localWindows(loc, ws); !slices.Equal(got, tt.want) {
				t.Errorf("windows:\n got %q\nwant %q", got, tt.want)
			}
			for _, w := range ws {
				if w.Start.Location() != time.UTC || w.End.Location() != time.UTC {
					t.Errorf("window %v–%v is not in UTC", w.Start, w.End)
				}
			}
		})
	}
	// On the DST days the windows are three real hours long.
	insts := s.instances(booking.Calendar{ID: 1}, booking.CalendarObject{Data: tests[1].data}, tests[1].lo, tests[1].hi)
	for _, w := range windows(insts, lib, known) {
		if got := w.End.Sub(w.Start); got != 3*time.Hour {
			t.Errorf("window on %v lasts %v, want 3h", w.Start, got)
		}
	}
}

func TestBusy(t *testing.T) {
	s := testService(t, time.Date(2026, 3, 20, 8, 0, 0, 0, time.UTC))
	data := vcal(
		[]string{"UID:b1", "DTSTAMP:20260101T000000Z", "DTSTART;TZID=Europe/Oslo:20260323T100000", "DTEND;TZID=Europe/Oslo:20260323T110000", "RRULE:FREQ=DAILY;COUNT=4"},
		// The second instance is cancelled, the third made free (transparent).
		[]string{"UID:b1", "DTSTAMP:20260101T000000Z", "RECURRENCE-ID;TZID=Europe/Oslo:20260324T100000", "DTSTART;TZID=Europe/Oslo:20260324T100000", "DTEND;TZID=Europe/Oslo:20260324T110000", "STATUS:CANCELLED"},
		[]string{"UID:b1", "DTSTAMP:20260101T000000Z", "RECURRENCE-ID;TZID=Europe/Oslo:20260325T100000", "DTSTART;TZID=Europe/Oslo:20260325T100000", "DTEND;TZID=Europe/Oslo:20260325T110000", "TRANSP:TRANSPARENT"},
	)
	insts := s.instances(booking.Calendar{ID: 1}, booking.CalendarObject{Data: data}, time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
	var got []string
	for _, iv := range busy(insts) {
		got = append(got, iv.Start.Format(time.RFC3339)+"/"+iv.End.Format(time.RFC3339))
	}
	want := []string{"2026-03-23T09:00:00Z/2026-03-23T10:00:00Z", "2026-03-26T09:00:00Z/2026-03-26T10:00:00Z"}
	if !slices.Equal(got, want) {
		t.Errorf("busy:\n got %q\nwant %q", got, want)
	}

	// Transparent and cancelled masters give nothing; an all-day event
	// blocks the local day.
	data = vcal(
		[]string{"UID:b2", "DTSTAMP:20260101T000000Z", "DTSTART;VALUE=DATE:20260329", "SUMMARY:Seminar"},
	)
	insts = s.instances(booking.Calendar{ID: 1}, booking.CalendarObject{Data: data}, time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
	ivs := busy(insts)
	if len(ivs) != 1 || ivs[0].End.Sub(ivs[0].Start) != 23*time.Hour {
		t.Errorf("all-day busy on the spring DST day: got %v, want one 23h interval", ivs)
	}
	for _, lines := range [][]string{{"TRANSP:TRANSPARENT"}, {"STATUS:CANCELLED"}, {"STATUS:cancelled"}} {
		ev := append([]string{"UID:b3", "DTSTAMP:20260101T000000Z", "DTSTART:20260324T090000Z", "DTEND:20260324T100000Z"}, lines...)
		insts := s.instances(booking.Calendar{ID: 1}, booking.CalendarObject{Data: vcal(ev)}, time.Time{}, time.Time{})
		if got := busy(insts); len(got) != 0 {
			t.Errorf("busy with %q: got %v, want none", lines, got)
		}
	}
}

func TestInstancesSkipsBadObjects(t *testing.T) {
	s := testService(t, time.Now())
	for _, data := range [][]byte{[]byte("not ical"), []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")} {
		if got := s.instances(booking.Calendar{ID: 1}, booking.CalendarObject{Data: data}, time.Time{}, time.Time{}); got != nil {
			t.Errorf("instances(%q) = %v, want nil", data, got)
		}
	}
}

func TestRangeFor(t *testing.T) {
	loc := oslo(t)
	s := testService(t, time.Now())
	r := booking.DefaultRules()
	now := time.Date(2026, 3, 25, 10, 0, 0, 0, time.UTC) // Wednesday
	rg := s.rangeFor(r, now, time.Time{}, time.Time{})
	if want := now.Add(24*time.Hour - 15*time.Minute); !rg.lo.Equal(want) {
		t.Errorf("lo = %v, want %v", rg.lo, want)
	}
	if want := now.Add(28*24*time.Hour + 15*time.Minute); !rg.hi.Equal(want) {
		t.Errorf("hi = %v, want %v", rg.hi, want)
	}
	// Weeks are local: Monday 2026-03-23 00:00 CET, and the week after
	// the one holding hi ends on a local midnight across the DST change.
	if want := time.Date(2026, 3, 23, 0, 0, 0, 0, loc); !rg.weekLo.Equal(want) {
		t.Errorf("weekLo = %v, want %v", rg.weekLo, want)
	}
	if want := time.Date(2026, 4, 27, 0, 0, 0, 0, loc); !rg.weekHi.Equal(want) {
		t.Errorf("weekHi = %v, want %v", rg.weekHi.In(loc), want)
	}
	// A day view narrows the range.
	from := time.Date(2026, 4, 1, 0, 0, 0, 0, loc)
	rg = s.rangeFor(r, now, from, from.AddDate(0, 0, 1))
	if !rg.lo.Equal(from.Add(-15*time.Minute)) || !rg.hi.Equal(from.AddDate(0, 0, 1).Add(60*time.Minute)) {
		t.Errorf("day range = %v – %v", rg.lo, rg.hi)
	}
}

func TestBookingEvent(t *testing.T) {
	loc := oslo(t)
	b := booking.Booking{
		Start: time.Date(2026, 3, 24, 8, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 24, 8, 45, 0, 0, time.UTC),
		Location: "https://meet.example/abc", Online: true,
		StudentName: "Doe, \"John\"; Jr.\r\n", StudentEmail: "john@student.example",
		Question:  "Hvordan søker jeg?\r\nLinje to med et veldig langt spørsmål som må brettes over flere linjer i iCalendar-fila, æøå æøå æøå.\x07",
		Programme: "Master i historie", StudyLevel: "master", Language: "nb",
		Sequence: 3, EventUID: "abc@veileder", EventName: "abc@veileder.ics",
	}
	topic := booking.Topic{Slug: "zotero", NameNB: "Zotero", NameEN: "Zotero"}
	data, err := bookingEvent(eventInput{Booking: b, Topic: topic, LibrarianName: "Haugen: Ingrid", LibrarianEmail: "ingrid@uio.example", Stamp: time.Date(2026, 3, 20, 8, 0, 0, 500, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\r\n")), []byte("\r\n")) {
		if len(line) > 75 {
			t.Errorf("line %d is %d octets: %q", i, len(line), line)
		}
		if bytes.ContainsAny(line, "\r\n") {
			t.Errorf("line %d holds a bare CR or LF: %q", i, line)
		}
	}
	cal := booking.Calendar{ID: 7, OwnerID: 1, Kind: booking.KindBookings, Components: []string{"VEVENT"}}
	obj, err := (&Service{loc: loc}).calendarObject(cal, b.EventName, data)
	if err != nil {
		t.Fatalf("calendarObject: %v\n%s", err, data)
	}
	if obj.UID != b.EventUID || !obj.FirstStart.Equal(b.Start) || !obj.LastEnd.Equal(b.End) {
		t.Errorf("object: got UID %q %v–%v, want %q %v–%v", obj.UID, obj.FirstStart, obj.LastEnd, b.EventUID, b.Start, b.End)
	}
	sameObject(t, bookingObject(cal, b, data), obj)
	c, err := recurrence.ParseCalendar(data)
	if err != nil {
		t.Fatal(err)
	}
	ev := c.Children[0]
	checks := map[string]string{
		"UID": "abc@veileder", "DTSTART": "20260324T080000Z", "DTEND": "20260324T084500Z", "DTSTAMP": "20260320T080000Z",
		"SEQUENCE": "3", "STATUS": "CONFIRMED", "TRANSP": "OPAQUE", "CATEGORIES": "zotero",
		"ORGANIZER": "mailto:ingrid@uio.example", "ATTENDEE": "mailto:john@student.example",
		"LOCATION": "https://meet.example/abc", "URL": "https://meet.example/abc",
	}
	for name, want := range checks {
		if got := propValue(ev, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if got, want := text(ev, "SUMMARY"), "Veiledning: Zotero – Doe, \"John\"; Jr."; got != want {
		t.Errorf("SUMMARY = %q, want %q", got, want)
	}
	desc := text(ev, "DESCRIPTION")
	for _, want := range []string{"Hvordan søker jeg?\nLinje to", "æøå.\n", "Studieprogram: Master i historie", "Nivå: master", "Møtespråk: norsk", "Nettmøte: https://meet.example/abc"} {
		if !strings.Contains(desc, want) {
			t.Errorf("DESCRIPTION lacks %q:\n%s", want, desc)
		}
	}
	org, att := ev.Props.Get("ORGANIZER"), ev.Props.Get("ATTENDEE")
	if got := org.Params.Get("CN"); got != "Haugen: Ingrid" {
		t.Errorf("ORGANIZER CN = %q", got)
	}
	if got := att.Params.Get("CN"); got != "Doe, John; Jr." {
		t.Errorf("ATTENDEE CN = %q", got)
	}
	for p, want := range map[string]string{"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "ACCEPTED", "RSVP": "FALSE"} {
		if got := att.Params.Get(p); got != want {
			t.Errorf("ATTENDEE %s = %q, want %q", p, got, want)
		}
	}
	unfolded := strings.ReplaceAll(string(data), "\r\n ", "")
	for _, want := range []string{`ATTENDEE;CN="Doe, John; Jr.";`, `ORGANIZER;CN="Haugen: Ingrid":mailto:`} {
		if !strings.Contains(unfolded, want) {
			t.Errorf("event lacks %q:\n%s", want, unfolded)
		}
	}
}

// sameObject fails unless got, an object built without parsing its data,
// is what validating that data gives (want).
func sameObject(t *testing.T, got, want booking.CalendarObject) {
	t.Helper()
	if got.CalendarID != want.CalendarID || got.Name != want.Name || got.UID != want.UID || got.Component != want.Component ||
		!bytes.Equal(got.Data, want.Data) || !got.FirstStart.Equal(want.FirstStart) || !got.LastEnd.Equal(want.LastEnd) {
		t.Errorf("object built from the booking: got %d %s %s %s %v–%v, want what validating it gives: %d %s %s %s %v–%v",
			got.CalendarID, got.Name, got.UID, got.Component, got.FirstStart, got.LastEnd,
			want.CalendarID, want.Name, want.UID, want.Component, want.FirstStart, want.LastEnd)
	}
}

// The booking's event is stored with index columns taken from the
// booking, not from parsing the event: they are what parsing gives, for
// any time a booking can hold.
func TestBookingObject(t *testing.T) {
	loc := oslo(t)
	cal := booking.Calendar{ID: 7, OwnerID: 1, Kind: booking.KindBookings, Components: []string{"VEVENT"}}
	for _, tc := range []struct {
		name       string
		start, end time.Time
	}{
		{"UTC", time.Date(2026, 3, 24, 8, 0, 0, 0, time.UTC), time.Date(2026, 3, 24, 8, 45, 0, 0, time.UTC)},
		{"Oslo, across the spring change", time.Date(2026, 3, 29, 1, 30, 0, 0, loc), time.Date(2026, 3, 29, 3, 30, 0, 0, loc)},
		{"fractions of a second", time.Date(2026, 3, 24, 8, 0, 0, 999_999_999, time.UTC), time.Date(2026, 3, 24, 9, 0, 0, 1, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := booking.Booking{Start: tc.start, End: tc.end, StudentName: "Kari", StudentEmail: "kari@student.example",
				EventUID: "x1@veileder", EventName: "x1@veileder.ics"}
			data, err := bookingEvent(eventInput{Booking: b, Topic: booking.Topic{Slug: "zotero", NameNB: "Zotero"}, Stamp: tc.start})
			if err != nil {
				t.Fatal(err)
			}
			want, err := (&Service{loc: loc}).calendarObject(cal, b.EventName, data)
			if err != nil {
				t.Fatalf("calendarObject: %v\n%s", err, data)
			}
			sameObject(t, bookingObject(cal, b, data), want)
		})
	}
}

func TestFold(t *testing.T) {
	long := "DESCRIPTION:" + strings.Repeat("æ", 100)
	got := fold([]byte("A:b\r\n" + long + "\r\nC:d\r\n"))
	lines := strings.Split(strings.TrimSuffix(string(got), "\r\n"), "\r\n")
	if lines[0] != "A:b" || lines[len(lines)-1] != "C:d" {
		t.Errorf("fold changed short lines: %q", lines)
	}
	var joined strings.Builder
	for i, l := range lines[1 : len(lines)-1] {
		if len(l) > 75 {
			t.Errorf("folded line %d is %d octets", i, len(l))
		}
		if i > 0 {
			if !strings.HasPrefix(l, " ") {
				t.Errorf("continuation %d does not start with a space: %q", i, l)
			}
			l = l[1:]
		}
		if !strings.HasPrefix(l, "æ") && i > 0 || strings.ContainsRune(l, '\uFFFD') {
			t.Errorf("line %d split a character: %q", i, l)
		}
		joined.WriteString(l)
	}
	if joined.String() != long {
		t.Errorf("unfolded %q, want %q", joined.String(), long)
	}
}

func TestTokens(t *testing.T) {
	tok, hash := newToken()
	if !validToken(tok) || len(tok) != 43 {
		t.Errorf("token %q (%d chars) is not a 32-byte base64url token", tok, len(tok))
	}
	if hash != tokenHash(tok) || len(hash) != 64 {
		t.Errorf("hash %q is not the SHA-256 hex of the token", hash)
	}
	if tok2, _ := newToken(); tok2 == tok {
		t.Error("two tokens are equal")
	}
	for _, bad := range []string{"", "short", tok + "A", strings.Repeat("=", 43), "../../etc/passwd"} {
		if validToken(bad) {
			t.Errorf("validToken(%q) = true", bad)
		}
	}
	if u := newUID(); !strings.HasSuffix(u, "@veileder") || len(u) != 32+len("@veileder") {
		t.Errorf("newUID = %q", u)
	}
}

func TestStudentICS(t *testing.T) {
	loc := oslo(t)
	v := booking.View{
		Booking: booking.Booking{
			Start: time.Date(2026, 3, 29, 7, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 29, 7, 45, 0, 0, time.UTC),
			Location: "Georg Sverdrups hus, rom 2.12", StudentName: "Kari Nordmann", StudentEmail: "kari@student.example",
			Question: "Om kilder", Locale: "nb", Status: booking.StatusConfirmed, Sequence: 2, EventUID: "u1@veileder",
		},
		Topic:         booking.Topic{Slug: "jus", NameNB: "Jus", NameEN: "Law"},
		LibrarianName: `Doe, "John"`,
		LibrarianMail: "john@uio.example",
	}
	now := time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
	manage := "https://veileder.example/booking/TOKEN"
	tests := []struct {
		name      string
		mutate    func(v *booking.View)
		want      []string
		wantNot   []string
		method    string
		summaryIs string
	}{
		{
			name:   "confirmed, Norwegian",
			method: "PUBLISH",
			want: []string{"UID:u1@veileder", "SEQUENCE:2", "DTSTART:20260329T070000Z", "DTEND:20260329T074500Z",
				"STATUS:CONFIRMED", `ORGANIZER;CN="Doe, John":mailto:john@uio.example`, `LOCATION:Georg Sverdrups hus\, rom 2.12`,
				"URL:" + manage},
			wantNot:   []string{"ATTENDEE", `CN=Doe\,`},
			summaryIs: "Veiledning: Jus med Doe, \"John\"",
		},
		{
			name: "cancelled, English",
			mutate: func(v *booking.View) {
				v.Status, v.Sequence, v.Locale = booking.StatusCancelled, 3, "en"
			},
			method:    "CANCEL",
			want:      []string{"STATUS:CANCELLED", "SEQUENCE:3", `ATTENDEE;CN="Kari Nordmann":mailto:kari@student.example`},
			summaryIs: "Library guidance: Law with Doe, \"John\"",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := v
			if tt.mutate != nil {
				tt.mutate(&v)
			}
			data := studentICS(v, manage, now, loc)
			if bytes.Contains(bytes.ReplaceAll(data, []byte("\r\n"), nil), []byte("\n")) || !bytes.HasSuffix(data, []byte("END:VCALENDAR\r\n")) {
				t.Errorf("line ends are not CRLF:\n%q", data)
			}
			unfolded := strings.ReplaceAll(string(data), "\r\n ", "")
			for _, want := range append(tt.want, "METHOD:"+tt.method) {
				if !strings.Contains(unfolded, want) {
					t.Errorf("lacks %q:\n%s", want, unfolded)
				}
			}
			for _, not := range tt.wantNot {
				if strings.Contains(unfolded, not) {
					t.Errorf("holds %q:\n%s", not, unfolded)
				}
			}
			// Another parser reads it back as meant.
			c, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
			if err != nil {
				t.Fatalf("go-ical cannot read the file: %v\n%s", err, data)
			}
			ev := c.Events()[0]
			if got := ev.Props.Get("ORGANIZER").Params.Get("CN"); got != "Doe, John" {
				t.Errorf("ORGANIZER CN read back as %q", got)
			}
			if got := text(ev.Component, "SUMMARY"); got != tt.summaryIs {
				t.Errorf("SUMMARY = %q, want %q", got, tt.summaryIs)
			}
			if desc := text(ev.Component, "DESCRIPTION"); !strings.Contains(desc, manage) {
				t.Errorf("DESCRIPTION lacks the manage link:\n%s", desc)
			}
		})
	}
}

func TestCandidates(t *testing.T) {
	loc := oslo(t)
	topic := booking.Topic{ID: 1, Slug: "zotero"}
	start := time.Date(2026, 3, 24, 9, 0, 0, 0, loc)
	lib := func(id int64, level booking.Level) booking.LibrarianSchedule {
		return booking.LibrarianSchedule{
			Librarian: booking.Librarian{ID: id, Languages: []string{"nb"}, InPerson: true,
				Competences: []booking.Competence{{LibrarianID: id, TopicID: 1, Level: level}}},
			Windows: []booking.Window{{Start: start, End: start.Add(2 * time.Hour)}},
		}
	}
	busyLib := lib(4, booking.LevelPrimary)
	busyLib.Busy = []booking.Interval{{Start: start, End: start.Add(time.Hour)}}
	scheds := []booking.LibrarianSchedule{lib(3, booking.LevelPrimary), lib(1, booking.LevelSecondary), lib(2, booking.LevelPrimary), busyLib}
	q := booking.SlotQuery{Topic: topic, Now: start.Add(-48 * time.Hour)}
	got, err := candidates(q, booking.DefaultRules(), loc, start, scheds)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, a := range got {
		ids = append(ids, a.LibrarianID)
	}
	if want := []int64{2, 3, 1}; !slices.Equal(ids, want) {
		t.Errorf("candidates: got %v, want %v", ids, want)
	}
	if len(scheds) != 4 {
		t.Errorf("candidates changed its input")
	}
}

func TestMeetingLanguage(t *testing.T) {
	lib := booking.Librarian{Languages: []string{"NB", "en"}, Competences: []booking.Competence{{TopicID: 2, Languages: []string{"en"}}}}
	tests := []struct {
		asked, locale string
		topic         int64
		want          string
	}{
		{"en", "nb", 1, "en"},
		{"", "en", 1, "en"},
		{"", "nb", 1, "nb"},
		{"", "nb", 2, "en"},
	}
	for _, tt := range tests {
		if got := meetingLanguage(tt.asked, lib, tt.topic, tt.locale); got != tt.want {
			t.Errorf("meetingLanguage(%q, topic %d, %q) = %q, want %q", tt.asked, tt.topic, tt.locale, got, tt.want)
		}
	}
	for in, want := range map[string]string{"en-GB": "en", "EN": "en", "": "nb", "nn": "nb", "de": "nb"} {
		if got := normLocale(in); got != want {
			t.Errorf("normLocale(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestHookIgnoresOtherCalendars: the hook never reads the store for a
// calendar that is not a bookings calendar.
func TestHookIgnoresOtherCalendars(t *testing.T) {
	s := testService(t, time.Now())
	obj := &booking.CalendarObject{UID: "x", Data: vcal([]string{"UID:x", "DTSTAMP:20260101T000000Z", "DTSTART:20260324T090000Z"})}
	for _, cal := range []booking.Calendar{{OwnerID: 1, Kind: booking.KindPersonal}, {OwnerID: 0, Kind: booking.KindBookings}} {
		if err := s.OnBookingEvent(context.Background(), nil, cal, nil, obj); err != nil {
			t.Errorf("OnBookingEvent on %v: %v", cal.Kind, err)
		}
	}
}
