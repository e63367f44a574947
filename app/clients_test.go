package app_test

// Real, unmodified CalDAV clients talk to the whole service (app.New's
// handler) over a socket, on SQLite and on PostgreSQL:
//
//   - TestVdirsyncer: vdirsyncer (Debian package) syncs a local folder both
//     ways with the user's calendars, and creates one with extended MKCOL;
//   - TestPythonCalDAV: python3-caldav (Debian package) runs
//     testdata/clients/python_caldav.py;
//   - TestTsdav: tsdav from npm, pinned in testdata/clients/tsdav, runs
//     testdata/clients/tsdav/run.mjs.
//
// A missing client skips its test, except when $CI is "true", where it
// fails: CI must install them (see testdata/clients/README.md).

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veileder/veileder/app"
	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

const (
	// An e-mail address as user name, as many libraries have: it must
	// survive URLs ("@", or "%40" as python caldav and iOS send it).
	clientUser     = "kari.nordmann@ub.example.org"
	clientEmail    = "kari.nordmann@ub.example.org"
	clientPassword = "correct horse battery"
	// commandTimeout bounds every external command.
	commandTimeout = 2 * time.Minute
	systemPython   = "/usr/bin/python3"
)

// skipOrFail skips the test when a client is not installed, except on CI,
// where a missing client is a broken CI image.
func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true: clients must be installed)", msg)
	}
	t.Skip(msg)
}

// lookPath finds a program or skips the test.
func lookPath(t *testing.T, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		skipOrFail(t, "%s is not installed (%v); %s", name, err, install)
	}
	return p
}

// clientEnv is a small environment for a client process: its own HOME and
// XDG directories, a UTF-8 locale, UTC, and no proxy settings (the server
// is on 127.0.0.1).
func clientEnv(t *testing.T) []string {
	t.Helper()
	home := t.TempDir()
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"),
		"LANG=C.UTF-8",
		"LC_ALL=C.UTF-8",
		"TZ=UTC",
		"PYTHONDONTWRITEBYTECODE=1",
		"PYTHONIOENCODING=utf-8",
	}
	return env
}

// command describes one run of an external program.
type command struct {
	dir   string
	env   []string // nil: the test process's environment
	stdin string
	name  string
	args  []string
}

// run runs a command with commandTimeout and fails the test, showing its
// output, if it fails.
func run(t *testing.T, c command) (stdout, stderr string) {
	t.Helper()
	stdout, stderr, err := tryRun(t, c)
	if err != nil {
		t.Fatalf("%s %s: %v\n--- stdout:\n%s\n--- stderr:\n%s", c.name, strings.Join(c.args, " "), err, stdout, stderr)
	}
	return stdout, stderr
}

func tryRun(t *testing.T, c command) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.name, c.args...)
	cmd.Dir = c.dir
	cmd.Env = c.env
	cmd.Stdin = strings.NewReader(c.stdin)
	cmd.WaitDelay = 5 * time.Second
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err = cmd.Run()
	t.Logf("ran %s %s in %v", filepath.Base(c.name), strings.Join(c.args, " "), time.Since(start).Round(time.Millisecond))
	if ctx.Err() == context.DeadlineExceeded {
		err = fmt.Errorf("timed out after %v: %w", commandTimeout, err)
	}
	return out.String(), errOut.String(), err
}

// clientServer is the whole service on a real socket with one librarian.
type clientServer struct {
	t   *testing.T
	url string // no trailing slash
	log *exchangeLog
}

