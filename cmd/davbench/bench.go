package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// target is one server and the calendar the run fills.
type target struct {
	c      *client
	pid    int    // the server's process, for its memory; 0 if unknown
	prefix string // the CalDAV tree's path, e.g. /dav
	user   string
	cal    string // the calendar's path, ending in /
}

// checks counts what was checked and keeps what was wrong.
type checks struct {
	passed   int
	failures []string
	log      io.Writer
}

// check records one check; a failure is printed at once and kept for the
// summary.
func (c *checks) check(ok bool, format string, args ...any) bool {
	if ok {
		c.passed++
		return true
	}
	msg := fmt.Sprintf(format, args...)
	if len(msg) > 600 {
		msg = msg[:600] + "…"
	}
	c.failures = append(c.failures, msg)
	fmt.Fprintln(c.log, "WRONG:", msg)
	return false
}

// measurement is one request kind's timings and answers.
type measurement struct {
	name  string
	took  []time.Duration
	bytes []int
	note  string
}

func (m *measurement) add(a answer) {
	m.took = append(m.took, a.took)
	m.bytes = append(m.bytes, len(a.body))
}

// phaseMemory is the server's memory after one phase.
type phaseMemory struct {
	phase string
	mem   memory
}

// runResult is everything one run of the table measured.
type runResult struct {
	n            int
	counts       map[string]int
	weekObjects  int
	weekInstance int
	rows         []*measurement
	memory       []phaseMemory
}

// newCalendar creates a calendar with MKCALENDAR under the user's home.
func newCalendar(ctx context.Context, t *target, ck *checks, label string) error {
	t.cal = fmt.Sprintf("%s/calendars/%s/davbench-%s-%s/", t.prefix, t.user, label, strings.ToLower(rand.Text()[:8]))
	body := `<?xml version="1.0" encoding="utf-8"?><C:mkcalendar ` + davNS + `><D:set><D:prop><D:displayname>davbench ` + label +
		`</D:displayname></D:prop></D:set></C:mkcalendar>`
	a, err := t.c.do(ctx, "MKCALENDAR", t.cal, body, "Content-Type", "application/xml; charset=utf-8")
	if err != nil {
		return err
	}
	if !ck.check(a.status == http.StatusCreated, "MKCALENDAR %s: got %d, want 201: %.200s", t.cal, a.status, a.body) {
		return fmt.Errorf("cannot create the calendar %s", t.cal)
	}
	return nil
}

// deleteCalendar removes the run's calendar, so that a server that keeps
// running does not keep the data set.
func deleteCalendar(ctx context.Context, t *target) {
	if t.cal != "" {
		_, _ = t.c.do(ctx, http.MethodDelete, t.cal, "")
	}
}

// load PUTs every event, one after the other, and returns the timings and
// each object's ETag.
func load(ctx context.Context, t *target, ds *dataset, ck *checks, progress io.Writer) (*measurement, map[string]string, error) {
	m := &measurement{name: fmt.Sprintf("PUT while loading %d", len(ds.events))}
	etags := make(map[string]string, len(ds.events))
	bad := 0
	for i, e := range ds.events {
		a, err := t.c.do(ctx, http.MethodPut, t.cal+e.name, e.ics, "Content-Type", "text/calendar; charset=utf-8", "If-None-Match", "*")
		if err != nil {
			return nil, nil, err
		}
		m.add(a)
		etags[e.name] = a.header.Get("ETag")
		if a.status != http.StatusCreated || a.header.Get("ETag") == "" {
			bad++
			ck.check(false, "PUT %s (%s): got %d with ETag %q, want 201 with an ETag: %.300s", e.name, e.kind, a.status, a.header.Get("ETag"), a.body)
		} else {
			ck.passed++
		}
		if (i+1)%max(len(ds.events)/10, 1) == 0 {
			fmt.Fprintf(progress, "  loaded %d of %d\n", i+1, len(ds.events))
		}
	}
	// Whether PUT slows as the calendar fills: the first tenth against the
	// last.
	tenth := max(len(m.took)/10, 1)
	first, _ := summarize(m.took[:tenth])
	last, _ := summarize(m.took[len(m.took)-tenth:])
	m.note = fmt.Sprintf("first tenth %s, last tenth %s", ms(first), ms(last))
	if bad > 0 {
		return m, etags, fmt.Errorf("%d of %d PUTs failed", bad, len(ds.events))
	}
	return m, etags, nil
}

