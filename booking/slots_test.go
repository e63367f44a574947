package booking

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the host's zoneinfo
)

func oslo(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// at parses a local Oslo time "2006-01-02 15:04" and returns it in UTC, as
// adapters hand times to the engine.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.ParseInLocation("2006-01-02 15:04", s, oslo(t))
	if err != nil {
		t.Fatal(err)
	}
	return tm.UTC()
}

// win is a window on one local day, "2026-03-24", "09:00", "10:30".
func win(t testing.TB, date, from, to string, tags ...string) Window {
	t.Helper()
	return Window{Start: at(t, date+" "+from), End: at(t, date+" "+to), Topics: tags, Location: "Blindern"}
}

func iv(t testing.TB, date, from, to string) Interval {
	t.Helper()
	return Interval{Start: at(t, date+" "+from), End: at(t, date+" "+to)}
}

var (
	zotero  = Topic{ID: 1, Slug: "zotero", ServiceSlug: "book-a-librarian"}
	history = Topic{ID: 2, Slug: "history", ServiceSlug: "book-a-librarian"}
)

// lib is a librarian competent in zotero and history, in Norwegian and
// English, in person at Blindern and online.
func lib(id int64) Librarian {
	return Librarian{
		ID: id, Languages: []string{"nb", "en"}, Campus: "Blindern", InPerson: true, Online: true,
		Competences: []Competence{
			{LibrarianID: id, TopicID: zotero.ID, Level: LevelPrimary},
			{LibrarianID: id, TopicID: history.ID, Level: LevelSecondary},
		},
	}
}

// show renders slots as "03-24 09:00 [1 2]", with " online" for online
// slots, so that a failing test prints something a person can read.
func show(loc *time.Location, slots []Slot) []string {
	var out []string
	for _, s := range slots {
		mode := ""
		if s.Online {
			mode = " online"
		}
		out = append(out, fmt.Sprintf("%s%s %v", s.Start.In(loc).Format("01-02 15:04"), mode, s.LibrarianIDs()))
	}
	return out
}

