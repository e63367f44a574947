package booking

import (
	"errors"
	"testing"
	"time"
)

func TestAssign(t *testing.T) {
	loc := oslo(t)
	q := SlotQuery{Topic: zotero, Now: at(t, "2026-03-23 08:00")}
	start := at(t, "2026-03-24 09:00") // Tuesday of ISO week 13

	// guide is a librarian with a window around start and the given level.
	guide := func(id int64, level Level, bookings ...Interval) LibrarianSchedule {
		l := lib(id)
		l.Competences[0].Level = level
		return LibrarianSchedule{Librarian: l, Windows: []Window{win(t, "2026-03-24", "09:00", "10:00")}, Bookings: bookings}
	}
	thisWeek := iv(t, "2026-03-26", "14:00", "14:45")
	lastWeek := iv(t, "2026-03-20", "14:00", "14:45")
	// 00:30 on Monday 03-23 in Oslo is Sunday 22 March in UTC, ISO week 12
	// there but week 13 locally; the local week is the one that counts.
	mondayNight := iv(t, "2026-03-23", "00:30", "01:15")

	tests := []struct {
		name string
		libs []LibrarianSchedule
		want int64
	}{
		{"ties go to the lowest ID", []LibrarianSchedule{guide(3, LevelPrimary), guide(1, LevelPrimary), guide(2, LevelPrimary)}, 1},
		{"fewest bookings this week", []LibrarianSchedule{guide(1, LevelPrimary, thisWeek), guide(2, LevelPrimary)}, 2},
		{"primary over secondary", []LibrarianSchedule{guide(1, LevelSecondary), guide(2, LevelPrimary)}, 2},
		{"weekly load before level", []LibrarianSchedule{guide(1, LevelPrimary, thisWeek), guide(2, LevelSecondary)}, 2},
		{"other weeks do not count", []LibrarianSchedule{guide(1, LevelPrimary, lastWeek, lastWeek, lastWeek), guide(2, LevelPrimary, thisWeek)}, 1},
		{"week is the local ISO week", []LibrarianSchedule{guide(1, LevelPrimary, mondayNight), guide(2, LevelPrimary)}, 2},
		{
			"busy librarian is passed over",
			[]LibrarianSchedule{
				func() LibrarianSchedule {
					g := guide(1, LevelPrimary)
					g.Busy = []Interval{iv(t, "2026-03-24", "09:30", "10:00")}
					return g
				}(),
				guide(2, LevelSecondary, thisWeek),
			},
			2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Assign(q, DefaultRules(), loc, start, tt.libs)
			if err != nil {
				t.Fatalf("Assign: %v", err)
			}
			if got.LibrarianID != tt.want {
				t.Errorf("Assign: got librarian %d, want %d", got.LibrarianID, tt.want)
			}
			if !got.Start.Equal(start) || got.End.Sub(got.Start) != 45*time.Minute || got.Online || got.Location != "Blindern" {
				t.Errorf("Assign: got %+v, want an in-person 45m meeting at Blindern from %v", got, start)
			}
		})
	}
}

func TestAssignNoneFree(t *testing.T) {
	loc := oslo(t)
	q := SlotQuery{Topic: zotero, Now: at(t, "2026-03-23 08:00")}
	start := at(t, "2026-03-24 09:00")
	tests := []struct {
		name string
		libs []LibrarianSchedule
	}{
		{"no librarians", nil},
		{"taken meanwhile", []LibrarianSchedule{{Librarian: lib(1),
			Windows:  []Window{win(t, "2026-03-24", "09:00", "10:00")},
			Bookings: []Interval{iv(t, "2026-03-24", "09:00", "09:45")},
		}}},
		{"window removed", []LibrarianSchedule{{Librarian: lib(1)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Assign(q, DefaultRules(), loc, start, tt.libs)
			if !errors.Is(err, ErrSlotTaken) {
				t.Errorf("Assign: got %+v, %v, want ErrSlotTaken", got, err)
			}
		})
	}
}

func TestAssignOnline(t *testing.T) {
	loc := oslo(t)
	q := SlotQuery{Topic: zotero, Mode: ModeOnline, Now: at(t, "2026-03-23 08:00")}
	got, err := Assign(q, DefaultRules(), loc, at(t, "2026-03-24 09:00"), modeLibs(t))
	if err != nil {
		t.Fatal(err)
	}
	want := Assignment{LibrarianID: 2, Start: at(t, "2026-03-24 09:00"), End: at(t, "2026-03-24 09:45"), Online: true, Location: "https://meet.example/abc"}
	if got != want {
		t.Errorf("Assign: got %+v, want %+v", got, want)
	}
}
