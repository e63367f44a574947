package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// The worst case for memory: one object that recurs every second, with a
// large DESCRIPTION, so that expanding it over a year asks the server for
// millions of large instances. Many such REPORTs at once show whether the
// server bounds what one request may cost (RFC 4791 §5.2.8
// CALDAV:max-instances, 507 for an answer too large).

// memoryOptions shape the worst case.
type memoryOptions struct {
	parallel int           // REPORTs at once
	kb       int           // size of the object
	days     int           // length of the expanded range
	timeout  time.Duration // per REPORT
}

// memoryReport is one REPORT's outcome.
type memoryReport struct {
	status    int
	bytes     int64
	instances int64
	took      time.Duration
	err       error
	head      []byte // the answer's first and last bytes, to say how it ended
}

// memoryResult is the whole worst case's outcome.
type memoryResult struct {
	putStatus  int
	objectSize int
	before     memory
	after      memory
	reports    []memoryReport
}

// secondlyObject is a VEVENT of one second that recurs every second, with
// a DESCRIPTION that brings the object to about kb KiB.
func secondlyObject(kb int) string {
	const start = "20260101T000000Z"
	desc := strings.Repeat("Worst case for expansion. ", kb*1024/26+1)[:kb*1024]
	ev := "BEGIN:VEVENT\r\nUID:davbench-secondly@example.org\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:" + start +
		"\r\nDTEND:20260101T000001Z\r\nRRULE:FREQ=SECONDLY\r\nSUMMARY:Every second\r\n" + fold("DESCRIPTION:"+desc) + "END:VEVENT\r\n"
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Veileder//davbench//EN\r\n" + ev + "END:VCALENDAR\r\n"
}

// fold folds a content line at 75 octets (RFC 5545 §3.1); the text is
// ASCII.
func fold(line string) string {
	var b strings.Builder
	for len(line) > 75 {
		b.WriteString(line[:75] + "\r\n ")
		line = line[75:]
	}
	b.WriteString(line + "\r\n")
	return b.String()
}

// worstCase PUTs the object and sends the REPORTs at once. A refusal (a
// 4xx or 507) is an outcome to report, not a failure; an answer that is
// not HTTP at all (the connection dropped, the server died) is.
func worstCase(ctx context.Context, t *target, ck *checks, o memoryOptions) (*memoryResult, error) {
	obj := secondlyObject(o.kb)
	res := &memoryResult{objectSize: len(obj), before: readMemory(t.pid)}
	a, err := t.c.do(ctx, http.MethodPut, t.cal+"secondly.ics", obj, "Content-Type", "text/calendar; charset=utf-8")
	if err != nil {
		return nil, err
	}
	res.putStatus = a.status
	if a.status/100 != 2 {
		// Refusing the object is one way of bounding it.
		ck.check(a.status/100 == 4 || a.status == http.StatusInsufficientStorage, "worst-case PUT: got %d, want 2xx, 4xx or 507: %.300s", a.status, a.body)
		res.after = readMemory(t.pid)
		return res, nil
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	body := queryBody(from, from.AddDate(0, 0, o.days), true)
	res.reports = make([]memoryReport, o.parallel)
	var wg sync.WaitGroup
	for i := range o.parallel {
		wg.Go(func() { res.reports[i] = memoryREPORT(ctx, t, body, o.timeout) })
	}
	wg.Wait()
	res.after = readMemory(t.pid)
	for i, r := range res.reports {
		if !ck.check(r.err == nil, "worst-case REPORT %d: %v", i+1, r.err) {
			continue
		}
		ck.check(r.status/100 == 2 || r.status/100 == 4 || r.status == http.StatusInsufficientStorage,
			"worst-case REPORT %d: got %d, want 207, a 4xx or 507", i+1, r.status)
		// A bounded answer must say it is bounded (RFC 5323 §5.16: a 507
		// response in the multistatus), or a client takes it for all.
		inRange := int64(o.days) * 86400
		ck.check(!cutSilently(r, inRange),
			"worst-case REPORT %d: 207 with %d of %d instances and no 507: cut short without saying so", i+1, r.instances, inRange)
	}
	return res, nil
}

// memoryREPORT sends one expanding REPORT and counts the answer's bytes and
// VEVENTs as it streams past, without keeping it: the answer may be
// hundreds of megabytes.
func memoryREPORT(ctx context.Context, t *target, body string, timeout time.Duration) memoryReport {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "REPORT", t.c.base.String()+t.cal, strings.NewReader(body))
	if err != nil {
		return memoryReport{err: err}
	}
	req.SetBasicAuth(t.c.user, t.c.pw)
	req.Header.Set("Depth", "1")
	req.Header.Set("Content-Type", "application/xml; charset=utf-8")
	t0 := time.Now()
	resp, err := t.c.http.Do(req)
	if err != nil {
		return memoryReport{err: err, took: time.Since(t0)}
	}
	defer resp.Body.Close()
	cw := &countingWriter{needle: []byte("BEGIN:VEVENT"), keep: 4096}
	_, err = io.Copy(cw, resp.Body)
	return memoryReport{status: resp.StatusCode, bytes: cw.n, instances: cw.hits, took: time.Since(t0), err: err, head: cw.ends()}
}