func TestFindSlots(t *testing.T) {
	loc := oslo(t)
	now := at(t, "2026-03-23 08:00") // a Monday; notice opens 03-24 08:00
	noBuffer := DefaultRules()
	noBuffer.Buffer = 0

	tests := []struct {
		name  string
		rules Rules
		q     SlotQuery
		libs  []LibrarianSchedule
		want  []string
	}{
		{
			name: "no librarians",
			libs: nil,
			want: nil,
		},
		{
			name: "librarian without windows",
			libs: []LibrarianSchedule{{Librarian: lib(1)}},
			want: nil,
		},
		{
			name: "one window cut on the grid",
			libs: []LibrarianSchedule{{Librarian: lib(1), Windows: []Window{win(t, "2026-03-24", "09:00", "10:30")}}},
			want: []string{"03-24 09:00 [1]", "03-24 09:15 [1]", "03-24 09:30 [1]", "03-24 09:45 [1]"},
		},
		{
			name: "window starting off the grid",
			libs: []LibrarianSchedule{{Librarian: lib(1), Windows: []Window{win(t, "2026-03-24", "09:05", "10:30")}}},
			want: []string{"03-24 09:15 [1]", "03-24 09:30 [1]", "03-24 09:45 [1]"},
		},
		{
			name: "window shorter than a meeting",
			libs: []LibrarianSchedule{{Librarian: lib(1), Windows: []Window{win(t, "2026-03-24", "09:00", "09:40")}}},
			want: nil,
		},
		{
			name: "empty and inverted windows are ignored",
			libs: []LibrarianSchedule{{Librarian: lib(1), Windows: []Window{
				win(t, "2026-03-24", "09:00", "09:00"),
				win(t, "2026-03-24", "11:00", "10:00"),
			}}},
			want: nil,
		},
		{
			name: "back-to-back windows join",
			libs: []LibrarianSchedule{{Librarian: lib(1), Windows: []Window{
				win(t, "2026-03-24", "09:30", "10:00"),
				win(t, "2026-03-24", "09:00", "09:30"),
			}}},
			want: []string{"03-24 09:00 [1]", "03-24 09:15 [1]"},
		},
		{
			// A weekly Tuesday window: one instance removed by EXDATE, one
			// moved to Wednesday afternoon by an override.
			name: "recurring window with gaps",
			libs: []LibrarianSchedule{{Librarian: lib(1), Windows: []Window{
				win(t, "2026-03-24", "09:00", "10:00"),
				win(t, "2026-04-08", "13:00", "14:00"), // moved from 04-07
				win(t, "2026-04-14", "09:00", "10:00"),
			}}},
			want: []string{
				"03-24 09:00 [1]", "03-24 09:15 [1]",
				"04-08 13:00 [1]", "04-08 13:15 [1]",
				"04-14 09:00 [1]", "04-14 09:15 [1]",
			},
		},
		{
			name: "overlapping moved instance gives no double slot",
			libs: []LibrarianSchedule{{Librarian: lib(1), Windows: []Window{
				win(t, "2026-03-24", "09:00", "10:00"),
				win(t, "2026-03-24", "09:15", "10:00"),
			}}},
			want: []string{"03-24 09:00 [1]", "03-24 09:15 [1]"},
		},
		{
			name: "overlapping windows in two places list the librarian once",
			libs: func() []LibrarianSchedule {
				a, b := win(t, "2026-03-24", "09:00", "09:45"), win(t, "2026-03-24", "09:00", "09:45")
				b.Location = "Gaustad"
				return []LibrarianSchedule{{Librarian: lib(1), Windows: []Window{b, a}}}
			}(),
			want: []string{"03-24 09:00 [1]"},
		},
		{
			name: "tagged window offers its topics, case-insensitively",
			libs: []LibrarianSchedule{{Librarian: lib(1), Windows: []Window{
				win(t, "2026-03-24", "09:00", "09:45", "#Zotero", "endnote"),
				win(t, "2026-03-25", "09:00", "09:45", "history"),
				win(t, "2026-03-26", "09:00", "09:45"),
			}}},
			want: []string{"03-24 09:00 [1]", "03-26 09:00 [1]"},
		},
		{
			name: "tagged window for another topic",
			q:    SlotQuery{Topic: history},
			libs: []LibrarianSchedule{{Librarian: lib(1), Windows: []Window{
				win(t, "2026-03-24", "09:00", "09:45", "zotero"),
			}}},
			want: nil,
		},
		{
			// Busy time from the personal calendar and from one the
			// librarian made, overlapping each other, given unsorted.
			name:  "busy from several calendars",
			rules: noBuffer,
			libs: []LibrarianSchedule{{Librarian: lib(1),
				Windows: []Window{win(t, "2026-03-24", "09:00", "13:00")},
				Busy: []Interval{
					iv(t, "2026-03-24", "12:30", "14:00"),
					iv(t, "2026-03-24", "10:15", "11:00"),
					iv(t, "2026-03-24", "10:00", "10:30"),
				},
			}},
			want: []string{"03-24 09:00 [1]", "03-24 09:15 [1]", "03-24 11:00 [1]", "03-24 11:15 [1]", "03-24 11:30 [1]", "03-24 11:45 [1]"},
		},
		{
			name: "buffer on both sides of busy time",
			libs: []LibrarianSchedule{{Librarian: lib(1),
				Windows: []Window{win(t, "2026-03-24", "09:00", "13:00")},
				Busy:    []Interval{iv(t, "2026-03-24", "10:00", "11:00")},
			}},
			// Busy widens to 09:45-11:15.
			want: []string{"03-24 09:00 [1]", "03-24 11:15 [1]", "03-24 11:30 [1]", "03-24 11:45 [1]", "03-24 12:00 [1]", "03-24 12:15 [1]"},
		},
		{
			name: "bookings are busy with buffer",
			libs: []LibrarianSchedule{{Librarian: lib(1),
				Windows:  []Window{win(t, "2026-03-24", "09:00", "12:00")},
				Bookings: []Interval{iv(t, "2026-03-24", "10:00", "10:45")},
			}},
			want: []string{"03-24 09:00 [1]", "03-24 11:00 [1]", "03-24 11:15 [1]"},
		},
		{
			name: "busy outside the window changes nothing",
			libs: []LibrarianSchedule{{Librarian: lib(1),
				Windows: []Window{win(t, "2026-03-24", "09:00", "10:00")},
				Busy:    []Interval{iv(t, "2026-03-24", "07:00", "08:45"), iv(t, "2026-03-24", "10:15", "11:00")},
			}},
			want: []string{"03-24 09:00 [1]", "03-24 09:15 [1]"},
		},
		{
			name: "minimum notice",
			q:    SlotQuery{Now: at(t, "2026-03-23 09:10")},
			libs: []LibrarianSchedule{{Librarian: lib(1), Windows: []Window{win(t, "2026-03-24", "09:00", "10:30")}}},
			want: []string{"03-24 09:15 [1]", "03-24 09:30 [1]", "03-24 09:45 [1]"},
		},
		{
			name: "window before the notice",
			libs: []LibrarianSchedule{{Librarian: lib(1), Windows: []Window{win(t, "2026-03-23", "12:00", "16:00")}}},
			want: nil,
		},
		{
			// The horizon is real time: 28×24h after 08:00 CET on 03-23 is
			// 09:00 CEST on 04-20, as summer time began in between. A slot
			// must end by then.
			name: "horizon",
			libs: []LibrarianSchedule{{Librarian: lib(1), Windows: []Window{
				win(t, "2026-04-20", "07:00", "10:00"),
				win(t, "2026-04-21", "09:00", "10:00"),
			}}},
			want: []string{"04-20 07:00 [1]", "04-20 07:15 [1]", "04-20 07:30 [1]", "04-20 07:45 [1]", "04-20 08:00 [1]", "04-20 08:15 [1]"},
		},
		{
			name: "per-day limit closes the day",
			rules: func() Rules {
				r := DefaultRules()
				r.MaxPerLibrarianPerDay = 2
				return r
			}(),
			libs: []LibrarianSchedule{
				{Librarian: lib(1),
					Windows:  []Window{win(t, "2026-03-24", "09:00", "10:00"), win(t, "2026-03-25", "09:00", "10:00")},
					Bookings: []Interval{iv(t, "2026-03-24", "14:00", "14:45"), iv(t, "2026-03-24", "15:00", "15:45")},
				},
				{Librarian: lib(2),
					Windows:  []Window{win(t, "2026-03-24", "09:00", "10:00")},
					Bookings: []Interval{iv(t, "2026-03-24", "14:00", "14:45")},
				},
			},
			want: []string{"03-24 09:00 [2]", "03-24 09:15 [2]", "03-25 09:00 [1]", "03-25 09:15 [1]"},
		},
		{
			name: "free librarians share a slot",
			libs: []LibrarianSchedule{
				{Librarian: lib(2), Windows: []Window{win(t, "2026-03-24", "09:00", "10:00")}},
				{Librarian: lib(1), Windows: []Window{win(t, "2026-03-24", "09:15", "10:15")}},
			},
			want: []string{"03-24 09:00 [2]", "03-24 09:15 [1 2]", "03-24 09:30 [1]"},
		},
		{
			name: "no competence in the topic",
			libs: []LibrarianSchedule{{Librarian: Librarian{ID: 1, InPerson: true, Online: true},
				Windows: []Window{win(t, "2026-03-24", "09:00", "10:00")}}},
			want: nil,
		},
		{
			name: "language from competence, else from librarian",
			q:    SlotQuery{Language: "EN"},
			libs: func() []LibrarianSchedule {
				nbOnly, enOnly, fallback := lib(1), lib(2), lib(3)
				nbOnly.Competences[0].Languages = []string{"nb"}
				enOnly.Competences[0].Languages = []string{"en"}
				fallback.Languages = []string{"en"}
				w := []Window{win(t, "2026-03-24", "09:00", "09:45")}
				return []LibrarianSchedule{{Librarian: nbOnly, Windows: w}, {Librarian: enOnly, Windows: w}, {Librarian: fallback, Windows: w}}
			}(),
			want: []string{"03-24 09:00 [2 3]"},
		},
		{
			name: "any language",
			libs: func() []LibrarianSchedule {
				l := lib(1)
				l.Competences[0].Languages = []string{"nb"}
				return []LibrarianSchedule{{Librarian: l, Windows: []Window{win(t, "2026-03-24", "09:00", "09:45")}}}
			}(),
			want: []string{"03-24 09:00 [1]"},
		},
		{
			name: "any mode lists in-person before online",
			libs: modeLibs(t),
			want: []string{"03-24 09:00 [1]", "03-24 09:00 online [2]"},
		},
		{
			name: "online only",
			q:    SlotQuery{Mode: ModeOnline},
			libs: modeLibs(t),
			want: []string{"03-24 09:00 online [2]"},
		},
		{
			name: "in person only",
			q:    SlotQuery{Mode: ModeInPerson},
			libs: modeLibs(t),
			want: []string{"03-24 09:00 [1]"},
		},
		{
			name: "campus narrows in-person windows, not online ones",
			q:    SlotQuery{Campus: "gaustad"},
			libs: modeLibs(t),
			want: []string{"03-24 09:00 online [2]"},
		},
		{
			name: "campus matches",
			q:    SlotQuery{Campus: "BLINDERN", Mode: ModeInPerson},
			libs: modeLibs(t),
			want: []string{"03-24 09:00 [1]"},
		},
		{
			name: "from and to bound slot starts",
			q:    SlotQuery{From: at(t, "2026-03-24 09:15"), To: at(t, "2026-03-24 09:45")},
			libs: []LibrarianSchedule{{Librarian: lib(1), Windows: []Window{win(t, "2026-03-24", "09:00", "12:00")}}},
			want: []string{"03-24 09:15 [1]", "03-24 09:30 [1]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.rules
			if r == (Rules{}) {
				r = DefaultRules()
			}
			q := tt.q
			if q.Topic.ID == 0 {
				q.Topic = zotero
			}
			if q.Now.IsZero() {
				q.Now = now
			}
			slots, err := FindSlots(q, r, loc, tt.libs)
			if err != nil {
				t.Fatalf("FindSlots: %v", err)
			}
			if got := show(loc, slots); !slices.Equal(got, tt.want) {
				t.Errorf("FindSlots:\n got %q\nwant %q", got, tt.want)
			}
			for _, s := range slots {
				if got := s.End.Sub(s.Start); got != r.MeetingLength {
					t.Errorf("slot %v lasts %v, want %v", s.Start, got, r.MeetingLength)
				}
				if s.Start.Location() != time.UTC {
					t.Errorf("slot start %v is in %v, want UTC", s.Start, s.Start.Location())
				}
			}
		})
	}
}