// startServer starts app.New's handler on the dialect's fresh store. On
// failure the test log shows the last requests the server saw.
func startServer(t *testing.T, dialect store.Dialect) *clientServer {
	t.Helper()
	cfg := storetest.NewConfig(t, dialect)
	xlog := &exchangeLog{}
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := app.New(ctx, app.Config{
		Store:   &cfg,
		BaseURL: base,
		Logger:  slog.New(slog.NewTextHandler(xlog, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatalf("app.New on %s: %v", dialect, err)
	}
	ts.Config.Handler = xlog.wrap(a.Handler)
	ts.Start()
	// Registered after NewConfig, so it runs before the schema is dropped.
	t.Cleanup(func() {
		ts.Close()
		if err := a.Close(); err != nil {
			t.Errorf("close app: %v", err)
		}
	})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the server's last exchanges:\n%s", xlog.String())
		}
	})
	if _, err := a.Store.CreateUser(ctx, booking.User{
		Username: clientUser, DisplayName: "Kari Nordmann", Email: clientEmail, Role: booking.RoleLibrarian,
	}, clientPassword); err != nil {
		t.Fatalf("create user: %v", err)
	}
	return &clientServer{t: t, url: base, log: xlog}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request as the librarian; headers are name, value pairs.
func (s *clientServer) do(method, p string, body []byte, headers ...string) reply {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+p, bytes.NewReader(body))
	if err != nil {
		s.t.Fatalf("new request: %v", err)
	}
	req.SetBasicAuth(clientUser, clientPassword)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, p, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("%s %s: read body: %v", method, p, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

func (s *clientServer) expect(r reply, want int, what string) {
	s.t.Helper()
	if r.status != want {
		s.t.Fatalf("%s: got status %d, want %d; body:\n%s", what, r.status, want, r.body)
	}
}

// multistatus is the part of an RFC 4918 §14.16 multistatus the tests read.
type multistatus struct {
	Responses []struct {
		Href     string `xml:"DAV: href"`
		Propstat []struct {
			Status string `xml:"DAV: status"`
			Prop   struct {
				ETag         string    `xml:"DAV: getetag"`
				DisplayName  string    `xml:"DAV: displayname"`
				Color        string    `xml:"http://apple.com/ns/ical/ calendar-color"`
				ResourceType *struct { // nil when not returned
					Calendar *struct{} `xml:"urn:ietf:params:xml:ns:caldav calendar"`
				} `xml:"DAV: resourcetype"`
			} `xml:"DAV: prop"`
		} `xml:"DAV: propstat"`
	} `xml:"DAV: response"`
}

// davResource is one member of a PROPFIND answer with its 200 properties.
type davResource struct {
	href, etag, displayName, color string
	calendar                       bool
}

func (s *clientServer) propfind(p, depth string) []davResource {
	s.t.Helper()
	const body = `<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns:I="http://apple.com/ns/ical/">
 <D:prop><D:resourcetype/><D:getetag/><D:displayname/><I:calendar-color/></D:prop>
</D:propfind>`
	r := s.do("PROPFIND", p, []byte(body), "Depth", depth, "Content-Type", "application/xml; charset=utf-8")
	s.expect(r, http.StatusMultiStatus, "PROPFIND "+p)
	var ms multistatus
	if err := xml.Unmarshal(r.body, &ms); err != nil {
		s.t.Fatalf("PROPFIND %s: %v\n%s", p, err, r.body)
	}
	var out []davResource
	for _, resp := range ms.Responses {
		res := davResource{href: resp.Href}
		for _, ps := range resp.Propstat {
			if !strings.Contains(ps.Status, " 200 ") {
				continue
			}
			res.etag = ps.Prop.ETag
			res.displayName = ps.Prop.DisplayName
			res.color = ps.Prop.Color
			res.calendar = ps.Prop.ResourceType != nil && ps.Prop.ResourceType.Calendar != nil
		}
		out = append(out, res)
	}
	return out
}

// serverObjects reads every object of a calendar with PROPFIND and GET:
// resource name to body.
func (s *clientServer) serverObjects(calendar string) map[string][]byte {
	s.t.Helper()
	col := "/dav/calendars/" + clientUser + "/" + calendar + "/"
	out := map[string][]byte{}
	for _, res := range s.propfind(col, "1") {
		u, err := url.Parse(res.href)
		if err != nil {
			s.t.Fatalf("href %q: %v", res.href, err)
		}
		if strings.TrimSuffix(u.Path, "/") == strings.TrimSuffix(col, "/") {
			continue
		}
		r := s.do("GET", u.EscapedPath(), nil)
		s.expect(r, http.StatusOK, "GET "+u.Path)
		if got := r.header.Get("ETag"); got != res.etag {
			s.t.Errorf("GET %s: ETag %q, PROPFIND said %q", u.Path, got, res.etag)
		}
		out[path.Base(u.Path)] = r.body
	}
	return out
}

// ---- iCalendar, just enough to read UID and SUMMARY ----

// component is a top-level component of an iCalendar object.
type component struct {
	name, uid, summary, recurrenceID string
	exdates                          []string
}

// parseICS reads the top-level components (not VTIMEZONE) of an
// iCalendar stream, unfolding lines (RFC 5545 §3.1) and unescaping TEXT
// values (§3.3.11).
func parseICS(data []byte) []component {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.NewReplacer("\n ", "", "\n\t", "").Replace(text)
	var out []component
	var cur *component
	depth := 0
	for _, line := range strings.Split(text, "\n") {
		nameParams, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(nameParams, ";")
		name = strings.ToUpper(name)
		switch name {
		case "BEGIN":
			depth++
			if depth == 2 && value != "VTIMEZONE" {
				out = append(out, component{name: value})
				cur = &out[len(out)-1]
			}
			continue
		case "END":
			if depth == 2 {
				cur = nil
			}
			depth--
			continue
		}
		if cur == nil || depth != 2 {
			continue
		}
		switch name {
		case "UID":
			cur.uid = value
		case "SUMMARY":
			cur.summary = unescapeText(value)
		case "RECURRENCE-ID":
			cur.recurrenceID = value
		case "EXDATE":
			cur.exdates = append(cur.exdates, strings.Split(value, ",")...)
		}
	}
	return out
}

func unescapeText(s string) string {
	return strings.NewReplacer(`\n`, "\n", `\N`, "\n", `\,`, ",", `\;`, ";", `\\`, `\`).Replace(s)
}

// inventory maps each object's UID to its master's SUMMARY.
func inventory(t *testing.T, objects map[string][]byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, data := range objects {
		comps := parseICS(data)
		if len(comps) == 0 {
			t.Errorf("%s holds no component:\n%s", name, data)
			continue
		}
		summary := comps[0].summary
		for _, c := range comps {
			if c.recurrenceID == "" {
				summary = c.summary
			}
		}
		out[comps[0].uid] = summary
	}
	return out
}

func ical(component, uid string, lines ...string) []byte {
	all := append([]string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Veileder tests//clients_test//EN",
		"BEGIN:" + component, "UID:" + uid, "DTSTAMP:20261001T120000Z",
	}, lines...)
	all = append(all, "END:"+component, "END:VCALENDAR", "")
	return []byte(strings.Join(all, "\r\n"))
}

// ---- vdirsyncer ----

// vdirsyncerConfig syncs every collection on either side ("from a", "from
// b") with metadata; local wins a conflict. A second pair fetches one day
// of the personal calendar with vdirsyncer's time-range calendar-query.
const vdirsyncerConfig = `[general]
status_path = %[1]s

[pair veileder]
a = "veileder_local"
b = "veileder_remote"
collections = ["from a", "from b"]
metadata = ["color", "displayname"]
conflict_resolution = "a wins"

[storage veileder_local]
type = "filesystem"
path = %[2]s
fileext = ".ics"

[storage veileder_remote]
type = "caldav"
url = %[4]s
username = %[5]s
password = %[6]s

[pair window]
a = "window_local"
b = "window_remote"
collections = ["personal"]

[storage window_local]
type = "filesystem"
path = %[3]s
fileext = ".ics"

[storage window_remote]
type = "caldav"
url = %[4]s
username = %[5]s
password = %[6]s
item_types = ["VEVENT", "VTODO"]
start_date = "datetime(2026, 11, 3)"
end_date = "datetime(2026, 11, 4)"
`

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func writeFile(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	// Write and rename, as editors do: a new inode and mtime, which is how
	// vdirsyncer sees that a file changed.
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, name); err != nil {
		t.Fatal(err)
	}
}

// localObjects reads a local collection's .ics files: file name to body.
func localObjects(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read local collection: %v", err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".ics") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func readMeta(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Errorf("metadata: %v", err)
		return ""
	}
	return strings.TrimSpace(string(b))
}

func TestVdirsyncer(t *testing.T) {
	t.Parallel()
	bin := lookPath(t, "vdirsyncer", "install the Debian package vdirsyncer (0.19)")
	version, _, err := tryRun(t, command{name: bin, args: []string{"--version"}, env: clientEnv(t)})
	if err != nil {
		skipOrFail(t, "vdirsyncer does not start: %v", err)
	}
	t.Logf("%s", strings.TrimSpace(version))

	for _, dialect := range storetest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			defer func() { t.Logf("vdirsyncer on %s took %v", dialect, time.Since(start).Round(time.Millisecond)) }()
			testVdirsyncer(t, bin, startServer(t, dialect))
		})
	}
}

func testVdirsyncer(t *testing.T, bin string, srv *clientServer) {
	dir := t.TempDir()
	local := filepath.Join(dir, "calendars")
	window := filepath.Join(dir, "window")
	config := filepath.Join(dir, "config")
	writeFile(t, config, fmt.Appendf(nil, vdirsyncerConfig,
		jsonString(filepath.Join(dir, "status")+"/"), jsonString(local+"/"), jsonString(window+"/"),
		jsonString(srv.url+"/"), jsonString(clientUser), jsonString(clientPassword)))
	for _, d := range []string{local, window} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env := clientEnv(t)
	vdirsyncer := func(stdin string, args ...string) string {
		t.Helper()
		out, errOut := run(t, command{name: bin, args: append([]string{"-c", config}, args...), env: env, stdin: stdin, dir: dir})
		// vdirsyncer logs to stderr; an error there with exit status 0
		// is a partial failure (for instance one item that failed).
		if strings.Contains(errOut, "error:") {
			t.Fatalf("vdirsyncer %s reported errors:\n%s%s", strings.Join(args, " "), out, errOut)
		}
		return out + errOut
	}
	personalDAV := "/dav/calendars/" + clientUser + "/personal/"

	// The server side: two events put over HTTP.
	srv.expect(srv.do("PUT", personalDAV+"srv-single.ics", ical("VEVENT", "srv-single",
		"DTSTART:20261104T090000Z", "DTEND:20261104T100000Z", "SUMMARY:Veiledning på tysk – Grüße"),
		"Content-Type", "text/calendar; charset=utf-8", "If-None-Match", "*"), http.StatusCreated, "PUT srv-single")
	srv.expect(srv.do("PUT", personalDAV+"srv-weekly.ics", ical("VEVENT", "srv-weekly",
		"DTSTART;TZID=Europe/Oslo:20261020T120000", "DTEND;TZID=Europe/Oslo:20261020T130000",
		"RRULE:FREQ=WEEKLY;COUNT=10", "SUMMARY:Lunsjmøte"),
		"Content-Type", "text/calendar; charset=utf-8", "If-None-Match", "*"), http.StatusCreated, "PUT srv-weekly")

	// The local side: a recurring event with EXDATE and a to-do in the
	// personal calendar, and a new calendar with a name and a colour.
	writeFile(t, filepath.Join(local, "personal", "local-daily.ics"), ical("VEVENT", "local-daily",
		"DTSTART;TZID=Europe/Oslo:20261102T080000", "DTEND;TZID=Europe/Oslo:20261102T083000",
		"RRULE:FREQ=DAILY;COUNT=5", "EXDATE;TZID=Europe/Oslo:20261104T080000,20261105T080000",
		"SUMMARY:Morgenvakt i skranken – æøå ÆØÅ"))
	writeFile(t, filepath.Join(local, "personal", "local-todo.ics"), ical("VTODO", "local-todo",
		"DUE:20261105T120000Z", "STATUS:NEEDS-ACTION", "SUMMARY:Bestill bøker\\, hefter og kart"))
	// Hand-written files often have bare LF line ends.
	writeFile(t, filepath.Join(local, "lesesal", "lesesal-1.ics"), bytes.ReplaceAll(ical("VEVENT", "lesesal-1",
		"DTSTART;VALUE=DATE:20261110", "DTEND;VALUE=DATE:20261111", "SUMMARY:Lesesalen stengt"), []byte("\r\n"), []byte("\n")))
	writeFile(t, filepath.Join(local, "lesesal", "displayname"), []byte("Lesesal æøå\n"))
	writeFile(t, filepath.Join(local, "lesesal", "color"), []byte("#CC5500\n"))

	// discover asks whether to create each missing collection: yes to all.
	out := vdirsyncer(strings.Repeat("y\n", 20), "discover")
	t.Logf("vdirsyncer discover:\n%s", out)
	out = vdirsyncer("", "sync", "veileder")
	t.Logf("vdirsyncer sync:\n%s", out)
	out = vdirsyncer("", "metasync", "veileder")
	t.Logf("vdirsyncer metasync:\n%s", out)

	// Every server calendar has a local folder ("from b"), and the local
	// one exists on the server as a calendar ("from a", extended MKCOL).
	for _, slug := range []string{"availability", "bookings", "personal", "dropin", "lesesal"} {
		if fi, err := os.Stat(filepath.Join(local, slug)); err != nil || !fi.IsDir() {
			t.Errorf("local collection %s: %v", slug, err)
		}
	}
	lesesal := srv.propfind("/dav/calendars/"+clientUser+"/lesesal/", "0")
	if len(lesesal) != 1 || !lesesal[0].calendar {
		t.Fatalf("the calendar vdirsyncer made: got %+v, want one calendar collection", lesesal)
	}
	if got, want := lesesal[0].displayName, "Lesesal æøå"; got != want {
		t.Errorf("displayname of the made calendar on the server: got %q, want %q", got, want)
	}
	if got, want := strings.ToUpper(lesesal[0].color), "#CC5500"; got != want {
		t.Errorf("colour of the made calendar on the server: got %q, want %q", got, want)
	}
	personal := srv.propfind("/dav/calendars/"+clientUser+"/personal/", "0")
	if got, want := readMeta(t, filepath.Join(local, "personal", "displayname")), personal[0].displayName; got != want || got == "" {
		t.Errorf("displayname of personal, synced to the folder: got %q, want %q", got, want)
	}

	compare := func(when string, want map[string]map[string]string) {
		t.Helper()
		for _, slug := range []string{"personal", "lesesal"} {
			onServer := srv.serverObjects(slug)
			onDisk := localObjects(t, filepath.Join(local, slug))
			if got := inventory(t, onServer); !reflect.DeepEqual(got, want[slug]) {
				t.Errorf("%s: %s on the server: got %v, want %v", when, slug, got, want[slug])
			}
			if got := inventory(t, onDisk); !reflect.DeepEqual(got, want[slug]) {
				t.Errorf("%s: %s on disk: got %v, want %v", when, slug, got, want[slug])
			}
			// Both sides hold the same bytes (the server stores what
			// it was sent; vdirsyncer writes what it fetched).
			byUID := map[string][]byte{}
			for _, data := range onServer {
				if c := parseICS(data); len(c) > 0 {
					byUID[c[0].uid] = data
				}
			}
			for name, data := range onDisk {
				c := parseICS(data)
				if len(c) == 0 {
					continue
				}
				if s, ok := byUID[c[0].uid]; ok && !bytes.Equal(s, data) {
					t.Errorf("%s: %s/%s differs between disk and server:\ndisk:   %q\nserver: %q", when, slug, name, data, s)
				}
			}
		}
	}
	compare("after the first sync", map[string]map[string]string{
		"personal": {
			"srv-single":  "Veiledning på tysk – Grüße",
			"srv-weekly":  "Lunsjmøte",
			"local-daily": "Morgenvakt i skranken – æøå ÆØÅ",
			"local-todo":  "Bestill bøker, hefter og kart",
		},
		"lesesal": {"lesesal-1": "Lesesalen stengt"},
	})

	// One day, 3 November (UTC), by calendar-query with a time-range:
	// the Tuesday instance of srv-weekly (12:00 in Oslo), local-daily's
	// Tuesday instance; not srv-single (4 November), nor the to-do due on
	// 5 November (RFC 4791 §9.9).
	out = vdirsyncer("", "sync", "window")
	t.Logf("vdirsyncer sync window:\n%s", out)
	if got, want := inventory(t, localObjects(t, filepath.Join(window, "personal"))), map[string]string{
		"srv-weekly":  "Lunsjmøte",
		"local-daily": "Morgenvakt i skranken – æøå ÆØÅ",
	}; !reflect.DeepEqual(got, want) {
		t.Errorf("one day of personal by time-range: got %v, want %v", got, want)
	}

	// A second sync has nothing to do: ETags are stable.
	out = vdirsyncer("", "sync", "veileder")
	if strings.Contains(out, "Copying") || strings.Contains(out, "Deleting") {
		t.Errorf("a sync without changes moved items:\n%s", out)
	}

	// Edit and delete on each side.
	daily := filepath.Join(local, "personal", "local-daily.ics")
	b, err := os.ReadFile(daily)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, daily, bytes.Replace(b, []byte("SUMMARY:Morgenvakt i skranken"), []byte("SUMMARY:Morgenvakt flyttet"), 1))
	if err := os.Remove(filepath.Join(local, "personal", "local-todo.ics")); err != nil {
		t.Fatal(err)
	}
	r := srv.do("GET", personalDAV+"srv-single.ics", nil)
	srv.expect(r, http.StatusOK, "GET srv-single")
	etag := r.header.Get("ETag")
	edited := bytes.Replace(r.body, []byte("SUMMARY:Veiledning på tysk"), []byte("SUMMARY:Veiledning på nynorsk"), 1)
	srv.expect(srv.do("PUT", personalDAV+"srv-single.ics", edited,
		"Content-Type", "text/calendar; charset=utf-8", "If-Match", etag), http.StatusNoContent, "edit srv-single on the server")
	r = srv.do("GET", personalDAV+"srv-weekly.ics", nil)
	srv.expect(r, http.StatusOK, "GET srv-weekly")
	srv.expect(srv.do("DELETE", personalDAV+"srv-weekly.ics", nil, "If-Match", r.header.Get("ETag")),
		http.StatusNoContent, "delete srv-weekly on the server")
	// local-daily is edited on both sides: a conflict, which the local
	// side wins (conflict_resolution), so vdirsyncer overwrites the
	// server's version with If-Match.
	r = srv.do("GET", personalDAV+"local-daily.ics", nil)
	srv.expect(r, http.StatusOK, "GET local-daily")
	srv.expect(srv.do("PUT", personalDAV+"local-daily.ics",
		bytes.Replace(r.body, []byte("SUMMARY:Morgenvakt i skranken"), []byte("SUMMARY:Morgenvakt (endret på tjeneren)"), 1),
		"Content-Type", "text/calendar; charset=utf-8", "If-Match", r.header.Get("ETag")), http.StatusNoContent, "edit local-daily on the server")
	// And a colour set on the server for the personal calendar.
	const proppatch = `<?xml version="1.0" encoding="utf-8"?>
<D:propertyupdate xmlns:D="DAV:" xmlns:I="http://apple.com/ns/ical/"><D:set><D:prop><I:calendar-color>#00AA88</I:calendar-color></D:prop></D:set></D:propertyupdate>`
	srv.expect(srv.do("PROPPATCH", personalDAV, []byte(proppatch), "Content-Type", "application/xml"), http.StatusMultiStatus, "PROPPATCH colour")

	out = vdirsyncer("", "sync", "veileder")
	t.Logf("vdirsyncer sync after edits:\n%s", out)
	out = vdirsyncer("", "metasync", "veileder")
	t.Logf("vdirsyncer metasync after edits:\n%s", out)

	compare("after edits and deletes", map[string]map[string]string{
		"personal": {
			"srv-single":  "Veiledning på nynorsk – Grüße",
			"local-daily": "Morgenvakt flyttet – æøå ÆØÅ",
		},
		"lesesal": {"lesesal-1": "Lesesalen stengt"},
	})
	if got, want := strings.ToUpper(readMeta(t, filepath.Join(local, "personal", "color"))), "#00AA88"; got != want {
		t.Errorf("colour of personal after metasync: got %q, want %q", got, want)
	}
	// The recurring event kept its EXDATE list on the way.
	for _, c := range parseICS(srv.serverObjects("personal")["local-daily.ics"]) {
		if got, want := c.exdates, []string{"20261104T080000", "20261105T080000"}; !slices.Equal(got, want) {
			t.Errorf("EXDATE of local-daily on the server: got %v, want %v", got, want)
		}
	}
}

// ---- python3-caldav ----

type pythonResult struct {
	PrincipalURL  string `json:"principal_url"`
	HomeURL       string `json:"home_url"`
	DAVSupport    bool   `json:"dav_support"`
	CalDAVSupport bool   `json:"caldav_support"`
	Calendars     []struct {
		URL  string `json:"url"`
		Name string `json:"name"`
	} `json:"calendars"`
	MadeCalendarURL        string   `json:"made_calendar_url"`
	MadeCalendarName       string   `json:"made_calendar_name"`
	MadeCalendarComponents []string `json:"made_calendar_components"`
	CalendarsAfterMake     []string `json:"calendars_after_make"`
	SavedURLs              []string `json:"saved_urls"`
	SearchExpanded         []struct {
		UID     string `json:"uid"`
		Summary string `json:"summary"`
		Start   string `json:"start"`
	} `json:"search_expanded"`
	SearchExpandedRawHasRRule bool     `json:"search_expanded_raw_has_rrule"`
	SearchDST                 []string `json:"search_dst"`
	SearchSummary             []string `json:"search_summary"`
	SearchSummaryUpper        []string `json:"search_summary_upper"`
	FreeBusyPeriods           []string `json:"freebusy_periods"`
	FreeBusyParseError        string   `json:"freebusy_parse_error"`
	CalendarUserAddresses     []string `json:"calendar_user_addresses"`
	SearchPlain               []string `json:"search_plain"`
	DateSearch                []string `json:"date_search"`
	DateSearchInstances       int      `json:"date_search_instances"`
	Todos                     []string `json:"todos"`
	EventByUIDSummary         string   `json:"event_by_uid_summary"`
	SyncInitialToken          string   `json:"sync_initial_token"`
	SyncInitial               []string `json:"sync_initial"`
	EditedSummary             string   `json:"edited_summary"`
	SyncAfterEdit             []string `json:"sync_after_edit"`
	SyncAfterEditToken        string   `json:"sync_after_edit_token"`
	DeletedStillLoads         bool     `json:"deleted_still_loads"`
	SyncUpdated               []string `json:"sync_updated"`
	SyncDeleted               []string `json:"sync_deleted"`
	SyncFinalToken            string   `json:"sync_final_token"`
	EventsAfterDelete         []string `json:"events_after_delete"`
	CalendarsAfterDelete      []string `json:"calendars_after_delete"`
}

// check reports a difference between got and want under a name.
func check(t *testing.T, name string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: got %#v, want %#v", name, got, want)
	}
}

func TestPythonCalDAV(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(systemPython); err != nil {
		skipOrFail(t, "%s is missing (%v); install the Debian packages python3-caldav and python3-icalendar", systemPython, err)
	}
	probe := `import caldav, icalendar, importlib.metadata as m; print(m.version("caldav"))`
	version, errOut, err := tryRun(t, command{name: systemPython, args: []string{"-c", probe}, env: clientEnv(t)})
	if err != nil {
		skipOrFail(t, "python3-caldav is not importable by %s (%v): %s; install the Debian packages python3-caldav and python3-icalendar", systemPython, err, errOut)
	}
	t.Logf("python caldav %s", strings.TrimSpace(version))
	script, err := filepath.Abs(filepath.Join("testdata", "clients", "python_caldav.py"))
	if err != nil {
		t.Fatal(err)
	}

	for _, dialect := range storetest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			defer func() { t.Logf("python caldav on %s took %v", dialect, time.Since(start).Round(time.Millisecond)) }()
			srv := startServer(t, dialect)
			out, _ := run(t, command{name: systemPython, args: []string{script, srv.url, clientUser, clientPassword}, env: clientEnv(t), dir: t.TempDir()})
			var got pythonResult
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("script output is not JSON: %v\n%s", err, out)
			}
			checkPython(t, srv.url, got)
		})
	}
}

