package recurrence

import (
	"slices"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

// event is the first VEVENT of a calendar of one event with these lines.
func event(t *testing.T, lines ...string) *ical.Component {
	t.Helper()
	c := ics(t, vevent(append([]string{"DTSTAMP:20260101T000000Z", "DTSTART:20260324T090000Z"}, lines...)...)...)
	return c.Children[0]
}

func TestBusy(t *testing.T) {
	tests := []struct {
		lines []string
		want  bool
	}{
		{nil, true},
		{[]string{"TRANSP:OPAQUE"}, true},
		{[]string{"TRANSP:TRANSPARENT"}, false},
		{[]string{"TRANSP:transparent"}, false},
		{[]string{"STATUS:CANCELLED"}, false},
		{[]string{"STATUS:TENTATIVE"}, true},
		{[]string{"X-MICROSOFT-CDO-BUSYSTATUS:BUSY"}, true},
		{[]string{"X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE"}, true},
		{[]string{"X-MICROSOFT-CDO-BUSYSTATUS:OOF"}, true},
		{[]string{"X-MICROSOFT-CDO-BUSYSTATUS:FREE"}, false},
		{[]string{"X-MICROSOFT-CDO-BUSYSTATUS:WORKINGELSEWHERE"}, false},
		{[]string{"X-MICROSOFT-CDO-BUSYSTATUS:OOF", "TRANSP:TRANSPARENT"}, false},
	}
	for _, tt := range tests {
		if got := Busy(event(t, tt.lines...)); got != tt.want {
			t.Errorf("Busy(%q) = %v, want %v", tt.lines, got, tt.want)
		}
	}
}

func TestParseDurationHint(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"PT1H", time.Hour, false},
		{"P1D", 24 * time.Hour, false},
		{"PT15M", 15 * time.Minute, false},
		{"P1W", 7 * 24 * time.Hour, false},
		{"1 hour", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		d, err := ParseDuration(tt.in)
		got := d.Approx()
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestTags(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  []string
	}{
		{"summary and description", []string{"SUMMARY:Ledig #Zotero", `DESCRIPTION:Også #endnote\nog #zotero`}, []string{"zotero", "endnote"}},
		{"categories lists and repeats", []string{"CATEGORIES:JUS,Work", "CATEGORIES:#medisin"}, []string{"jus", "work", "medisin"}},
		{"escaped comma in a category", []string{`CATEGORIES:jus\,medisin`}, []string{"jus,medisin"}},
		{"none", []string{"SUMMARY:Møte"}, nil},
	}
	for _, tt := range tests {
		if got := Tags(event(t, tt.lines...)); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Tags = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestHashtags(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Veiledning #Zotero #endnote", []string{"zotero", "endnote"}},
		{"#systematisk-sok, #medisin.", []string{"systematisk-sok", "medisin"}},
		{"(#jus) og #søk-i-kilder", []string{"jus", "søk-i-kilder"}},
		{"rom #204 og C#", nil},
		{"https://meet.example/#room", nil},
		{"ord#tag", nil},
		{"#", nil},
		{"#zotero- slutt", []string{"zotero"}},
	}
	for _, tt := range tests {
		if got := Hashtags(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Hashtags(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMeetingMode(t *testing.T) {
	tests := []struct {
		name       string
		lines      []string
		wantOnline bool
		wantURL    string
	}{
		{"room", []string{"LOCATION:Georg Sverdrups hus\\, rom 2.12"}, false, ""},
		{"digitalt in location", []string{"LOCATION:Digitalt (Zoom)"}, true, ""},
		{"online in description", []string{"LOCATION:Blindern", "DESCRIPTION:Også ONLINE"}, true, ""},
		{"digital word", []string{"DESCRIPTION:Digital veiledning"}, true, ""},
		{"no word inside another", []string{"DESCRIPTION:Digitalisering av arkiver", "LOCATION:Offline-rommet"}, false, ""},
		{"URL in location", []string{"LOCATION:https://uio.zoom.us/j/123."}, true, "https://uio.zoom.us/j/123"},
		{"URL in description", []string{"LOCATION:Zoom", "DESCRIPTION:Lenke: (https://meet.example/abc)"}, true, "https://meet.example/abc"},
		{"URL property", []string{"URL:https://teams.example/x"}, true, "https://teams.example/x"},
		{"CONFERENCE wins", []string{"CONFERENCE;VALUE=URI:https://conf.example/1", "LOCATION:https://other.example/"}, true, "https://conf.example/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			online, url := MeetingMode(event(t, tt.lines...))
			if online != tt.wantOnline || url != tt.wantURL {
				t.Errorf("MeetingMode = %v, %q, want %v, %q", online, url, tt.wantOnline, tt.wantURL)
			}
		})
	}
}