// modeLibs: librarian 1 in person at Blindern, librarian 2 online, and
// librarian 3 with an online window but who does not guide online.
func modeLibs(t testing.TB) []LibrarianSchedule {
	inPerson, online, notOnline := lib(1), lib(2), lib(3)
	notOnline.Online = false
	w := win(t, "2026-03-24", "09:00", "09:45")
	ow := w
	ow.Online, ow.Location = true, "https://meet.example/abc"
	return []LibrarianSchedule{
		{Librarian: inPerson, Windows: []Window{w}},
		{Librarian: online, Windows: []Window{ow}},
		{Librarian: notOnline, Windows: []Window{ow}},
	}
}

func TestFindSlotsOffersCarryLocation(t *testing.T) {
	loc := oslo(t)
	libs := modeLibs(t)
	slots, err := FindSlots(SlotQuery{Topic: zotero, Now: at(t, "2026-03-23 08:00")}, DefaultRules(), loc, libs)
	if err != nil {
		t.Fatal(err)
	}
	var got []Offer
	for _, s := range slots {
		got = append(got, s.Offers...)
	}
	want := []Offer{{LibrarianID: 1, Location: "Blindern"}, {LibrarianID: 2, Location: "https://meet.example/abc"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("offers: got %v, want %v", got, want)
	}
}

func TestFindSlotsInvalid(t *testing.T) {
	loc := oslo(t)
	now := at(t, "2026-03-23 08:00")
	badRules := DefaultRules()
	badRules.SlotGrid = 7 * time.Minute
	tests := []struct {
		name  string
		q     SlotQuery
		rules Rules
		loc   *time.Location
	}{
		{"bad rules", SlotQuery{Topic: zotero, Now: now}, badRules, loc},
		{"no topic", SlotQuery{Now: now}, DefaultRules(), loc},
		{"no clock", SlotQuery{Topic: zotero}, DefaultRules(), loc},
		{"bad mode", SlotQuery{Topic: zotero, Now: now, Mode: "carrier pigeon"}, DefaultRules(), loc},
		{"to before from", SlotQuery{Topic: zotero, Now: now, From: now.Add(time.Hour), To: now}, DefaultRules(), loc},
		{"no zone", SlotQuery{Topic: zotero, Now: now}, DefaultRules(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FindSlots(tt.q, tt.rules, tt.loc, nil)
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("FindSlots: got error %v, want ErrInvalid", err)
			}
		})
	}
}