// countingWriter counts bytes and occurrences of needle, also across the
// boundaries of writes.
type countingWriter struct {
	needle []byte
	tail   []byte
	n      int64
	hits   int64
	keep   int    // how many first and last bytes to keep
	head   []byte // the first keep bytes
	last   []byte // the last keep bytes
}

func (w *countingWriter) Write(p []byte) (int, error) {
	if len(w.head) < w.keep {
		w.head = append(w.head, p[:min(len(p), w.keep-len(w.head))]...)
	}
	w.n += int64(len(p))
	if w.keep > 0 {
		w.last = append(w.last, p[max(len(p)-w.keep, 0):]...)
		w.last = w.last[max(len(w.last)-w.keep, 0):]
	}
	buf := append(w.tail, p...)
	w.hits += int64(bytes.Count(buf, w.needle))
	// Keep what could be the start of a needle cut by the next write; a
	// whole needle cannot fit in it, so nothing is counted twice.
	keep := min(len(w.needle)-1, len(buf))
	w.tail = append(w.tail[:0], buf[len(buf)-keep:]...)
	return len(p), nil
}

// ends returns the first and the last bytes seen, once each.
func (w *countingWriter) ends() []byte {
	if w.n <= int64(len(w.head)) {
		return w.head
	}
	return append(append(slices.Clip(w.head), "\n…\n"...), w.last...)
}

func printMemory(w io.Writer, res *memoryResult, o memoryOptions, where string) {
	fmt.Fprintf(w, "### Worst-case expansion on %s\n\n", where)
	fmt.Fprintf(w, "One object of %s with `RRULE:FREQ=SECONDLY` (PUT answered %d); %d calendar-query REPORTs at once, each with `<C:expand>` over %d days.\n\n",
		size(res.objectSize), res.putStatus, o.parallel, o.days)
	if len(res.reports) > 0 {
		// One instance of one second starts every second of the range.
		inRange := int64(o.days) * 86400
		fmt.Fprintf(w, "| REPORT | status | answer | VEVENTs in it (of %d in the range) | time | inside the answer |\n", inRange)
		fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- |")
		silent := 0
		for i, r := range res.reports {
			status := fmt.Sprint(r.status)
			if r.err != nil {
				status = "error: " + r.err.Error()
			}
			fmt.Fprintf(w, "| %d | %s | %s | %d | %s | %s |\n", i+1, status, size(int(r.bytes)), r.instances, ms(r.took), inside(r.head))
			if cutSilently(r, inRange) {
				silent++
			}
		}
		fmt.Fprintln(w)
		if silent > 0 {
			// Counted as wrong too (worstCase): bounding the answer is
			// what the server should do, and saying so is part of it.
			fmt.Fprintf(w, "%d of %d answers were 207 with fewer instances than the range holds and no 507 in their first or last bytes: cut short without saying so.\n\n", silent, len(res.reports))
		}
	}
	if res.after.peak > 0 {
		fmt.Fprintf(w, "Server resident memory: %.0f MiB before, peak %.0f MiB (VmHWM), %.0f MiB after.\n\n",
			float64(res.before.rss)/1024, float64(res.after.peak)/1024, float64(res.after.rss)/1024)
	} else {
		fmt.Fprintln(w, "Server resident memory: unknown (give -pid, or use -spawn).")
		fmt.Fprintln(w)
	}
}

var (
	statusRE  = regexp.MustCompile(`<(?:[A-Za-z]+:)?status>\s*HTTP/1\.[01] ([0-9]{3})`)
	elementRE = regexp.MustCompile(`<(?:[A-Za-z]+:)?error>\s*<(?:[A-Za-z]+:)?([A-Za-z-]+)`)
)

// inside summarises the statuses and DAV errors in the start of an
// answer, e.g. "status 507, number-of-matches-within-limits", so that a
// bounded answer says how it was bounded.
func inside(head []byte) string {
	seen := map[string]bool{}
	var out []string
	for _, m := range statusRE.FindAllSubmatch(head, -1) {
		if s := "status " + string(m[1]); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, m := range elementRE.FindAllSubmatch(head, -1) {
		if s := string(m[1]); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return strings.Join(out, ", ")
}

// cutSilently reports whether a REPORT's answer holds fewer instances than
// the range without the 507 that says it was cut.
func cutSilently(r memoryReport, inRange int64) bool {
	return r.err == nil && r.status == http.StatusMultiStatus && r.instances < inRange && !bytes.Contains(r.head, []byte(" 507"))
}
