package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

// TestDavbench runs the whole tool at a small size against a server it
// starts from a freshly built binary, on SQLite and (when reachable) on
// PostgreSQL, and requires every answer to be right. Timings are printed,
// never judged.
func TestDavbench(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server")
	}
	bin := filepath.Join(t.TempDir(), "veileder")
	build := exec.Command("go", "build", "-o", bin, "github.com/veileder/veileder/cmd/veileder")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build veileder: %v\n%s", err, out)
	}
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			args := []string{"-spawn", dialect, "-veileder", bin}
			if dialect == "postgres" {
				args = append(args, "-database-url", postgresURL(t))
			}
			for _, tc := range []struct {
				name   string
				args   []string
				want   []string // in the output
				checks int      // at least this many checks
			}{
				{"table", []string{"-events", "200", "-repeat", "3"},
					[]string{"### 200 events on", "| PUT while loading 200 |", "`<C:expand>`", "| PROPFIND Depth 1 (201 responses) |",
						"| sync-collection, initial (200) |", "| calendar-multiget of 50 |", "| sync-collection after one change |", "server peak RSS"},
					200 + 6*3},
				{"sweep", []string{"-sizes", "100,300", "-repeat", "2"},
					[]string{"### Size sweep on", "| 100 |", "| 300 |"}, 400},
				{"memory", []string{"-memory", "-memory-parallel", "3", "-memory-kb", "2", "-memory-days", "1"},
					[]string{"### Worst-case expansion on", "`RRULE:FREQ=SECONDLY`", "Server resident memory:"}, 1},
			} {
				t.Run(tc.name, func(t *testing.T) {
					var stdout, stderr bytes.Buffer
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
					defer cancel()
					out, err := runChecked(ctx, append(slices.Clone(args), tc.args...), &stdout, &stderr)
					t.Logf("output:\n%s", stdout.String())
					if err != nil {
						t.Fatalf("davbench %v: %v\n%s", tc.args, err, stderr.String())
					}
					if got := out.checks.failures; len(got) > 0 {
						t.Errorf("wrong answers: got %q, want none", got)
					}
					if got := out.checks.passed; got < tc.checks {
						t.Errorf("checks passed: got %d, want at least %d", got, tc.checks)
					}
					for _, w := range tc.want {
						if !strings.Contains(stdout.String(), w) {
							t.Errorf("output lacks %q", w)
						}
					}
				})
			}
		})
	}
}

