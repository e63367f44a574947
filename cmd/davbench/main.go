// Command davbench measures a Veileder CalDAV server from outside, over real
// HTTP keep-alive, the way calendar apps use it, and prints the results as a
// Markdown table. Every answer is checked against what the data set's
// generator knows; a wrong answer is printed and makes the exit status 1.
//
// Against a running server:
//
//	davbench -url http://127.0.0.1:8080 -user alice -password secret
//
// Or on a server it starts itself, with fresh data (SQLite or a new
// PostgreSQL database, dropped afterwards), reporting its peak memory:
//
//	go build -o /tmp/veileder ./cmd/veileder
//	davbench -spawn sqlite -veileder /tmp/veileder
//	davbench -spawn postgres -veileder /tmp/veileder -database-url postgres://postgres@127.0.0.1:5432/test?sslmode=disable
//
// A size sweep (week query and incremental sync per size):
//
//	davbench -spawn sqlite -veileder /tmp/veileder -sizes 1000,10000,100000
//
// The worst case for memory (an object recurring every second, expanded
// over a year by 20 REPORTs at once):
//
//	davbench -spawn sqlite -veileder /tmp/veileder -memory
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // Europe/Oslo wherever the tool runs
)

// oslo is the zone of the data set's TZID events and of the queried week.
var oslo = mustLoad("Europe/Oslo")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "davbench:", err)
		os.Exit(1)
	}
}

// config is the parsed command line.
type config struct {
	url, user, password string
	pid                 int
	prefix              string
	spawn               spawnOptions
	events              int
	sizes               []int
	repeat              int
	seed                uint64
	timeZone            string
	memory              bool
	mem                 memoryOptions
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("davbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{}
	var sizes string
	fs.StringVar(&c.url, "url", "", "a running server, http://host:port (with -user and -password)")
	fs.StringVar(&c.user, "user", "", "staff user to log in as, with -url")
	fs.StringVar(&c.password, "password", "", "the user's password, with -url")
	fs.IntVar(&c.pid, "pid", 0, "process id of the server given by -url, to report its memory (optional)")
	fs.StringVar(&c.prefix, "prefix", "/dav", "path of the CalDAV tree")
	fs.StringVar(&c.spawn.dialect, "spawn", "", "start a server with fresh data instead: sqlite or postgres")
	fs.StringVar(&c.spawn.binary, "veileder", "", "the veileder executable to start, with -spawn")
	fs.StringVar(&c.spawn.databaseURL, "database-url", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
		"PostgreSQL server on which -spawn postgres creates (and afterwards drops) a database davbench_<random>")
	fs.IntVar(&c.events, "events", 5000, "events in the calendar")
	fs.StringVar(&sizes, "sizes", "", "comma-separated calendar sizes for a sweep of the week query and the incremental sync, e.g. 1000,10000,100000")
	fs.IntVar(&c.repeat, "repeat", 30, "times each request is repeated")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the data set")
	fs.StringVar(&c.timeZone, "timezone", "Europe/Oslo", "the server's time zone, in which all-day events are read")
	fs.BoolVar(&c.memory, "memory", false, "run the worst case for memory instead of the table")
	fs.IntVar(&c.mem.parallel, "memory-parallel", 20, "REPORTs at once in -memory")
	fs.IntVar(&c.mem.kb, "memory-kb", 50, "size of the object in -memory, in KiB")
	fs.IntVar(&c.mem.days, "memory-days", 365, "days the REPORTs in -memory expand")
	fs.DurationVar(&c.mem.timeout, "memory-timeout", 10*time.Minute, "time each REPORT in -memory may take")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch {
	case (c.url == "") == (c.spawn.dialect == ""):
		return nil, errors.New("give either -url (with -user and -password) or -spawn sqlite|postgres")
	case c.url != "" && (c.user == "" || c.password == ""):
		return nil, errors.New("-url needs -user and -password")
	case c.spawn.dialect != "" && c.spawn.dialect != "sqlite" && c.spawn.dialect != "postgres":
		return nil, fmt.Errorf("-spawn %q: want sqlite or postgres", c.spawn.dialect)
	case c.events < 1:
		return nil, errors.New("-events must be at least 1")
	case c.repeat < 1:
		return nil, errors.New("-repeat must be at least 1")
	case c.mem.parallel < 1 || c.mem.kb < 1 || c.mem.days < 1:
		return nil, errors.New("-memory-parallel, -memory-kb and -memory-days must be at least 1")
	}
	for _, s := range strings.Split(sizes, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-sizes: %q is not a positive number", s)
		}
		c.sizes = append(c.sizes, n)
	}
	if _, err := time.LoadLocation(c.timeZone); err != nil {
		return nil, fmt.Errorf("-timezone: %w", err)
	}
	c.spawn.timeZone = c.timeZone
	c.prefix = "/" + strings.Trim(c.prefix, "/")
	return c, nil
}