// weekQuery runs the one-week calendar-query (with calendar-data, or
// expanded) and checks the answer against the generator's instances.
func weekQuery(ctx context.Context, t *target, ds *dataset, ck *checks, expand bool, repeat int) (*measurement, error) {
	from, to := weekStart, weekStart.AddDate(0, 0, 7)
	names, instances := ds.inRange(from, to)
	m := &measurement{name: fmt.Sprintf("calendar-query, one week, with calendar-data (%d objects)", len(names))}
	if expand {
		m.name = fmt.Sprintf("the same with `<C:expand>` (%d instances)", instances)
	}
	want := hrefs(t.cal, names)
	starts := ds.expandedStarts(from, to)
	body := queryBody(from, to, expand)
	for range repeat {
		a, err := t.c.do(ctx, "REPORT", t.cal, body, "Depth", "1", "Content-Type", "application/xml; charset=utf-8")
		if err != nil {
			return nil, err
		}
		m.add(a)
		what := "calendar-query"
		if expand {
			what = "calendar-query with expand"
		}
		if !ck.check(a.status == http.StatusMultiStatus, "%s: got %d, want 207: %.300s", what, a.status, a.body) {
			continue
		}
		ms, err := parseMultistatus(a.body)
		if !ck.check(err == nil, "%s: %v", what, err) {
			continue
		}
		var got []string
		data := map[string]string{}
		for _, r := range ms.Responses {
			ps, ok := r.ok200()
			if !ck.check(ok && strings.TrimSpace(ps.Prop.CalendarData) != "", "%s: %s has no calendar-data with 200", what, r.href()) {
				continue
			}
			got = append(got, r.href())
			data[r.href()] = ps.Prop.CalendarData
		}
		ck.check(len(ms.Responses) == len(want), "%s: got %d responses, want %d", what, len(ms.Responses), len(want))
		checkSet(ck, what, got, want)
		if expand {
			checkExpanded(ck, data, starts, instances, ds.loc)
		}
	}
	return m, nil
}

// checkExpanded checks that the expanded answer holds exactly the
// instances overlapping the week: per UID, the same starts.
func checkExpanded(ck *checks, data map[string]string, want map[string][]time.Time, instances int, loc *time.Location) {
	got := map[string][]time.Time{}
	total := 0
	for href, d := range data {
		cal, err := ical.NewDecoder(strings.NewReader(d)).Decode()
		if !ck.check(err == nil, "expand: %s: calendar-data does not parse: %v", href, err) {
			continue
		}
		for _, c := range cal.Children {
			if c.Name != ical.CompEvent {
				continue
			}
			total++
			uid := c.Props.Get(ical.PropUID)
			start, err := c.Props.DateTime(ical.PropDateTimeStart, loc)
			if !ck.check(uid != nil && err == nil, "expand: %s: an instance without UID or DTSTART (%v)", href, err) {
				continue
			}
			got[uid.Value] = append(got[uid.Value], start)
			if rr := c.Props.Get(ical.PropRecurrenceRule); rr != nil {
				ck.check(false, "expand: %s: an expanded instance still has RRULE %s", href, rr.Value)
			}
		}
	}
	ck.check(total == instances, "expand: got %d VEVENT instances, want %d", total, instances)
	var diffs []string
	for uid, w := range want {
		g := got[uid]
		sort.Slice(g, func(i, j int) bool { return g[i].Before(g[j]) })
		if !slices.EqualFunc(g, w, time.Time.Equal) {
			diffs = append(diffs, fmt.Sprintf("%s: got starts %s, want %s", uid, fmtTimes(g), fmtTimes(w)))
		}
	}
	for uid, g := range got {
		if _, ok := want[uid]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: got starts %s, want none", uid, fmtTimes(g)))
		}
	}
	sort.Strings(diffs)
	ck.check(len(diffs) == 0, "expand: %d events with the wrong instances, e.g. %s", len(diffs), strings.Join(first(diffs, 3), "; "))
}

func fmtTimes(ts []time.Time) string {
	var s []string
	for _, t := range ts {
		s = append(s, utc(t))
	}
	return "[" + strings.Join(s, " ") + "]"
}

