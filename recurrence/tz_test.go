package recurrence

import (
	"testing"
	"time"
)

func TestResolveLocation(t *testing.T) {
	vtimezones := ics(t,
		"BEGIN:VTIMEZONE", "TZID:Chicago time", "X-LIC-LOCATION:America/Chicago",
		"BEGIN:STANDARD", "DTSTART:19701101T020000", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0600", "END:STANDARD",
		"END:VTIMEZONE",
		"BEGIN:VTIMEZONE", "TZID:Customized Time Zone",
		"BEGIN:STANDARD", "DTSTART:16010101T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100",
		"RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10", "END:STANDARD",
		"BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200",
		"RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT",
		"END:VTIMEZONE",
		"BEGIN:VTIMEZONE", "TZID:US Eastern custom",
		"BEGIN:STANDARD", "DTSTART:20071104T020000", "TZOFFSETFROM:-0400", "TZOFFSETTO:-0500",
		"RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "END:STANDARD",
		"BEGIN:DAYLIGHT", "DTSTART:20070311T020000", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0400",
		"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "END:DAYLIGHT",
		"END:VTIMEZONE",
		"BEGIN:VTIMEZONE", "TZID:Odd",
		"BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:+0117", "TZOFFSETTO:+0117", "END:STANDARD",
		"END:VTIMEZONE",
		"BEGIN:VTIMEZONE", "TZID:Broken",
		"BEGIN:STANDARD", "DTSTART:nonsense", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0100", "END:STANDARD",
		"END:VTIMEZONE",
	)
	tests := []struct {
		tzid     string
		fallback *time.Location
		want     string // location name
		ok       bool
	}{
		{"Europe/Oslo", time.UTC, "Europe/Oslo", true},
		{" Europe/Oslo ", time.UTC, "Europe/Oslo", true},
		{"UTC", oslo, "UTC", true},
		{"/mozilla.org/20050126_1/Europe/Oslo", time.UTC, "Europe/Oslo", true},
		{"/mozilla.org/20070129_1/America/Argentina/Buenos_Aires", time.UTC, "America/Argentina/Buenos_Aires", true},
		{"/softwarestudio.org/Olson_20011030_5/America/New_York", time.UTC, "America/New_York", true},
		{"/citadel.org/20190914_1/Europe/Oslo", time.UTC, "Europe/Oslo", true},
		{"/freeassociation.sourceforge.net/Tzfile/Europe/Oslo", time.UTC, "Europe/Oslo", true},
		{"W. Europe Standard Time", time.UTC, "Europe/Berlin", true},
		{"Romance Standard Time", time.UTC, "Europe/Paris", true},
		{"GMT Standard Time", time.UTC, "Europe/London", true},
		{"eastern standard time", time.UTC, "America/New_York", true},
		{"FLE Standard Time", time.UTC, "Europe/Kyiv", true},
		{"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", time.UTC, "Europe/Berlin", true},
		{"(GMT+01:00) Brussels, Copenhagen, Madrid, Paris", time.UTC, "Europe/Paris", true},
		{"Chicago time", time.UTC, "America/Chicago", true},
		{"Customized Time Zone", oslo, "Europe/Oslo", true}, // the fallback matches: kept
		{"Customized Time Zone", time.UTC, "Europe/Berlin", true},
		{"US Eastern custom", oslo, "America/New_York", true},
		{"Odd", oslo, "Odd", true},
		{"Broken", oslo, "Europe/Oslo", false},
		{"Mars/Olympus_Mons", oslo, "Europe/Oslo", false},
		{"Local", oslo, "Europe/Oslo", false},
		{"", oslo, "Europe/Oslo", false},
		{"../../../etc/passwd", oslo, "Europe/Oslo", false},
		{"/", oslo, "Europe/Oslo", false},
		{"Mars/Olympus_Mons", nil, "UTC", false},
	}
	for _, tt := range tests {
		loc, ok := ResolveLocation(tt.tzid, vtimezones, tt.fallback)
		if loc == nil || loc.String() != tt.want || ok != tt.ok {
			t.Errorf("ResolveLocation(%q) = %v, %v; want %s, %v", tt.tzid, loc, ok, tt.want, tt.ok)
		}
	}
	if loc, ok := ResolveLocation("Chicago time", nil, oslo); loc != oslo || ok {
		t.Errorf("ResolveLocation without a calendar = %v, %v; want the fallback, false", loc, ok)
	}
	odd, _ := ResolveLocation("Odd", vtimezones, oslo)
	if _, off := time.Date(2026, 6, 1, 0, 0, 0, 0, odd).Zone(); off != 3600+17*60 {
		t.Errorf("fixed offset from VTIMEZONE = %ds, want %ds", off, 3600+17*60)
	}
}