// unescapeURL undoes percent-encoding, so that the library's spelling of
// a URL ("%40" for "@") compares with ours.
func unescapeURL(t *testing.T, s string) string {
	t.Helper()
	u, err := url.PathUnescape(s)
	if err != nil {
		t.Errorf("URL %q: %v", s, err)
		return s
	}
	return u
}

func unescapeURLs(t *testing.T, list []string) []string {
	t.Helper()
	var out []string
	for _, s := range list {
		out = append(out, unescapeURL(t, s))
	}
	return out
}

func checkPython(t *testing.T, base string, got pythonResult) {
	home := base + "/dav/calendars/" + clientUser + "/"
	check(t, "principal URL", unescapeURL(t, got.PrincipalURL), base+"/dav/principals/"+clientUser+"/")
	check(t, "calendar home", unescapeURL(t, got.HomeURL), home)
	check(t, "check_dav_support", got.DAVSupport, true)
	check(t, "check_cdav_support", got.CalDAVSupport, true)
	var urls []string
	for _, c := range got.Calendars {
		urls = append(urls, unescapeURL(t, c.URL))
	}
	check(t, "calendars", urls, []string{home + "availability/", home + "bookings/", home + "dropin/", home + "personal/"})

	made := unescapeURL(t, got.MadeCalendarURL)
	if !strings.HasPrefix(made, home) || !strings.HasSuffix(made, "/") || made == home {
		t.Errorf("made calendar URL: got %q, want a collection in %s", made, home)
	}
	check(t, "made calendar's name", got.MadeCalendarName, "Lesesal æøå")
	if !slices.Contains(got.MadeCalendarComponents, "VEVENT") || !slices.Contains(got.MadeCalendarComponents, "VTODO") {
		t.Errorf("made calendar's components: got %v, want VEVENT and VTODO", got.MadeCalendarComponents)
	}
	if !slices.Contains(unescapeURLs(t, got.CalendarsAfterMake), made) {
		t.Errorf("calendars after make_calendar: got %v, want %s among them", got.CalendarsAfterMake, made)
	}
	check(t, "saved URLs", unescapeURLs(t, got.SavedURLs), []string{made + "py-daily.ics", made + "py-single.ics"})

	type inst struct{ UID, Summary, Start string }
	var expanded []inst
	for _, e := range got.SearchExpanded {
		expanded = append(expanded, inst{e.UID, e.Summary, e.Start})
	}
	check(t, "search(expand=True) over the week", expanded, []inst{
		{"py-daily", "Morgenvakt", "20261102T080000Z"},
		{"py-daily", "Morgenvakt", "20261103T080000Z"},
		{"py-daily", "Morgenvakt", "20261105T080000Z"},
		{"py-daily", "Morgenvakt", "20261106T080000Z"},
		{"py-single", "Veiledning i kildebruk – Ærlig talt", "20261104T090000Z"},
	})
	check(t, "server-side expansion (no RRULE in the answer)", got.SearchExpandedRawHasRRule, false)
	// 09:00 in Oslo: 07:00Z in summer time, 08:00Z from 25 October.
	check(t, "search(expand=True) across the DST change", got.SearchDST, []string{"20261024T070000Z", "20261025T080000Z", "20261026T080000Z"})
	check(t, "search(summary=...) with i;octet", got.SearchSummary, []string{"py-dst", "py-single"})
	check(t, "search(summary=...) with i;octet in upper case", got.SearchSummaryUpper, []string{})
	check(t, "search without expand", got.SearchPlain, []string{"py-daily", "py-single"})
	check(t, "date_search", got.DateSearch, []string{"py-daily", "py-single"})
	check(t, "date_search instances", got.DateSearchInstances, 5)
	check(t, "todos", got.Todos, []string{"py-todo"})
	check(t, "event_by_uid", got.EventByUIDSummary, "Veiledning i kildebruk – Ærlig talt")
	check(t, "calendar_user_address_set", unescapeURLs(t, got.CalendarUserAddresses),
		[]string{"mailto:" + clientEmail, "/dav/principals/" + clientUser + "/"})

	check(t, "free-busy periods", got.FreeBusyPeriods, []string{
		"20261102T080000Z/20261102T083000Z", "20261103T080000Z/20261103T083000Z",
		"20261104T090000Z/20261104T100000Z", "20261105T080000Z/20261105T083000Z",
		"20261106T080000Z/20261106T083000Z",
	})
	// RFC 5545 §3.8.2.6 allows one FREEBUSY property with a comma list
	// of periods, but python3-icalendar before 5 (Debian bookworm has
	// 4.0.3; collective/icalendar#27) cannot parse it, and python caldav
	// parses every answer with it. One FREEBUSY property per period is
	// just as valid and what DAViCal sends.
	if got.FreeBusyParseError != "" {
		t.Errorf("python caldav cannot read the free-busy-query answer: %s\n"+
			"(server: write one FREEBUSY property per period)", got.FreeBusyParseError)
	}

	check(t, "initial sync-collection", got.SyncInitial, []string{"py-daily", "py-dst", "py-later", "py-single", "py-todo"})
	check(t, "summary after edit", got.EditedSummary, "Veiledning – flyttet til rom 2")
	check(t, "sync-collection after edit", got.SyncAfterEdit, []string{"py-single"})
	tokens := []string{got.SyncInitialToken, got.SyncAfterEditToken, got.SyncFinalToken}
	for i, tok := range tokens {
		if tok == "" || slices.Contains(tokens[:i], tok) {
			t.Errorf("sync tokens: got %q, want three different non-empty tokens", tokens)
			break
		}
	}
	check(t, "deleted event still loads", got.DeletedStillLoads, false)
	check(t, "collection.sync: updated", unescapeURLs(t, got.SyncUpdated), []string{made + "py-single.ics"})
	check(t, "collection.sync: deleted", unescapeURLs(t, got.SyncDeleted), []string{made + "py-daily.ics"})
	check(t, "events after delete", got.EventsAfterDelete, []string{"py-dst", "py-later", "py-single"})
	if slices.Contains(unescapeURLs(t, got.CalendarsAfterDelete), made) {
		t.Errorf("calendars after deleting the made one: got %v", got.CalendarsAfterDelete)
	}
}