// propfind lists the calendar with Depth 1: the collection and every
// object.
func propfind(ctx context.Context, t *target, ds *dataset, ck *checks, repeat int) (*measurement, error) {
	m := &measurement{name: fmt.Sprintf("PROPFIND Depth 1 (%d responses)", len(ds.events)+1)}
	want := append(hrefs(t.cal, allNames(ds)), t.cal)
	sort.Strings(want)
	for range repeat {
		a, err := t.c.do(ctx, "PROPFIND", t.cal, propfindBody, "Depth", "1", "Content-Type", "application/xml; charset=utf-8")
		if err != nil {
			return nil, err
		}
		m.add(a)
		if !ck.check(a.status == http.StatusMultiStatus, "PROPFIND: got %d, want 207: %.300s", a.status, a.body) {
			continue
		}
		ms, err := parseMultistatus(a.body)
		if !ck.check(err == nil, "PROPFIND: %v", err) {
			continue
		}
		var got []string
		for _, r := range ms.Responses {
			h := r.href()
			if !strings.HasSuffix(h, "/") {
				ps, ok := r.ok200()
				ck.check(ok && ps.Prop.ETag != "", "PROPFIND: %s has no getetag with 200", h)
			}
			got = append(got, h)
		}
		checkSet(ck, "PROPFIND Depth 1", got, want)
	}
	return m, nil
}

// syncAll runs a sync-collection from token and follows a truncated answer
// (a 507 response for the collection, RFC 6578 §3.6) until it is complete.
// It returns the changed members (href → deleted), the final token and the
// time of the whole chain.
func syncAll(ctx context.Context, t *target, ck *checks, token string) (map[string]bool, string, answer, error) {
	members := map[string]bool{}
	var total answer
	for page := 0; ; page++ {
		a, err := t.c.do(ctx, "REPORT", t.cal, syncBody(token), "Depth", "1", "Content-Type", "application/xml; charset=utf-8")
		if err != nil {
			return nil, "", total, err
		}
		total.status = a.status
		total.took += a.took
		total.body = append(total.body, a.body...)
		if !ck.check(a.status == http.StatusMultiStatus, "sync-collection: got %d, want 207: %.300s", a.status, a.body) {
			return members, token, total, nil
		}
		ms, err := parseMultistatus(a.body)
		if !ck.check(err == nil, "sync-collection: %v", err) {
			return members, token, total, nil
		}
		truncated := false
		for _, r := range ms.Responses {
			h := r.href()
			if h == t.cal && statusCode(r.Status) == http.StatusInsufficientStorage {
				truncated = true
				continue
			}
			members[h] = statusCode(r.Status) == http.StatusNotFound
		}
		if !ck.check(ms.SyncToken != "", "sync-collection: no sync-token in the answer") {
			return members, token, total, nil
		}
		token = ms.SyncToken
		if !truncated || page > 10000 {
			return members, token, total, nil
		}
	}
}

// initialSync runs the first sync-collection of the calendar.
func initialSync(ctx context.Context, t *target, ds *dataset, ck *checks, repeat int) (*measurement, string, error) {
	m := &measurement{name: fmt.Sprintf("sync-collection, initial (%d)", len(ds.events))}
	want := hrefs(t.cal, allNames(ds))
	var token string
	for range repeat {
		members, tok, a, err := syncAll(ctx, t, ck, "")
		if err != nil {
			return nil, "", err
		}
		m.add(a)
		var got []string
		for h, deleted := range members {
			ck.check(!deleted, "initial sync-collection: %s reported deleted", h)
			got = append(got, h)
		}
		checkSet(ck, "initial sync-collection", got, want)
		token = tok
	}
	return m, token, nil
}

// multiget fetches 50 objects spread over the calendar.
func multiget(ctx context.Context, t *target, ds *dataset, ck *checks, repeat int) (*measurement, error) {
	n := min(50, len(ds.events))
	var names []string
	uids := map[string]string{}
	for i := range n {
		e := ds.events[i*len(ds.events)/n]
		names = append(names, e.name)
		uids[t.cal+e.name] = e.uid
	}
	m := &measurement{name: fmt.Sprintf("calendar-multiget of %d", n)}
	want := hrefs(t.cal, names)
	body := multigetBody(want)
	for range repeat {
		a, err := t.c.do(ctx, "REPORT", t.cal, body, "Depth", "1", "Content-Type", "application/xml; charset=utf-8")
		if err != nil {
			return nil, err
		}
		m.add(a)
		if !ck.check(a.status == http.StatusMultiStatus, "multiget: got %d, want 207: %.300s", a.status, a.body) {
			continue
		}
		ms, err := parseMultistatus(a.body)
		if !ck.check(err == nil, "multiget: %v", err) {
			continue
		}
		var got []string
		for _, r := range ms.Responses {
			ps, ok := r.ok200()
			ck.check(ok && strings.Contains(ps.Prop.CalendarData, "UID:"+uids[r.href()]), "multiget: %s has no calendar-data with its UID", r.href())
			got = append(got, r.href())
		}
		checkSet(ck, "multiget", got, want)
	}
	return m, nil
}