// localTimes returns the local wall-clock times of the slots, with zone.
func localTimes(loc *time.Location, slots []Slot) []string {
	var out []string
	for _, s := range slots {
		out = append(out, s.Start.In(loc).Format("15:04 MST"))
	}
	return out
}

// TestFindSlotsDSTDays: a day-time window on the two 2026 DST days in
// Europe/Oslo gives the same local slot times as the day before.
func TestFindSlotsDSTDays(t *testing.T) {
	loc := oslo(t)
	stripZone := func(ss []string) []string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = s[:5]
		}
		return out
	}
	for _, days := range [][2]string{{"2026-03-28", "2026-03-29"}, {"2026-10-24", "2026-10-25"}} {
		t.Run(days[1], func(t *testing.T) {
			var got [2][]string
			for i, d := range days {
				q := SlotQuery{Topic: zotero, Now: at(t, d+" 08:00").Add(-48 * time.Hour)}
				libs := []LibrarianSchedule{{Librarian: lib(1), Windows: []Window{win(t, d, "08:00", "16:00")}}}
				slots, err := FindSlots(q, DefaultRules(), loc, libs)
				if err != nil {
					t.Fatal(err)
				}
				for j, s := range slots {
					if got := s.End.Sub(s.Start); got != 45*time.Minute {
						t.Errorf("%s slot %d lasts %v, want 45m", d, j, got)
					}
					if j > 0 && !s.Start.After(slots[j-1].Start) {
						t.Errorf("%s slot %d at %v is not after the one before", d, j, s.Start)
					}
				}
				got[i] = stripZone(localTimes(loc, slots))
			}
			// 08:00 to 15:15 every 15 minutes.
			if len(got[1]) != 30 || got[1][0] != "08:00" || got[1][29] != "15:15" {
				t.Errorf("%s: got %d slots %q, want 30 from 08:00 to 15:15", days[1], len(got[1]), got[1])
			}
			if !slices.Equal(got[1], got[0]) {
				t.Errorf("%s slots differ from %s:\n got %q\nwant %q", days[1], days[0], got[1], got[0])
			}
		})
	}
}

