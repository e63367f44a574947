package feeds_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/feeds"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// benchSession is one of the benchmark's sessions: a single one, or every
// fifth a weekly series with an exception, with one or two themes.
func benchSession(i int, title string) []byte {
	start := time.Date(2026, 9, 1, 9, 0, 0, 0, oslo).AddDate(0, 0, i%120).Add(time.Duration(i%8) * time.Hour)
	themes := []string{"zotero", "systematisk", "dmp", "open-access"}
	s := fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Bench//EN\r\nBEGIN:VEVENT\r\nUID:bench-%d@ub.example.org\r\nDTSTAMP:20260901T000000Z\r\n"+
		"SUMMARY:%s %d #%s\r\nDESCRIPTION:Drop-in nummer %d\\, for alle. #%s\r\nLOCATION:Georg Sverdrups hus\\, rom %d\r\n"+
		"DTSTART;TZID=Europe/Oslo:%s\r\nDTEND;TZID=Europe/Oslo:%s\r\n",
		i, title, i, themes[i%4], i, themes[(i+1)%4], i%20,
		start.Format("20060102T150405"), start.Add(90*time.Minute).Format("20060102T150405"))
	if i%5 == 0 {
		s += "RRULE:FREQ=WEEKLY;COUNT=12\r\nEXDATE;TZID=Europe/Oslo:" + start.AddDate(0, 0, 14).Format("20060102T150405") + "\r\n"
	}
	return []byte(s + "ATTENDEE:mailto:someone@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
}

// BenchmarkFeed serves the feed of all themes from 1,000 sessions in
// SQLite, through the HTTP handler with gzip: a fetch of an unchanged feed
// (the database's version read, then the cache), and the first fetch after
// a session changed (the changed object fetched and parsed, the feed
// rendered and gzipped). It reports the median and the 95th percentile.
func BenchmarkFeed(b *testing.B) {
	ctx := context.Background()
	st := storetest.Open(b, store.SQLite)
	for _, tp := range testTopics {
		tp.ServiceSlug = "bibliotekar"
		if _, err := st.CreateTopic(ctx, tp); err != nil {
			b.Fatal(err)
		}
	}
	svc, err := feeds.New(feeds.Config{Store: st, Location: oslo, BaseURL: "https://veileder.example.org"})
	if err != nil {
		b.Fatal(err)
	}
	st.SetObjectHook(func(ctx context.Context, tx *store.Tx, c booking.Calendar, before, after *booking.CalendarObject) error {
		return svc.OnObject(ctx, tx, c, before, after)
	})
	cal, err := st.DropInCalendar(ctx)
	if err != nil {
		b.Fatal(err)
	}
	put := func(i int, title string) {
		obj, err := storetest.Object(cal, fmt.Sprintf("bench-%d.ics", i), benchSession(i, title), oslo)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := st.PutObject(ctx, obj, booking.WriteCondition{}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 1000 {
		put(i, "Drop-in")
	}
	fetch := func() int {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/feeds/dropin.ics", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		svc.ServeFeed(rec, req, "")
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		return rec.Body.Len()
	}
	size := fetch()
	b.Logf("feed of 1000 sessions: %d bytes gzipped", size)

	report := func(b *testing.B, d []time.Duration) {
		slices.Sort(d)
		ms := func(p float64) float64 { return float64(d[int(p*float64(len(d)-1))]) / float64(time.Millisecond) }
		b.ReportMetric(ms(0.5), "p50-ms")
		b.ReportMetric(ms(0.95), "p95-ms")
	}
	b.Run("cached", func(b *testing.B) {
		d := make([]time.Duration, 0, b.N)
		for range b.N {
			t0 := time.Now()
			fetch()
			d = append(d, time.Since(t0))
		}
		report(b, d)
	})
	b.Run("after-change", func(b *testing.B) {
		d := make([]time.Duration, 0, b.N)
		for i := range b.N {
			b.StopTimer()
			put(i%1000, fmt.Sprintf("Endret %d", i))
			b.StartTimer()
			t0 := time.Now()
			fetch()
			d = append(d, time.Since(t0))
		}
		report(b, d)
	})
}