// postgresURL is $VEILEDER_TEST_DATABASE_URL or the local default; an
// unreachable server skips the test, except in CI, where it fails.
func postgresURL(t *testing.T) string {
	t.Helper()
	base := os.Getenv("VEILEDER_TEST_DATABASE_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("VEILEDER_TEST_DATABASE_URL: %v", err)
	}
	db, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatalf("open postgres at %s: %v", u.Redacted(), err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		msg := fmt.Sprintf("postgres at %s is unreachable (%v); set VEILEDER_TEST_DATABASE_URL", u.Redacted(), err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return base
}

// TestGeneratorInstances checks the generator's knowledge of each series
// against an independent expansion of what it wrote (rrule-go, with the
// overrides applied by hand), so that the expected answers rest on more
// than the generator's own arithmetic.
func TestGeneratorInstances(t *testing.T) {
	ds := generate(genOptions{n: 3000, seed: 7, loc: oslo})
	kinds := ds.counts()
	for _, k := range []string{"single", "weekly", "daily", "all-day"} {
		if kinds[k] == 0 {
			t.Errorf("data set has no %s events: %v", k, kinds)
		}
	}
	var exdates, overrides int
	for _, e := range ds.events {
		cal, err := ical.NewDecoder(strings.NewReader(e.ics)).Decode()
		if err != nil {
			t.Fatalf("%s: %v", e.name, err)
		}
		if e.kind != "weekly" && e.kind != "daily" {
			if len(e.instances) != 1 {
				t.Errorf("%s (%s): got %d instances, want 1", e.name, e.kind, len(e.instances))
			}
			continue
		}
		var lines []string
		moved := map[time.Time]interval{}
		var dur time.Duration
		for _, c := range cal.Events() {
			start, err := c.DateTimeStart(time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			end, err := c.DateTimeEnd(time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			if rid := c.Props.Get(ical.PropRecurrenceID); rid != nil {
				at, err := rid.DateTime(time.UTC)
				if err != nil {
					t.Fatal(err)
				}
				moved[at.UTC()] = interval{start: start, end: end}
				overrides++
				continue
			}
			dur = end.Sub(start)
			for _, name := range []string{ical.PropDateTimeStart, ical.PropRecurrenceRule, ical.PropExceptionDates} {
				if p := c.Props.Get(name); p != nil {
					line := name
					if tz := p.Params.Get(ical.PropTimezoneID); tz != "" {
						line += ";TZID=" + tz
					}
					lines = append(lines, line+":"+p.Value)
					if name == ical.PropExceptionDates {
						exdates++
					}
				}
			}
		}
		set, err := rrule.StrSliceToRRuleSetInLoc(lines, time.UTC)
		if err != nil {
			t.Fatalf("%s: %v: %q", e.name, err, lines)
		}
		var want []interval
		for _, s := range set.All() {
			iv := interval{start: s, end: s.Add(dur)}
			if m, ok := moved[s.UTC()]; ok {
				iv = m
			}
			want = append(want, iv)
		}
		got := slices.Clone(e.instances)
		byStart := func(a, b interval) int { return a.start.Compare(b.start) }
		slices.SortFunc(got, byStart)
		slices.SortFunc(want, byStart)
		if !slices.EqualFunc(got, want, func(a, b interval) bool { return a.start.Equal(b.start) && a.end.Equal(b.end) }) {
			t.Errorf("%s: generator knows %d instances %v, rrule-go expands %d %v (%q)", e.name, len(got), got, len(want), want, lines)
		}
	}
	if exdates == 0 || overrides == 0 {
		t.Errorf("series with EXDATE: %d, moved instances: %d; want some of each", exdates, overrides)
	}
}

func TestOverlaps(t *testing.T) {
	from := time.Date(2026, 1, 19, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 0, 7)
	for _, tc := range []struct {
		name       string
		start, end time.Time
		want       bool
	}{
		{"inside", from.Add(time.Hour), from.Add(2 * time.Hour), true},
		{"ends at the range start", from.Add(-time.Hour), from, false},
		{"starts at the range end", to, to.Add(time.Hour), false},
		{"spans the range", from.Add(-time.Hour), to.Add(time.Hour), true},
		{"instant at the range start", from, from, true},
		{"instant at the range end", to, to, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := (interval{start: tc.start, end: tc.end}).overlaps(from, to); got != tc.want {
				t.Errorf("overlaps: got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCountingWriter(t *testing.T) {
	text := []byte("xxBEGIN:VEVENTyyBEGIN:VEVENTBEGIN:VEVENTzz")
	for _, chunk := range []int{1, 2, 3, 5, 11, 12, 13, len(text)} {
		t.Run(fmt.Sprint(chunk), func(t *testing.T) {
			w := &countingWriter{needle: []byte("BEGIN:VEVENT"), keep: 5}
			for i := 0; i < len(text); i += chunk {
				_, _ = w.Write(text[i:min(i+chunk, len(text))])
			}
			if w.hits != 3 || w.n != int64(len(text)) {
				t.Errorf("got %d hits in %d bytes, want 3 in %d", w.hits, w.n, len(text))
			}
			if got, want := string(w.ends()), "xxBEG\n…\nENTzz"; got != want {
				t.Errorf("ends: got %q, want %q", got, want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		var d []time.Duration
		for _, x := range n {
			d = append(d, time.Duration(x)*time.Millisecond)
		}
		return d
	}
	for _, tc := range []struct {
		in          []time.Duration
		median, p95 time.Duration
	}{
		{ms(5), 5 * time.Millisecond, 5 * time.Millisecond},
		{ms(3, 1, 2), 2 * time.Millisecond, 3 * time.Millisecond},
		{ms(4, 1, 3, 2), 2500 * time.Microsecond, 4 * time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 100), 11 * time.Millisecond, 20 * time.Millisecond},
	} {
		median, p95 := summarize(tc.in)
		if median != tc.median || p95 != tc.p95 {
			t.Errorf("summarize(%v): got %v, %v, want %v, %v", tc.in, median, p95, tc.median, tc.p95)
		}
	}
}

func TestSecondlyObjectSize(t *testing.T) {
	obj := secondlyObject(50)
	if len(obj) < 50*1024 || len(obj) > 53*1024 {
		t.Errorf("object size: got %d bytes, want about 50 KiB", len(obj))
	}
	cal, err := ical.NewDecoder(strings.NewReader(obj)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if got := cal.Events()[0].Props.Get(ical.PropRecurrenceRule).Value; got != "FREQ=SECONDLY" {
		t.Errorf("RRULE: got %q, want FREQ=SECONDLY", got)
	}
}

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		err  string // "" for none
	}{
		{[]string{"-spawn", "sqlite", "-veileder", "/x"}, ""},
		{[]string{"-url", "http://127.0.0.1:8080", "-user", "a", "-password", "b"}, ""},
		{[]string{}, "give either"},
		{[]string{"-spawn", "sqlite", "-url", "http://x"}, "give either"},
		{[]string{"-url", "http://x"}, "needs -user"},
		{[]string{"-spawn", "mysql"}, "want sqlite or postgres"},
		{[]string{"-spawn", "sqlite", "-sizes", "10,x"}, "-sizes"},
		{[]string{"-spawn", "sqlite", "-events", "0"}, "-events"},
		{[]string{"-spawn", "sqlite", "-timezone", "Mars/Base"}, "-timezone"},
	} {
		_, err := parseFlags(tc.args, &bytes.Buffer{})
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("parseFlags(%q): got %v, want no error", tc.args, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("parseFlags(%q): got %v, want an error with %q", tc.args, err, tc.err)
		}
	}
}

// TestWeekSameAcrossSizes checks what the size sweep rests on: from 5,000
// events on, the queried week holds the very same events.
func TestWeekSameAcrossSizes(t *testing.T) {
	week := func(n int) []string {
		names, _ := generate(genOptions{n: n, seed: 1, loc: oslo}).inRange(weekStart, weekStart.AddDate(0, 0, 7))
		return names
	}
	want := week(5000)
	if len(want) < 100 {
		t.Fatalf("week of 5,000 events: got %d objects, want over 100", len(want))
	}
	for _, n := range []int{7000, 20000} {
		if got := week(n); !slices.Equal(got, want) {
			t.Errorf("week of %d events: got %d objects, want the %d of 5,000 events", n, len(got), len(want))
		}
	}
}