// TestFindSlotsAcrossDSTTransition: windows spanning the skipped hour (29
// March) and the repeated hour (25 October). The window is given in real
// time, as an adapter expands it; wall times that do not exist give no slot,
// and a repeated wall time is two real instants, each offered once.
func TestFindSlotsAcrossDSTTransition(t *testing.T) {
	loc := oslo(t)
	grid45 := DefaultRules()
	grid45.SlotGrid = 45 * time.Minute
	tests := []struct {
		name       string
		rules      Rules
		start, end time.Time
		want       []string
	}{
		{
			name:  "spring forward",
			rules: DefaultRules(),
			start: at(t, "2026-03-29 00:00"), end: at(t, "2026-03-29 05:00"),
			want: []string{
				"00:00 CET", "00:15 CET", "00:30 CET", "00:45 CET", "01:00 CET", "01:15 CET", "01:30 CET", "01:45 CET",
				"03:00 CEST", "03:15 CEST", "03:30 CEST", "03:45 CEST", "04:00 CEST", "04:15 CEST",
			},
		},
		{
			// 02:15 does not exist; 03:00 is the next point of the 45-minute
			// wall-clock grid and must not be skipped.
			name:  "spring forward, grid not dividing the hour",
			rules: grid45,
			start: at(t, "2026-03-29 00:00"), end: at(t, "2026-03-29 06:00"),
			want: []string{"00:00 CET", "00:45 CET", "01:30 CET", "03:00 CEST", "03:45 CEST", "04:30 CEST", "05:15 CEST"},
		},
		{
			name:  "fall back",
			rules: DefaultRules(),
			// 00:00 CEST (22:00 UTC) to 05:00 CET (04:00 UTC): six real hours.
			start: time.Date(2026, 10, 24, 22, 0, 0, 0, time.UTC), end: time.Date(2026, 10, 25, 4, 0, 0, 0, time.UTC),
			want: []string{
				"00:00 CEST", "00:15 CEST", "00:30 CEST", "00:45 CEST", "01:00 CEST", "01:15 CEST", "01:30 CEST", "01:45 CEST",
				"02:00 CEST", "02:15 CEST", "02:30 CEST", "02:45 CEST",
				"02:00 CET", "02:15 CET", "02:30 CET", "02:45 CET",
				"03:00 CET", "03:15 CET", "03:30 CET", "03:45 CET", "04:00 CET", "04:15 CET",
			},
		},
		{
			name:  "fall back, grid not dividing the hour",
			rules: grid45,
			start: time.Date(2026, 10, 24, 22, 0, 0, 0, time.UTC), end: time.Date(2026, 10, 25, 4, 0, 0, 0, time.UTC),
			want: []string{"00:00 CEST", "00:45 CEST", "01:30 CEST", "02:15 CEST", "02:15 CET", "03:00 CET", "03:45 CET"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := SlotQuery{Topic: zotero, Now: tt.start.Add(-72 * time.Hour)}
			libs := []LibrarianSchedule{{Librarian: lib(1), Windows: []Window{{Start: tt.start, End: tt.end}}}}
			slots, err := FindSlots(q, tt.rules, loc, libs)
			if err != nil {
				t.Fatal(err)
			}
			if got := localTimes(loc, slots); !slices.Equal(got, tt.want) {
				t.Errorf("slots:\n got %q\nwant %q", got, tt.want)
			}
			for i, s := range slots {
				if got := s.End.Sub(s.Start); got != tt.rules.MeetingLength {
					t.Errorf("slot %d lasts %v, want %v", i, got, tt.rules.MeetingLength)
				}
				if i > 0 && !s.Start.After(slots[i-1].Start) {
					t.Errorf("slot %d at %v is not after the one before", i, s.Start)
				}
			}
		})
	}
}