// ---- tsdav ----

type tsdavResult struct {
	Account struct {
		RootURL      string `json:"rootUrl"`
		PrincipalURL string `json:"principalUrl"`
		HomeURL      string `json:"homeUrl"`
	} `json:"account"`
	UserAddresses []string `json:"userAddresses"`
	Calendars     []struct {
		URL          string   `json:"url"`
		DisplayName  string   `json:"displayName"`
		Components   []string `json:"components"`
		Reports      []string `json:"reports"`
		HasCtag      bool     `json:"hasCtag"`
		HasSyncToken bool     `json:"hasSyncToken"`
	} `json:"calendars"`
	MakeCalendar []struct {
		Status int  `json:"status"`
		OK     bool `json:"ok"`
	} `json:"makeCalendar"`
	Created     []tsdavStatus `json:"created"`
	CreateAgain tsdavStatus   `json:"createAgain"`
	InWeek      []struct {
		URL     string   `json:"url"`
		UIDs    []string `json:"uids"`
		HasEtag bool     `json:"hasEtag"`
	} `json:"inWeek"`
	Expanded []struct {
		URL           string   `json:"url"`
		UIDs          []string `json:"uids"`
		HasRRule      bool     `json:"hasRRule"`
		RecurrenceIDs []string `json:"recurrenceIds"`
	} `json:"expanded"`
	All              []string `json:"all"`
	DirtyAfterCreate bool     `json:"dirtyAfterCreate"`
	SyncCalendars    struct {
		Created                []string `json:"created"`
		Updated                []string `json:"updated"`
		Deleted                []string `json:"deleted"`
		UpdatedPersonalObjects []string `json:"updatedPersonalObjects"`
	} `json:"syncCalendars"`
	DirtyUnchanged bool        `json:"dirtyUnchanged"`
	Update         tsdavStatus `json:"update"`
	UpdateStale    tsdavStatus `json:"updateStale"`
	Delete         tsdavStatus `json:"delete"`
	WebdavSync     struct {
		Created          []string `json:"created"`
		Updated          []string `json:"updated"`
		UpdatedSummaries []string `json:"updatedSummaries"`
		Deleted          []string `json:"deleted"`
		NewToken         bool     `json:"newToken"`
	} `json:"webdavSync"`
	DirtyAfterEdit bool `json:"dirtyAfterEdit"`
	BasicSync      struct {
		Created []string `json:"created"`
		Updated []string `json:"updated"`
		Deleted []string `json:"deleted"`
	} `json:"basicSync"`
	Made *struct {
		DisplayName string   `json:"displayName"`
		Color       string   `json:"color"`
		Components  []string `json:"components"`
	} `json:"made"`
}

