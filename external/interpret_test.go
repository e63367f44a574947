package external

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
)

func oslo(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// render writes events as "MM-DD HH:MM-MM-DD HH:MM busy|free [tags] place"
// in the library's zone.
func render(loc *time.Location, evs []booking.ExternalEvent) []string {
	var out []string
	for _, e := range evs {
		s := e.Start.In(loc).Format("01-02 15:04") + "-" + e.End.In(loc).Format("01-02 15:04 MST")
		if e.Busy {
			s += " busy"
		} else {
			s += " free"
		}
		if len(e.Tags) > 0 {
			s += " [" + strings.Join(e.Tags, ",") + "]"
		}
		if e.Location != "" {
			s += " " + e.Location
		}
		if e.Online {
			s += " online"
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// TestReadFeeds reads real-shaped Outlook (Exchange) and Google exports:
// Windows zones with their VTIMEZONE, BUSYSTATUS values, a weekly series
// with EXDATE and a moved instance, an all-day OOF day, a feed without
// titles, and the DST changes of March and October 2027.
func TestReadFeeds(t *testing.T) {
	loc := oslo(t)
	r := reader{loc: loc, maxInstances: DefaultMaxInstances, maxTime: DefaultMaxReadTime}
	lo, hi := time.Date(2027, 3, 1, 0, 0, 0, 0, loc), time.Date(2027, 12, 31, 0, 0, 0, 0, loc)
	tests := []struct {
		file        string
		wantRefresh time.Duration
		want        []string
	}{
		{"outlook.ics", 30 * time.Minute, []string{
			"03-02 10:00-03-02 11:00 CET busy",
			"03-03 12:00-03-03 14:00 CET busy", // TENTATIVE is busy
			// WORKINGELSEWHERE, FREE, transparent and cancelled events are not here.
			"03-09 10:00-03-09 11:00 CET busy",
			// 16 March is an EXDATE; 23 March moved to 13:00.
			"03-18 09:00-03-18 12:00 CET busy [zotero] Georg Sverdrups hus, rom 2.12",
			"03-18 10:00-03-18 10:45 CET busy", // a booking's event: the store drops it by UID
			"03-23 13:00-03-23 14:00 CET busy",
			"03-25 09:00-03-25 12:00 CET busy [zotero] Georg Sverdrups hus, rom 2.12",
			// DST begins 28 March: the series keeps its wall clock time.
			"03-30 10:00-03-30 11:00 CEST busy",
			"03-31 13:00-03-31 15:00 CEST busy [veiledning] https://teams.microsoft.com/l/meetup-join/19%3ameeting online",
			"04-01 09:00-04-01 12:00 CEST busy [zotero] Georg Sverdrups hus, rom 2.12",
			"04-05 00:00-04-06 00:00 CEST busy", // all-day OOF blocks the local day
			"04-06 10:00-04-06 11:00 CEST busy",
			"04-13 10:00-04-13 11:00 CEST busy",
			"04-20 10:00-04-20 11:00 CEST busy",
			"04-27 10:00-04-27 11:00 CEST busy",
			// DST ends 31 October.
			"10-22 10:00-10-22 11:00 CEST busy",
			"10-29 10:00-10-29 11:00 CEST busy",
			"11-05 10:00-11-05 11:00 CET busy",
		}},
		{"outlook-busy-only.ics", 30 * time.Minute, []string{
			"03-16 08:00-03-16 09:30 CET busy",
			"03-17 12:30-03-17 15:00 CET busy", // TENTATIVE
			"03-19 00:00-03-20 00:00 CET busy", // all-day OOF
		}},
		{"google.ics", 0, []string{
			"10-27 14:00-10-27 15:30 CEST busy",
			"10-28 10:00-10-28 13:00 CEST free [endnote,zotero] Ureal, Vilhelm Bjerknes' hus",
			// 3 November is an EXDATE; the series is on CET after 31 October.
			"11-10 14:00-11-10 15:30 CET busy",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.read(data, lo, hi)
			if err != nil {
				t.Fatal(err)
			}
			if g := render(loc, got.events); !slices.Equal(g, tt.want) {
				t.Errorf("events:\n got %q\nwant %q", g, tt.want)
			}
			if got.refresh != tt.wantRefresh || got.skipped != 0 {
				t.Errorf("got refresh %v, %d skipped; want %v, none", got.refresh, got.skipped, tt.wantRefresh)
			}
		})
	}
}

func TestInterval(t *testing.T) {
	tests := []struct{ hint, want time.Duration }{
		{0, 15 * time.Minute},
		{time.Minute, MinRefresh},
		{time.Hour, time.Hour},
		{7 * 24 * time.Hour, MaxRefresh},
	}
	for _, tt := range tests {
		if got := interval(tt.hint, 15*time.Minute); got != tt.want {
			t.Errorf("interval(%v) = %v, want %v", tt.hint, got, tt.want)
		}
	}
}
