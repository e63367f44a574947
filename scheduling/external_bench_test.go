package scheduling_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/external"
	"github.com/veileder/veileder/scheduling"
	"github.com/veileder/veileder/store/storetest"
)

// BenchmarkSlotsExternal is BenchmarkSlots' search (50 librarians, each
// with a weekly window and 500 busy events in their own calendars), first
// as it is ("without"), then after 25 of the librarians linked an external
// calendar of 2,000 events each ("with"), fetched over HTTP and read by
// package external as the refresh job does. The external events lie in
// the coming 180 days (about 310 of each in the 28-day search range), 10 %
// of them free. The bar: "with" within 20 % of "without".
func BenchmarkSlotsExternal(b *testing.B) {
	const (
		librarians     = 50
		busyEach       = 500
		linked         = 25
		externalEvents = 2000
	)
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			s := storetest.Open(b, d)
			f := newFixture(b, s, booking.Rules{})
			rng := rand.New(rand.NewPCG(1, 2))
			type put struct {
				cal  booking.Calendar
				name string
				data []byte
			}
			var puts []put
			var users []booking.User
			for i := range librarians {
				u := f.librarian(fmt.Sprintf("lib%02d", i), fmt.Sprintf("Librarian %d", i), "zotero")
				users = append(users, u)
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

			svc := scheduling.New(scheduling.Config{Store: txStore{Store: s}, Location: f.loc, Now: f.clock.now})
			ctx := context.Background()
			search := func(b *testing.B) {
				var slots []booking.Slot
				var took []time.Duration
				b.ReportAllocs()
				for b.Loop() {
					t0 := time.Now()
					var err error
					if slots, err = svc.Slots(ctx, booking.SlotSearch{TopicSlug: "zotero"}); err != nil {
						b.Fatal(err)
					}
					took = append(took, time.Since(t0))
				}
				slices.Sort(took)
				b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
				b.ReportMetric(float64(len(slots)), "slots")
				if len(slots) == 0 {
					b.Fatal("no slots")
				}
			}
			// One search first, so that both runs start with the decoded
			// objects cached (as a running service has them).
			if _, err := svc.Slots(ctx, booking.SlotSearch{TopicSlug: "zotero"}); err != nil {
				b.Fatal(err)
			}
			b.Run("without", search)

			feeds := map[string][]byte{}
			for i := range linked {
				feeds[fmt.Sprintf("/feed%d.ics", i)] = outlookFeed(rng, f.loc, i, externalEvents)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Write(feeds[r.URL.Path])
			}))
			defer srv.Close()
			ext, err := external.New(external.Config{Store: s, Location: f.loc, Now: f.clock.now, AllowPrivate: true, Holder: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			stored := 0
			for i := range linked {
				c, err := ext.Add(ctx, users[i*2].ID, fmt.Sprintf("%s/feed%d.ics", srv.URL, i), "Outlook")
				if err != nil {
					b.Fatal(err)
				}
				stored += c.Events
			}
			if stored < linked*externalEvents*8/10 {
				b.Fatalf("stored %d external events, want most of %d", stored, linked*externalEvents)
			}
			b.Run("with", func(b *testing.B) {
				search(b)
				b.ReportMetric(float64(stored)/linked, "stored-events/calendar")
			})
		})
	}
}

// outlookFeed is an Exchange-style feed of n single events in the coming
// 180 days, in the Windows zone with its VTIMEZONE, one in ten free.
func outlookFeed(rng *rand.Rand, loc *time.Location, k, n int) []byte {
	var sb strings.Builder
	sb.WriteString("BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\n" +
		"BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\n" +
		"TZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\n" +
		"DTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r\n" +
		"END:DAYLIGHT\r\nEND:VTIMEZONE\r\n")
	for j := range n {
		day, minute := rng.IntN(180), 7*60+rng.IntN(12*60)
		st := time.Date(2026, 3, 20+day, 0, minute, 0, 0, loc)
		en := st.Add(time.Duration(30+rng.IntN(91)) * time.Minute)
		status, transp := "BUSY", "OPAQUE"
		if j%10 == 0 {
			status, transp = "FREE", "TRANSPARENT"
		}
		fmt.Fprintf(&sb, "BEGIN:VEVENT\r\nUID:ext-%d-%d\r\nSUMMARY;LANGUAGE=nb-NO:Møte %d\r\n"+
			"DTSTART;TZID=W. Europe Standard Time:%s\r\nDTEND;TZID=W. Europe Standard Time:%s\r\n"+
			"DTSTAMP:20260301T000000Z\r\nTRANSP:%s\r\nSTATUS:CONFIRMED\r\nX-MICROSOFT-CDO-BUSYSTATUS:%s\r\nEND:VEVENT\r\n",
			k, j, j, st.Format("20060102T150405"), en.Format("20060102T150405"), transp, status)
	}
	sb.WriteString("END:VCALENDAR\r\n")
	return []byte(sb.String())
}
