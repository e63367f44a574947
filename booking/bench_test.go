package booking

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// benchSchedules builds n librarians with a weekly Monday–Friday 09:00–15:00
// window already expanded over the 28-day horizon, busy random events of
// 30–120 minutes between 07:00 and 19:00 local, and four bookings each.
func benchSchedules(b *testing.B, loc *time.Location, now time.Time, n, busy int) []LibrarianSchedule {
	rng := rand.New(rand.NewPCG(1, 2)) // fixed seed: every run measures the same input
	y, m, d := now.In(loc).Date()
	libs := make([]LibrarianSchedule, n)
	for i := range libs {
		ls := &libs[i]
		ls.Librarian = lib(int64(i + 1))
		for day := range 29 {
			date := time.Date(y, m, d+day, 0, 0, 0, 0, loc)
			if wd := date.Weekday(); wd == time.Saturday || wd == time.Sunday {
				continue
			}
			ls.Windows = append(ls.Windows, Window{
				Start: time.Date(y, m, d+day, 9, 0, 0, 0, loc).UTC(),
				End:   time.Date(y, m, d+day, 15, 0, 0, 0, loc).UTC(),
			})
		}
		for range busy {
			day, minute := rng.IntN(28), 7*60+rng.IntN(12*60)
			start := time.Date(y, m, d+day, 0, minute, 0, 0, loc).UTC()
			ls.Busy = append(ls.Busy, Interval{Start: start, End: start.Add(time.Duration(30+rng.IntN(91)) * time.Minute)})
		}
		for range 4 {
			start := time.Date(y, m, d+1+rng.IntN(27), 9+rng.IntN(6), 0, 0, 0, loc).UTC()
			ls.Bookings = append(ls.Bookings, Interval{Start: start, End: start.Add(45 * time.Minute)})
		}
	}
	return libs
}

func BenchmarkFindSlots(b *testing.B) {
	loc := oslo(b)
	now := at(b, "2026-03-16 08:00") // the horizon spans the March DST change
	q := SlotQuery{Topic: zotero, Now: now}
	for _, busy := range []int{36, 500, 5000} {
		b.Run(fmt.Sprintf("librarians=50/busy=%d", busy), func(b *testing.B) {
			libs := benchSchedules(b, loc, now, 50, busy)
			b.ReportAllocs()
			var slots []Slot
			for b.Loop() {
				var err error
				slots, err = FindSlots(q, DefaultRules(), loc, libs)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(slots)), "slots")
		})
	}
}