// outcome is what a run checked; the test reads it.
type outcome struct{ checks checks }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	_, err := runChecked(ctx, args, stdout, stderr)
	return err
}

// runChecked runs the benchmark and returns what it checked; the error says
// whether anything was wrong.
func runChecked(ctx context.Context, args []string, stdout, stderr io.Writer) (*outcome, error) {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return nil, err
	}
	out := &outcome{checks: checks{log: stderr}}
	ck := &out.checks
	fmt.Fprintf(stdout, "# davbench, %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(stdout, "%d cores, %s; load average %s; %s.\n\n", runtime.NumCPU(), runtime.Version(), loadAverage(), c.describe())

	switch {
	case c.memory:
		err = withTarget(ctx, c, ck, "memory", stderr, func(t *target, where string) error {
			res, err := worstCase(ctx, t, ck, c.mem)
			if err != nil {
				return err
			}
			printMemory(stdout, res, c.mem, where)
			return nil
		})
	case len(c.sizes) > 0:
		var rows []sweepRow
		for _, n := range c.sizes {
			err = withTarget(ctx, c, ck, strconv.Itoa(n), stderr, func(t *target, where string) error {
				row, err := sweepOne(ctx, t, c, n, ck, stderr)
				if err != nil {
					return err
				}
				row.where = where
				rows = append(rows, row)
				return nil
			})
			if err != nil {
				break
			}
		}
		printSweep(stdout, rows)
	default:
		err = withTarget(ctx, c, ck, "table", stderr, func(t *target, where string) error {
			res, err := table(ctx, t, c, ck, stderr)
			if res != nil {
				printTable(stdout, res, where, c)
			}
			return err
		})
	}
	fmt.Fprintf(stdout, "Checks: %d passed, %d wrong.\n", ck.passed, len(ck.failures))
	if len(ck.failures) > 0 {
		fmt.Fprintln(stdout, "\nWrong answers:")
		for _, f := range ck.failures[:min(len(ck.failures), 50)] {
			fmt.Fprintln(stdout, "- "+f)
		}
		if len(ck.failures) > 50 {
			fmt.Fprintf(stdout, "- … and %d more\n", len(ck.failures)-50)
		}
	}
	if err == nil && len(ck.failures) > 0 {
		err = fmt.Errorf("%d wrong answers", len(ck.failures))
	}
	return out, err
}