func TestFindSlotsPerDayLimitUsesLocalDay(t *testing.T) {
	// A booking at 00:30 local on 03-25 is 23:30 UTC on 03-24: it belongs to
	// the local 25th and must not close the 24th.
	loc := oslo(t)
	r := DefaultRules()
	r.MaxPerLibrarianPerDay = 1
	libs := []LibrarianSchedule{{Librarian: lib(1),
		Windows:  []Window{win(t, "2026-03-24", "09:00", "09:45"), win(t, "2026-03-25", "09:00", "09:45")},
		Bookings: []Interval{iv(t, "2026-03-25", "00:30", "01:15")},
	}}
	slots, err := FindSlots(SlotQuery{Topic: zotero, Now: at(t, "2026-03-23 08:00")}, r, loc, libs)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"03-24 09:00 [1]"}
	if got := show(loc, slots); !slices.Equal(got, want) {
		t.Errorf("slots: got %q, want %q", got, want)
	}
}

func TestSlotFree(t *testing.T) {
	loc := oslo(t)
	q := SlotQuery{Topic: zotero, Now: at(t, "2026-03-23 08:00")}
	base := LibrarianSchedule{Librarian: lib(1), Windows: []Window{win(t, "2026-03-24", "09:00", "12:00")}}
	taken := base
	taken.Bookings = []Interval{iv(t, "2026-03-24", "10:00", "10:45")}
	tests := []struct {
		name  string
		lib   LibrarianSchedule
		start string
		want  bool
	}{
		{"free", base, "2026-03-24 10:00", true},
		{"booked meanwhile", taken, "2026-03-24 10:00", false},
		{"inside buffer of a new booking", taken, "2026-03-24 09:30", false},
		{"clear of the new booking", taken, "2026-03-24 11:00", true},
		{"off the grid", base, "2026-03-24 10:05", false},
		{"outside the window", base, "2026-03-24 11:30", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SlotFree(q, DefaultRules(), loc, tt.lib, at(t, tt.start)); got != tt.want {
				t.Errorf("SlotFree(%s) = %v, want %v", tt.start, got, tt.want)
			}
		})
	}
}