type tsdavStatus struct {
	Status int     `json:"status"`
	ETag   *string `json:"etag"`
}

// nodeVersionRE reads the major version from `node --version`.
var nodeVersionRE = regexp.MustCompile(`^v(\d+)\.`)

func TestTsdav(t *testing.T) {
	t.Parallel()
	node := lookPath(t, "node", "install Node.js 18 or later (Debian: nodejs)")
	npm := lookPath(t, "npm", "install npm (Debian: npm, or Node.js from nodesource)")
	version, _, err := tryRun(t, command{name: node, args: []string{"--version"}, env: clientEnv(t)})
	if err != nil {
		skipOrFail(t, "node does not start: %v", err)
	}
	if m := nodeVersionRE.FindStringSubmatch(version); m == nil {
		skipOrFail(t, "cannot read node's version %q", version)
	} else if major, _ := strconv.Atoi(m[1]); major < 18 {
		skipOrFail(t, "tsdav needs node 18 or later; node is %s", strings.TrimSpace(version))
	}

	// Install the pinned tsdav into a copy of the client's folder. npm
	// runs with the test's own environment, so that its cache and any
	// registry or proxy settings apply.
	dir := t.TempDir()
	for _, name := range []string{"package.json", "package-lock.json", "run.mjs"} {
		b, err := os.ReadFile(filepath.Join("testdata", "clients", "tsdav", name))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, name), b)
	}
	if out, errOut, err := tryRun(t, command{name: npm, dir: dir,
		args: []string{"ci", "--no-audit", "--no-fund", "--ignore-scripts", "--prefer-offline"}}); err != nil {
		skipOrFail(t, "npm ci cannot install tsdav: %v\n%s%s", err, out, errOut)
	}

	for _, dialect := range storetest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			defer func() { t.Logf("tsdav on %s took %v", dialect, time.Since(start).Round(time.Millisecond)) }()
			srv := startServer(t, dialect)
			out, _ := run(t, command{name: node, args: []string{"run.mjs", srv.url, clientUser, clientPassword}, env: clientEnv(t), dir: dir})
			var got tsdavResult
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("script output is not JSON: %v\n%s", err, out)
			}
			checkTsdav(t, got)
		})
	}
}

