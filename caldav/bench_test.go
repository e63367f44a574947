package caldav_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/caldav"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// BenchmarkLargeCalendar measures the three requests a calendar app makes
// most, against one calendar of 1,000 and of 10,000 events at the same
// density (a fifth of them weekly
// series) spread over two years, on both databases:
//
//	go test -run '^$' -bench LargeCalendar -benchtime 200x ./caldav/
//
// It reports the median and 95th percentile latency per request kind and
// the process's peak resident memory (client and server share the
// process, so that is an upper bound for the server).
func BenchmarkLargeCalendar(b *testing.B) {
	for _, d := range storetest.Dialects() {
		// Two sizes, so that a one-week query can be seen not to grow
		// with the calendar.
		for _, n := range []int{1000, 10000} {
			b.Run(fmt.Sprintf("%s/%d", d, n), func(b *testing.B) { benchmarkCalendar(b, d, n) })
		}
	}
}

func benchmarkCalendar(b *testing.B, d store.Dialect, n int) {
	{
		{
			s := storetest.Open(b, d)
			ctx := context.Background()
			u, err := s.CreateUser(ctx, booking.User{Username: "bench", Email: "bench@example.org", Role: booking.RoleLibrarian}, testPassword)
			if err != nil {
				b.Fatal(err)
			}
			c, err := s.CalendarBySlug(ctx, u.ID, "personal")
			if err != nil {
				b.Fatal(err)
			}
			// 10,000 events fill two years; smaller calendars fill a
			// shorter span at the same density, so that the queried week
			// holds the same events whatever the calendar's size, and any
			// growth of the query time is the cost of the calendar's size.
			base := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
			days := max(n*520/10000, 10)
			for i := range n {
				start := base.Add(time.Duration(i%days) * 24 * time.Hour / 5 * 7).Add(time.Duration(i%9) * time.Hour)
				extra := []string{}
				if i%5 == 0 {
					extra = append(extra, "RRULE:FREQ=WEEKLY;COUNT=10")
				}
				data := event(fmt.Sprintf("bench-%d", i), fmt.Sprintf("Event %d", i),
					start.Format("20060102T150405Z"), start.Add(time.Hour).Format("20060102T150405Z"), extra...)
				obj, err := storetest.Object(c, fmt.Sprintf("e%d.ics", i), []byte(data), oslo)
				if err != nil {
					b.Fatal(err)
				}
				if _, _, err := s.PutObject(ctx, obj, booking.WriteCondition{}); err != nil {
					b.Fatal(err)
				}
			}
			h := caldav.NewHandler(caldav.Config{Store: s, Prefix: "/dav", Location: oslo})
			ts := httptest.NewServer(h)
			defer ts.Close()
			cal := ts.URL + "/dav/calendars/bench/personal/"
			send := func(method, url, body string, headers ...string) string {
				req, _ := http.NewRequest(method, url, strings.NewReader(body))
				req.SetBasicAuth("bench", testPassword)
				for i := 0; i+1 < len(headers); i += 2 {
					req.Header.Set(headers[i], headers[i+1])
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				defer resp.Body.Close()
				out, _ := io.ReadAll(resp.Body)
				if resp.StatusCode >= 300 {
					b.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, out)
				}
				return string(out)
			}
			token := lastTokenB(b, send("REPORT", cal, syncBody(""), "Depth", "1"))

			week := queryBody("20260119T000000Z", "20260126T000000Z", "<C:calendar-data/>")
			var query, sync, propfind []time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				send("REPORT", cal, week, "Depth", "1")
				query = append(query, time.Since(t0))

				// One change, then the sync that picks it up.
				send("PUT", cal+"e1.ics", event("bench-1", fmt.Sprintf("Changed %d", i), "20260105T090000Z", "20260105T100000Z"), "Content-Type", icalType)
				t0 = time.Now()
				body := send("REPORT", cal, syncBody(token), "Depth", "1")
				sync = append(sync, time.Since(t0))
				token = lastTokenB(b, body)

				t0 = time.Now()
				send("PROPFIND", cal, `<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>`, "Depth", "1")
				propfind = append(propfind, time.Since(t0))
			}
			b.StopTimer()
			report(b, "query-week", query)
			report(b, "sync-after-change", sync)
			report(b, "propfind-depth1", propfind)
			if kb := peakRSSKiB(); kb > 0 {
				b.ReportMetric(float64(kb)/1024, "peak-RSS-MiB")
			}
		}
	}
}

func lastTokenB(b *testing.B, body string) string {
	m := tokenRE.FindAllStringSubmatch(body, -1)
	if len(m) == 0 {
		b.Fatalf("no sync-token in %s", body)
	}
	return m[len(m)-1][1]
}

func report(b *testing.B, name string, ds []time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	if len(ds) == 0 {
		return
	}
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, name+"-p50-ms")
	b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, name+"-p95-ms")
}

// peakRSSKiB reads VmHWM, the process's peak resident set, on Linux.
func peakRSSKiB() int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
			return kb
		}
	}
	return 0
}
