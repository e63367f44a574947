package scheduling_test

import (
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store/storetest"
)

// BenchmarkBookingThroughput books with 50 concurrent clients, each at its
// own free time, through the whole booking path (fresh schedules, the
// per-librarian lock, the booking row, the calendar event, the outbox):
//
//	go test -run '^$' -bench BookingThroughput -benchtime 400x ./scheduling/
//
// It reports bookings per second and the median and 95th percentile time
// of one booking. b.N bookings are made per run, in 50 parallel streams.
func BenchmarkBookingThroughput(b *testing.B) {
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			s := storetest.Open(b, d)
			rules := booking.DefaultRules()
			rules.MaxPerLibrarianPerDay = 100
			rules.MaxActivePerStudent = 1000
			f := newFixture(b, s, rules)
			// 20 librarians, free 08:00–18:00 every weekday; 150 start
			// times in the first three weeks, each bookable 20 times.
			for i := range 20 {
				u := f.librarian(fmt.Sprintf("lib%02d", i), fmt.Sprintf("Librarian %d", i), "zotero")
				f.put(f.calendar(u.ID, "availability"), "w.ics", event([]string{"UID:w-" + u.Username,
					"DTSTART;TZID=Europe/Oslo:20260302T080000", "DTEND;TZID=Europe/Oslo:20260302T180000",
					"RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"}))
			}
			var starts []time.Time
			for day := f.local("2026-03-23 00:00"); len(starts) < 150; day = day.AddDate(0, 0, 1) {
				if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
					continue
				}
				for m := 8 * 60; m+45 <= 18*60 && len(starts) < 150; m += 60 {
					starts = append(starts, time.Date(day.Year(), day.Month(), day.Day(), 0, m, 0, 0, f.loc))
				}
			}
			const clients = 50
			var mu sync.Mutex
			var took []time.Duration
			failed := 0
			next := make(chan int)
			b.ResetTimer()
			t0 := time.Now()
			var wg sync.WaitGroup
			for range clients {
				wg.Go(func() {
					for i := range next {
						t := time.Now()
						_, _, err := f.svc.Book(f.ctx, request(starts[i%len(starts)], fmt.Sprintf("s%d@student.example", i)))
						mu.Lock()
						took = append(took, time.Since(t))
						if err != nil {
							failed++
						}
						mu.Unlock()
					}
				})
			}
			for i := 0; i < b.N; i++ {
				next <- i
			}
			close(next)
			wg.Wait()
			elapsed := time.Since(t0)
			b.StopTimer()
			sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
			b.ReportMetric(float64(b.N-failed)/elapsed.Seconds(), "bookings/s")
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(failed), "failed")
		})
	}
}