func checkTsdav(t *testing.T, got tsdavResult) {
	home := "/dav/calendars/" + clientUser + "/"
	personal := home + "personal/"
	check(t, "account root", got.Account.RootURL, "/dav/")
	check(t, "account principal", got.Account.PrincipalURL, "/dav/principals/"+clientUser+"/")
	check(t, "account home", got.Account.HomeURL, home)
	check(t, "fetchCalendarUserAddresses", got.UserAddresses, []string{"mailto:" + clientEmail, "/dav/principals/" + clientUser + "/"})

	var urls []string
	for _, c := range got.Calendars {
		urls = append(urls, c.URL)
		if !c.HasCtag || !c.HasSyncToken {
			t.Errorf("calendar %s: ctag %v, sync-token %v; want both", c.URL, c.HasCtag, c.HasSyncToken)
		}
		// tsdav uses sync-collection only when supported-report-set
		// lists it in RFC 3253's wrapper.
		if !slices.Contains(c.Reports, "syncCollection") {
			t.Errorf("calendar %s: reports %v lack syncCollection", c.URL, c.Reports)
		}
	}
	check(t, "calendars", urls, []string{home + "availability/", home + "bookings/", home + "dropin/", personal})

	if len(got.MakeCalendar) != 1 || !got.MakeCalendar[0].OK {
		t.Errorf("makeCalendar: got %+v, want one ok response", got.MakeCalendar)
	}
	for i, c := range got.Created {
		if c.Status != http.StatusCreated || c.ETag == nil || *c.ETag == "" {
			t.Errorf("createCalendarObject %d: got status %d, ETag %v; want 201 with an ETag", i, c.Status, c.ETag)
		}
	}
	check(t, "createCalendarObject over an existing object (If-None-Match: *)", got.CreateAgain.Status, http.StatusPreconditionFailed)

	var inWeek []string
	for _, o := range got.InWeek {
		inWeek = append(inWeek, o.URL+" "+strings.Join(o.UIDs, ","))
		if !o.HasEtag {
			t.Errorf("fetchCalendarObjects: %s has no etag", o.URL)
		}
	}
	check(t, "fetchCalendarObjects in the week", inWeek, []string{personal + "ts-single.ics ts-single", personal + "ts-weekly.ics ts-weekly"})

	type exp struct {
		URL      string
		HasRRule bool
		RIDs     string
	}
	var expanded []exp
	for _, o := range got.Expanded {
		expanded = append(expanded, exp{o.URL, o.HasRRule, strings.Join(o.RecurrenceIDs, ",")})
	}
	// Mondays and Thursdays 14:00 in Oslo, which is 13:00Z in November.
	check(t, "fetchCalendarObjects with expand", expanded, []exp{
		{personal + "ts-single.ics", false, ""},
		{personal + "ts-weekly.ics", false, "20261102T130000Z,20261105T130000Z"},
	})
	if len(got.Created) != 4 {
		t.Errorf("createCalendarObject: got %d answers, want 4", len(got.Created))
	}
	check(t, "all objects", got.All, []string{personal + "møte 1.ics", personal + "ts-later.ics", personal + "ts-single.ics", personal + "ts-weekly.ics"})

	check(t, "isCollectionDirty after creating objects", got.DirtyAfterCreate, true)
	check(t, "syncCalendars: new calendars", got.SyncCalendars.Created, []string{home + "tsdav-made/"})
	check(t, "syncCalendars: changed calendars", got.SyncCalendars.Updated, []string{personal})
	check(t, "syncCalendars: objects of personal", got.SyncCalendars.UpdatedPersonalObjects, got.All)
	check(t, "isCollectionDirty without changes", got.DirtyUnchanged, false)

	if got.Update.Status != http.StatusNoContent || got.Update.ETag == nil {
		t.Errorf("updateCalendarObject: got %d, ETag %v; want 204 with an ETag", got.Update.Status, got.Update.ETag)
	}
	check(t, "updateCalendarObject with a stale etag", got.UpdateStale.Status, http.StatusPreconditionFailed)
	check(t, "deleteCalendarObject", got.Delete.Status, http.StatusNoContent)

	check(t, "sync-collection: created", got.WebdavSync.Created, []string{})
	check(t, "sync-collection: updated", got.WebdavSync.Updated, []string{personal + "ts-single.ics"})
	check(t, "sync-collection: updated summary", got.WebdavSync.UpdatedSummaries, []string{"Søknadsveiledning (rom 3)"})
	check(t, "sync-collection: deleted", got.WebdavSync.Deleted, []string{personal + "ts-later.ics"})
	check(t, "sync-collection: new token", got.WebdavSync.NewToken, true)
	check(t, "isCollectionDirty after edit", got.DirtyAfterEdit, true)
	check(t, "ctag sync: created", got.BasicSync.Created, []string{})
	check(t, "ctag sync: updated", got.BasicSync.Updated, []string{personal + "ts-single.ics"})
	check(t, "ctag sync: deleted", got.BasicSync.Deleted, []string{personal + "ts-later.ics"})

	if got.Made == nil {
		t.Fatalf("the calendar made by makeCalendar is not listed")
	}
	check(t, "made calendar's name", got.Made.DisplayName, "Lånekø")
	check(t, "made calendar's colour", strings.ToUpper(got.Made.Color), "#336699FF")
}