// incrementalSync changes one event, then times the sync-collection from
// the previous token: it must report that event alone, with a new token.
func incrementalSync(ctx context.Context, t *target, ds *dataset, etags map[string]string, token string, ck *checks, repeat int) (*measurement, error) {
	m := &measurement{name: "sync-collection after one change"}
	for i := range repeat {
		e := ds.events[(i*7919)%len(ds.events)]
		// Only SUMMARY changes, so the instances (and the week's answer)
		// stay what the generator knows.
		ics := strings.Replace(e.ics, "SUMMARY:", fmt.Sprintf("SUMMARY:Changed %d ", i), 1)
		hdr := []string{"Content-Type", "text/calendar; charset=utf-8"}
		if et := etags[e.name]; et != "" {
			hdr = append(hdr, "If-Match", et)
		}
		a, err := t.c.do(ctx, http.MethodPut, t.cal+e.name, ics, hdr...)
		if err != nil {
			return nil, err
		}
		if ck.check(a.status == http.StatusNoContent || a.status == http.StatusOK, "PUT change of %s: got %d, want 204: %.300s", e.name, a.status, a.body) {
			etags[e.name] = a.header.Get("ETag")
		}
		members, tok, sa, err := syncAll(ctx, t, ck, token)
		if err != nil {
			return nil, err
		}
		m.add(sa)
		var got []string
		for h := range members {
			got = append(got, h)
		}
		checkSet(ck, "sync-collection after one change", got, []string{t.cal + e.name})
		ck.check(tok != token, "sync-collection after one change: the sync-token %q did not change", tok)
		token = tok
	}
	return m, nil
}

// checkSet checks that got and want hold the same hrefs, once each.
func checkSet(ck *checks, what string, got, want []string) {
	g, w := slices.Clone(got), slices.Clone(want)
	sort.Strings(g)
	sort.Strings(w)
	if slices.Equal(g, w) {
		ck.passed++
		return
	}
	count := func(s []string) map[string]int {
		c := map[string]int{}
		for _, x := range s {
			c[x]++
		}
		return c
	}
	gc, wc := count(g), count(w)
	var missing, extra, twice []string
	for h := range wc {
		if gc[h] == 0 {
			missing = append(missing, h)
		}
	}
	for h, n := range gc {
		switch {
		case wc[h] == 0:
			extra = append(extra, h)
		case n > 1:
			twice = append(twice, h)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	sort.Strings(twice)
	ck.check(false, "%s: got %d hrefs, want %d; missing %d %v, unexpected %d %v, repeated %d %v", what, len(g), len(w),
		len(missing), first(missing, 5), len(extra), first(extra, 5), len(twice), first(twice, 5))
}

func first(s []string, n int) []string { return s[:min(n, len(s))] }

func hrefs(cal string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = cal + n
	}
	return out
}

func allNames(ds *dataset) []string {
	out := make([]string, len(ds.events))
	for i, e := range ds.events {
		out[i] = e.name
	}
	return out
}

// summarize returns the median and the 95th percentile (nearest rank).
func summarize(ds []time.Duration) (median, p95 time.Duration) {
	if len(ds) == 0 {
		return 0, 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		median = s[len(s)/2]
	} else {
		median = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	rank := (95*len(s) + 99) / 100
	return median, s[max(rank-1, 0)]
}

func ms(d time.Duration) string {
	f := float64(d) / float64(time.Millisecond)
	switch {
	case f >= 100:
		return fmt.Sprintf("%.0f ms", f)
	case f >= 10:
		return fmt.Sprintf("%.1f ms", f)
	}
	return fmt.Sprintf("%.2f ms", f)
}

func medianBytes(b []int) int {
	if len(b) == 0 {
		return 0
	}
	s := slices.Clone(b)
	slices.Sort(s)
	return s[len(s)/2]
}

func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