func TestNewDemandRecord(t *testing.T) {
	loc := oslo(t)
	// 23:30 UTC on 03-23 is already the 24th in Oslo.
	q := SlotQuery{Topic: zotero, Language: "EN", Mode: ModeOnline, Campus: "Blindern", Now: time.Date(2026, 3, 23, 23, 30, 0, 0, time.UTC)}
	got := NewDemandRecord(q, loc)
	want := DemandRecord{TopicSlug: "zotero", Date: "2026-03-24", Language: "en", Mode: ModeOnline, Campus: "Blindern"}
	if got != want {
		t.Errorf("NewDemandRecord: got %+v, want %+v", got, want)
	}
}

func TestWindowOffers(t *testing.T) {
	tests := []struct {
		tags []string
		slug string
		want bool
	}{
		{nil, "zotero", true},
		{[]string{"zotero"}, "zotero", true},
		{[]string{" #ZOTERO "}, "zotero", true},
		{[]string{"endnote"}, "zotero", false},
		{[]string{"zot"}, "zotero", false},
	}
	for _, tt := range tests {
		w := Window{Topics: tt.tags}
		if got := w.offers(tt.slug); got != tt.want {
			t.Errorf("Window{Topics: %q}.offers(%q) = %v, want %v", tt.tags, tt.slug, got, tt.want)
		}
	}
}

// TestSortRaw: the bucketed sort of many raw slots gives the order of one
// plain sort by start, mode, librarian and place, ties and all.
func TestSortRaw(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 10, smallSort, smallSort + 1, 5000} {
		raw := make([]rawSlot, n)
		for i := range raw {
			raw[i] = rawSlot{
				start:    int64(rng.IntN(40)) * int64(15*time.Minute),
				lib:      int64(rng.IntN(30)),
				online:   rng.IntN(3) == 0,
				location: []string{"", "A", "B"}[rng.IntN(3)],
			}
		}
		want := slices.Clone(raw)
		slices.SortFunc(want, func(a, b rawSlot) int {
			if c := cmp.Compare(a.start, b.start); c != 0 {
				return c
			}
			if a.online != b.online {
				if a.online {
					return 1
				}
				return -1
			}
			return cmp.Or(cmp.Compare(a.lib, b.lib), strings.Compare(a.location, b.location))
		})
		s := search{raw: raw}
		s.sortRaw()
		if !slices.Equal(s.raw, want) {
			t.Errorf("%d raw slots: sortRaw's order differs from one plain sort", n)
		}
	}
}