// ---- a log of the server's exchanges, shown when a test fails ----

const (
	maxExchanges = 30
	maxBodyShown = 1500
)

// exchangeLog keeps the last requests and responses, and the server's log
// lines, for the failure message: what a client sent is the evidence for
// a bug report.
type exchangeLog struct {
	mu      sync.Mutex
	entries []string
}

func (l *exchangeLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, s)
	if len(l.entries) > maxExchanges {
		l.entries = l.entries[len(l.entries)-maxExchanges:]
	}
}

// Write takes the server's log lines.
func (l *exchangeLog) Write(p []byte) (int, error) {
	l.add("log: " + strings.TrimSpace(string(p)))
	return len(p), nil
}

func (l *exchangeLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.entries, "\n")
}

func shorten(b []byte) string {
	if len(b) > maxBodyShown {
		return string(b[:maxBodyShown]) + fmt.Sprintf("… (%d bytes)", len(b))
	}
	return string(b)
}

type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if r.body.Len() < maxBodyShown {
		r.body.Write(b)
	}
	return r.ResponseWriter.Write(b)
}

func (l *exchangeLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqBody, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
		rec := &recorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		var hdr []string
		for _, name := range []string{"Depth", "If-Match", "If-None-Match", "Content-Type"} {
			if v := r.Header.Get(name); v != "" {
				hdr = append(hdr, name+": "+v)
			}
		}
		sort.Strings(hdr)
		var respHdr []string
		for _, name := range []string{"ETag", "Location"} {
			if v := w.Header().Get(name); v != "" {
				respHdr = append(respHdr, name+": "+v)
			}
		}
		l.add(fmt.Sprintf("> %s %s %s\n%s\n< %d %s\n%s", r.Method, r.URL.RequestURI(), strings.Join(hdr, "; "),
			shorten(reqBody), rec.status, strings.Join(respHdr, "; "), shorten(rec.body.Bytes())))
	})
}