func (c *config) describe() string {
	if c.url != "" {
		return "server " + c.url
	}
	return "server started with -spawn " + c.spawn.dialect
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// withTarget runs fn against the server: the one given by -url, or a fresh
// one started for this run and stopped after it. fn gets its own new
// calendar, deleted afterwards.
func withTarget(ctx context.Context, c *config, ck *checks, label string, progress io.Writer, fn func(t *target, where string) error) (err error) {
	t := &target{prefix: c.prefix, user: c.user, pid: c.pid}
	where := c.url
	parallel := max(c.mem.parallel, 4)
	if c.spawn.dialect != "" {
		fmt.Fprintf(progress, "starting %s on %s\n", c.spawn.binary, c.spawn.dialect)
		s, err := spawn(ctx, c.spawn)
		if err != nil {
			return err
		}
		defer func() {
			if serr := s.stop(); serr != nil && err == nil {
				err = serr
			}
		}()
		t.user, t.pid = s.user, s.pid()
		where = map[string]string{"sqlite": "SQLite", "postgres": "PostgreSQL"}[c.spawn.dialect]
		if t.c, err = newClient(s.url, s.user, s.password, parallel); err != nil {
			return err
		}
	} else if t.c, err = newClient(c.url, c.user, c.password, parallel); err != nil {
		return err
	}
	if err := newCalendar(ctx, t, ck, label); err != nil {
		return err
	}
	defer deleteCalendar(context.WithoutCancel(ctx), t)
	return fn(t, where)
}

// table runs every request of the table on one calendar of c.events.
func table(ctx context.Context, t *target, c *config, ck *checks, progress io.Writer) (*runResult, error) {
	loc, _ := time.LoadLocation(c.timeZone)
	ds := generate(genOptions{n: c.events, seed: c.seed, loc: loc})
	names, instances := ds.inRange(weekStart, weekStart.AddDate(0, 0, 7))
	res := &runResult{n: c.events, counts: ds.counts(), weekObjects: len(names), weekInstance: instances}
	phase := func(name string) {
		res.memory = append(res.memory, phaseMemory{name, readMemory(t.pid)})
		fmt.Fprintf(progress, "  %s done\n", name)
	}
	phase("start")
	fmt.Fprintf(progress, "loading %d events into %s\n", c.events, t.cal)
	put, etags, err := load(ctx, t, ds, ck, progress)
	if put != nil {
		res.rows = append(res.rows, put)
		phase("load")
	}
	if err != nil {
		return res, err
	}
	steps := []struct {
		name string
		fn   func() (*measurement, error)
	}{
		{"week query", func() (*measurement, error) { return weekQuery(ctx, t, ds, ck, false, c.repeat) }},
		{"week query with expand", func() (*measurement, error) { return weekQuery(ctx, t, ds, ck, true, c.repeat) }},
		{"PROPFIND Depth 1", func() (*measurement, error) { return propfind(ctx, t, ds, ck, c.repeat) }},
	}
	for _, s := range steps {
		m, err := s.fn()
		if err != nil {
			return res, err
		}
		res.rows = append(res.rows, m)
		phase(s.name)
	}
	initial, token, err := initialSync(ctx, t, ds, ck, c.repeat)
	if err != nil {
		return res, err
	}
	res.rows = append(res.rows, initial)
	phase("initial sync")
	mg, err := multiget(ctx, t, ds, ck, c.repeat)
	if err != nil {
		return res, err
	}
	res.rows = append(res.rows, mg)
	phase("multiget")
	inc, err := incrementalSync(ctx, t, ds, etags, token, ck, c.repeat)
	if err != nil {
		return res, err
	}
	res.rows = append(res.rows, inc)
	phase("sync after one change")
	return res, nil
}

func printTable(w io.Writer, res *runResult, where string, c *config) {
	fmt.Fprintf(w, "### %d events on %s\n\n", res.n, where)
	fmt.Fprintf(w, "Data set (seed %d): %d single, %d weekly and %d daily series, %d all-day; the week from %s holds %d objects, %d instances. Each request %d times.\n\n",
		c.seed, res.counts["single"], res.counts["weekly"], res.counts["daily"], res.counts["all-day"],
		weekStart.Format("2006-01-02"), res.weekObjects, res.weekInstance, c.repeat)
	fmt.Fprintln(w, "| request | median | p95 | answer (median) | note |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- |")
	for _, m := range res.rows {
		med, p95 := summarize(m.took)
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", m.name, ms(med), ms(p95), size(medianBytes(m.bytes)), m.note)
	}
	fmt.Fprintln(w)
	if len(res.memory) > 0 && res.memory[0].mem.peak > 0 {
		fmt.Fprintln(w, "| after | server peak RSS (VmHWM) | RSS now |")
		fmt.Fprintln(w, "| --- | --- | --- |")
		for _, p := range res.memory {
			fmt.Fprintf(w, "| %s | %.0f MiB | %.0f MiB |\n", p.phase, float64(p.mem.peak)/1024, float64(p.mem.rss)/1024)
		}
		fmt.Fprintln(w)
	}
}

// sweepRow is one size of a sweep.
type sweepRow struct {
	n, weekObjects  int
	where           string
	put, week, sync *measurement
	peak            memory
}

// sweepOne loads n events and measures the week query and the incremental
// sync.
func sweepOne(ctx context.Context, t *target, c *config, n int, ck *checks, progress io.Writer) (sweepRow, error) {
	loc, _ := time.LoadLocation(c.timeZone)
	ds := generate(genOptions{n: n, seed: c.seed, loc: loc})
	names, _ := ds.inRange(weekStart, weekStart.AddDate(0, 0, 7))
	row := sweepRow{n: n, weekObjects: len(names)}
	fmt.Fprintf(progress, "loading %d events into %s\n", n, t.cal)
	put, etags, err := load(ctx, t, ds, ck, progress)
	if err != nil {
		return row, err
	}
	row.put = put
	if row.week, err = weekQuery(ctx, t, ds, ck, false, c.repeat); err != nil {
		return row, err
	}
	// The token from before any change: the first incremental sync then
	// also covers the load, so take it from an initial sync.
	_, token, err := initialSync(ctx, t, ds, ck, 1)
	if err != nil {
		return row, err
	}
	if row.sync, err = incrementalSync(ctx, t, ds, etags, token, ck, c.repeat); err != nil {
		return row, err
	}
	row.peak = readMemory(t.pid)
	return row, nil
}

func printSweep(w io.Writer, rows []sweepRow) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "### Size sweep on %s\n\n", rows[0].where)
	fmt.Fprintln(w, "| events | PUT median | objects in the week | week query median / p95 | sync after one change median / p95 | server peak RSS |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- |")
	for _, r := range rows {
		pm, _ := summarize(r.put.took)
		wm, wp := summarize(r.week.took)
		sm, sp := summarize(r.sync.took)
		fmt.Fprintf(w, "| %d | %s | %d | %s / %s | %s / %s | %s |\n", r.n, ms(pm), r.weekObjects, ms(wm), ms(wp), ms(sm), ms(sp), r.peak)
	}
	fmt.Fprintln(w)
}
