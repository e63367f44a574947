package scheduling_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/scheduling"
	"github.com/veileder/veileder/store/storetest"
)

// countingStore counts the objects the service reads, to show that a
// search reads what overlaps its range and not a calendar's history.
type countingStore struct {
	scheduling.Store
	objects atomic.Int64
}

func (c *countingStore) ObjectsOverlapping(ctx context.Context, calendarID int64, component string, start, end time.Time) ([]booking.CalendarObject, error) {
	objs, err := c.Store.ObjectsOverlapping(ctx, calendarID, component, start, end)
	c.objects.Add(int64(len(objs)))
	return objs, err
}

// BenchmarkSlots: one topic, 50 librarians each with a weekly recurring
// availability window (Monday to Friday, 09–15, started a year ago) and
// 500 busy events of 30–120 minutes spread over the past year and the
// coming 28 days (about 36 of them in the search range), searched over the
// default 28-day horizon.
func BenchmarkSlots(b *testing.B) {
	const (
		librarians = 50
		busyEach   = 500
	)
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			s := storetest.Open(b, d)
			f := newFixture(b, s, booking.Rules{})
			rng := rand.New(rand.NewPCG(1, 2)) // fixed seed: every run measures the same data
			type put struct {
				cal  booking.Calendar
				name string
				data []byte
			}
			var puts []put
			var libs []booking.User
			for i := range librarians {
				u := f.librarian(fmt.Sprintf("lib%02d", i), fmt.Sprintf("Librarian %d", i), "zotero")
				libs = append(libs, u)
				puts = append(puts, put{f.calendar(u.ID, "availability"), "w.ics", event([]string{"UID:w" + u.Username,
					"DTSTART;TZID=Europe/Oslo:20250317T090000", "DTEND;TZID=Europe/Oslo:20250317T150000",
					"RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "SUMMARY:Veiledning #zotero", "LOCATION:Georg Sverdrups hus"})})
				personal := f.calendar(u.ID, "personal")
				for j := range busyEach {
					day, minute := rng.IntN(365+28)-365, 7*60+rng.IntN(12*60)
					st := time.Date(2026, 3, 20+day, 0, minute, 0, 0, f.loc).UTC()
					en := st.Add(time.Duration(30+rng.IntN(91)) * time.Minute)
					puts = append(puts, put{personal, fmt.Sprintf("b%d.ics", j), event([]string{fmt.Sprintf("UID:b%d-%d", i, j),
						"DTSTART:" + st.Format("20060102T150405Z"), "DTEND:" + en.Format("20060102T150405Z"), "SUMMARY:Møte"})})
				}
			}
			var wg sync.WaitGroup
			var failed atomic.Pointer[error]
			work := make(chan put)
			for range 8 {
				wg.Go(func() {
					for p := range work {
						if _, err := f.tryPut(p.cal, p.name, p.data); err != nil {
							failed.CompareAndSwap(nil, &err)
						}
					}
				})
			}
			for _, p := range puts {
				work <- p
			}
			close(work)
			wg.Wait()
			if err := failed.Load(); err != nil {
				b.Fatal(*err)
			}

			cs := &countingStore{Store: txStore{Store: s}}
			svc := scheduling.New(scheduling.Config{Store: cs, Location: f.loc, Now: f.clock.now})
			ctx := context.Background()
			var slots []booking.Slot
			b.ReportAllocs()
			b.ResetTimer()
			n := 0
			var took []time.Duration
			for b.Loop() {
				var err error
				t0 := time.Now()
				slots, err = svc.Slots(ctx, booking.SlotSearch{TopicSlug: "zotero"})
				took = append(took, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(len(slots)), "slots")
			b.ReportMetric(float64(cs.objects.Load())/float64(n), "objects/op")
			if len(slots) == 0 {
				b.Fatal("no slots")
			}
			b.StopTimer()

			// The kept schedules must give what reading the calendars
			// gives, before and after a librarian's write.
			uncached := scheduling.New(scheduling.Config{Store: txStore{Store: s}, Location: f.loc, Now: f.clock.now})
			scheduling.ReadSchedulesUncached(uncached)
			same := func(when string) {
				want, err := uncached.Slots(ctx, booking.SlotSearch{TopicSlug: "zotero"})
				if err != nil {
					b.Fatal(err)
				}
				got, err := svc.Slots(ctx, booking.SlotSearch{TopicSlug: "zotero"})
				if err != nil {
					b.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					b.Fatalf("%s: the kept schedules give %d slots, the calendars %d:\n%v\n%v", when, len(got), len(want), got, want)
				}
			}
			same("unchanged")

			// A search right after one librarian's PUT: that librarian's
			// schedule is read again, the others' are kept.
			var afterPut []time.Duration
			for i := range 20 {
				lib := libs[i%len(libs)]
				st := f.local("2026-03-23 09:00").AddDate(0, 0, i%5)
				f.put(f.calendar(lib.ID, "personal"), fmt.Sprintf("new%d.ics", i), event([]string{fmt.Sprintf("UID:new%d", i),
					"DTSTART:" + st.UTC().Format("20060102T150405Z"), "DTEND:" + st.Add(time.Hour).UTC().Format("20060102T150405Z"), "SUMMARY:Nytt møte"}))
				t0 := time.Now()
				if _, err := svc.Slots(ctx, booking.SlotSearch{TopicSlug: "zotero"}); err != nil {
					b.Fatal(err)
				}
				afterPut = append(afterPut, time.Since(t0))
			}
			same("after 20 PUTs")
			slices.Sort(afterPut)
			b.ReportMetric(float64(afterPut[len(afterPut)/2].Microseconds())/1000, "after-put-p50-ms")
		})
	}
}