func TestWindowsZonesLoad(t *testing.T) {
	if len(windowsZones) < 50 {
		t.Errorf("windowsZones has %d entries, want at least 50", len(windowsZones))
	}
	for _, z := range windowsZones {
		if loadIANA(z.iana) == nil {
			t.Errorf("Windows zone %q maps to %q, which does not load", z.windows, z.iana)
		}
		if loadIANA(z.windows) != nil {
			continue // "UTC" is an IANA name too, and that reading wins
		}
		if loc, ok := ResolveLocation(z.windows, nil, nil); !ok || loc.String() != z.iana {
			t.Errorf("ResolveLocation(%q) = %v, %v; want %s", z.windows, loc, ok, z.iana)
		}
	}
}

func TestLocalTime(t *testing.T) {
	ny := mustLoad("America/New_York")
	tests := []struct {
		wall string // local clock, written as UTC
		loc  *time.Location
		want string
	}{
		{"2026-01-05T10:00:00Z", oslo, "2026-01-05T10:00:00+01:00"},
		{"2026-03-29T01:59:59Z", oslo, "2026-03-29T01:59:59+01:00"},
		{"2026-03-29T02:00:00Z", oslo, "2026-03-29T03:00:00+02:00"}, // gap
		{"2026-03-29T02:30:00Z", oslo, "2026-03-29T03:30:00+02:00"}, // gap
		{"2026-03-29T03:00:00Z", oslo, "2026-03-29T03:00:00+02:00"},
		{"2026-10-25T01:59:59Z", oslo, "2026-10-25T01:59:59+02:00"},
		{"2026-10-25T02:00:00Z", oslo, "2026-10-25T02:00:00+02:00"}, // fold: first
		{"2026-10-25T02:30:00Z", oslo, "2026-10-25T02:30:00+02:00"}, // fold: first
		{"2026-10-25T03:00:00Z", oslo, "2026-10-25T03:00:00+01:00"},
		{"2026-03-08T02:30:00Z", ny, "2026-03-08T03:30:00-04:00"}, // gap; time.Date gives 01:30 EST
		{"2026-11-01T01:30:00Z", ny, "2026-11-01T01:30:00-04:00"}, // fold: first
		{"2026-06-01T12:00:00Z", time.UTC, "2026-06-01T12:00:00Z"},
	}
	for _, tt := range tests {
		got := localTime(ts(t, tt.wall), tt.loc)
		if s := got.Format(time.RFC3339); s != tt.want || got.Location() != tt.loc {
			t.Errorf("localTime(%s, %v) = %s in %v, want %s", tt.wall, tt.loc, s, got.Location(), tt.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    Duration
		wantErr bool
	}{
		{in: "P1D", want: Duration{days: 1}},
		{in: "P2W", want: Duration{days: 14}},
		{in: "PT1H30M", want: Duration{secs: 5400}},
		{in: "P1DT2H3M4S", want: Duration{days: 1, secs: 7384}},
		{in: "+PT15M", want: Duration{secs: 900}},
		{in: "-PT15M", want: Duration{secs: -900}},
		{in: "pt1h", want: Duration{secs: 3600}},
		{in: "P", wantErr: true},
		{in: "PT", wantErr: true},
		{in: "1H", wantErr: true},
		{in: "P1H", wantErr: true},
		{in: "PT1D", wantErr: true},
		{in: "P1DT", wantErr: true},
		{in: "PT1H1", wantErr: true},
		{in: "P99999999999D", wantErr: true},
		{in: "P200000D", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if (err != nil) != tt.wantErr || (err == nil && got != tt.want) {
			t.Errorf("parseDuration(%q) = %+v, %v; want %+v, error: %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseDateTimeText(t *testing.T) {
	tests := []struct {
		in, vt    string
		want      string
		date, utc bool
		wantErr   bool
	}{
		{in: "20260105", want: "2026-01-05T00:00:00Z", date: true},
		{in: "20260105T101112", want: "2026-01-05T10:11:12Z"},
		{in: "20260105T101112Z", want: "2026-01-05T10:11:12Z", utc: true},
		{in: "20261231T235960Z", want: "2026-12-31T23:59:59Z", utc: true}, // leap second
		{in: "20260105", vt: "DATE-TIME", wantErr: true},
		{in: "20260105T101112", vt: "DATE", wantErr: true},
		{in: "20260105", vt: "PERIOD", wantErr: true},
		{in: "20260230", wantErr: true},
		{in: "20261305", wantErr: true},
		{in: "20260105T246000", wantErr: true},
		{in: "20260105T101112+", wantErr: true},
		{in: "2026-01-05", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		w, date, utc, err := ParseDateTime(tt.in, tt.vt)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseDateTimeText(%q, %q) error = %v, want error: %v", tt.in, tt.vt, err, tt.wantErr)
			continue
		}
		if err == nil && (w.Format(time.RFC3339) != tt.want || date != tt.date || utc != tt.utc) {
			t.Errorf("parseDateTimeText(%q) = %s date=%v utc=%v, want %s date=%v utc=%v", tt.in, w.Format(time.RFC3339), date, utc, tt.want, tt.date, tt.utc)
		}
	}
}
