package feeds_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/recurrence"
)

// Every feed is read by two parsers that share no code with Veileder or
// with each other: Debian's python3-icalendar (with dateutil and Python's
// zoneinfo for recurrences) and ical.js from npm (with the feed's own
// VTIMEZONEs). What they read must be what the coordinators PUT: the
// occurrences of each session, from the source objects expanded by
// Veileder's recurrence package, with the titles as written (less the
// theme tags).
//
// A missing parser skips the test, except when $CI is "true", where it
// fails: CI must install them (.ci/run installs python3-icalendar, nodejs
// and npm; ical.js is pinned in testdata/icaljs with its lock file).

const systemPython = "/usr/bin/python3"

// window is the span of occurrences compared.
var window = [2]time.Time{time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}

func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true: parsers must be installed)", msg)
	}
	t.Skip(msg)
}

// parsed is what a parser script prints.
type parsed struct {
	Calendar    map[string]string `json:"calendar"`
	Events      []parsedEvent     `json:"events"`
	Occurrences []occurrence      `json:"occurrences"`
}

type parsedEvent struct {
	UID          string   `json:"uid"`
	RecurrenceID string   `json:"recurrence_id"`
	Summary      string   `json:"summary"`
	Description  string   `json:"description"`
	Location     string   `json:"location"`
	AltRep       string   `json:"altrep"`
	XTitle       string   `json:"x_title"`
	XAddress     string   `json:"x_address"`
	Status       string   `json:"status"`
	Sequence     int      `json:"sequence"`
	Categories   []string `json:"categories"`
	Properties   []string `json:"properties"`
	Components   []string `json:"components"`
}

type occurrence struct {
	UID     string `json:"uid"`
	Start   string `json:"start"`
	End     string `json:"end"`
	Summary string `json:"summary"`
	Status  string `json:"status"`
}

func (o occurrence) String() string {
	return fmt.Sprintf("%s %s–%s %q %s", o.UID, o.Start, o.End, o.Summary, o.Status)
}

// parser runs one parser script on a feed.
type parser struct {
	name string
	run  func(t *testing.T, feed []byte) parsed
}

func pythonParser(t *testing.T) parser {
	t.Helper()
	if _, err := os.Stat(systemPython); err != nil {
		skipOrFail(t, "%s is missing; install python3 and python3-icalendar", systemPython)
	}
	if out, err := exec.Command(systemPython, "-c", "import icalendar, dateutil, zoneinfo").CombinedOutput(); err != nil {
		skipOrFail(t, "python3-icalendar is not installed (apt-get install python3-icalendar): %v\n%s", err, out)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "parse_icalendar.py"))
	if err != nil {
		t.Fatal(err)
	}
	return parser{"python3-icalendar", func(t *testing.T, feed []byte) parsed {
		return runParser(t, exec.Command(systemPython, script, iso(window[0]), iso(window[1])), feed)
	}}
}

func icaljsParser(t *testing.T) parser {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		skipOrFail(t, "node is not installed (Debian: nodejs)")
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		skipOrFail(t, "npm is not installed (Debian: npm)")
	}
	// Install the pinned ical.js into a copy of the folder; npm runs with
	// the test's environment, so that its cache and registry settings apply.
	dir := t.TempDir()
	for _, name := range []string{"package.json", "package-lock.json", "parse.mjs"} {
		b, err := os.ReadFile(filepath.Join("testdata", "icaljs", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--prefer-offline")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		skipOrFail(t, "npm ci cannot install ical.js: %v\n%s", err, out)
	}
	return parser{"ical.js", func(t *testing.T, feed []byte) parsed {
		cmd := exec.Command(node, "parse.mjs", iso(window[0]), iso(window[1]))
		cmd.Dir = dir
		return runParser(t, cmd, feed)
	}}
}

func runParser(t *testing.T, cmd *exec.Cmd, feed []byte) parsed {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(feed), &stdout, &stderr
	cmd.Env = append(os.Environ(), "TZ=UTC", "LC_ALL=C.UTF-8", "PYTHONDONTWRITEBYTECODE=1", "PYTHONIOENCODING=utf-8")
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", cmd.Args, err, stderr.String())
	}
	var p parsed
	if err := json.Unmarshal(stdout.Bytes(), &p); err != nil {
		t.Fatalf("%s printed no JSON: %v\n%s", cmd.Args, err, stdout.String())
	}
	return p
}

func iso(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// titles are the sessions' titles as the coordinators wrote them, without
// the tags that name a theme; overridden occurrences have their own.
var titles = map[string]string{
	zoteroUID:  "Zotero-verksted",
	systemUID:  "Systematisk søk for masteroppgaven",
	writingUID: "Skriveuke #skrivestøtte",
	dmpUID:     "Datahåndteringsplan: spør oss",
	oaUID:      "Open access-kaffe",
	cancelUID:  "Zotero for forskere",
	deletedUID: "Zotero på engelsk",
}

var overrideTitles = map[string]string{zoteroUID: "Zotero-verksted (flyttet til rom 2)"}

// expected lists the occurrences of the source sessions in the window,
// as Veileder's recurrence package reads the objects the coordinators
// PUT, plus the deleted session still shown as cancelled.
func expected(t *testing.T, f *fakeStore, keep func(uid string) bool) []occurrence {
	t.Helper()
	var out []occurrence
	for _, o := range f.objects {
		if o.UID == privateUID || !keep(o.UID) {
			continue
		}
		cal, err := ical.NewDecoder(bytes.NewReader(o.Data)).Decode()
		if err != nil {
			t.Fatal(err)
		}
		insts, _, err := recurrence.Expand(cal, window[0], window[1], recurrence.Options{Location: oslo})
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range insts {
			oc := occurrence{UID: o.UID, Start: iso(in.Start), End: iso(in.End), Summary: titles[o.UID]}
			if in.AllDay {
				oc.Start, oc.End = in.Start.In(oslo).Format(time.DateOnly), in.End.In(oslo).Format(time.DateOnly)
			}
			if in.Overridden {
				oc.Summary = overrideTitles[o.UID]
			}
			if p := in.Component.Props.Get(ical.PropStatus); p != nil {
				oc.Status = p.Value
			}
			out = append(out, oc)
		}
	}
	for _, ts := range f.tombstones {
		if ts.DeletedAt.Before(testNow.Add(-30*24*time.Hour)) || !keep(ts.UID) {
			continue
		}
		out = append(out, occurrence{UID: ts.UID, Start: iso(ts.Start), End: iso(ts.End), Summary: titles[ts.UID], Status: "CANCELLED"})
	}
	slices.SortFunc(out, func(a, b occurrence) int {
		if c := strings.Compare(a.Start, b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.UID, b.UID)
	})
	return out
}

func TestParsersReadWhatCoordinatorsPut(t *testing.T) {
	parsers := []parser{pythonParser(t), icaljsParser(t)}
	f := loadedStore(t)
	svc := newService(t, f)
	ctx := context.Background()
	zoteroOnly := func(uid string) bool { return uid == zoteroUID || uid == cancelUID || uid == deletedUID }
	feeds := []struct {
		name, theme, lang string
		keep              func(string) bool
		calname           string
	}{
		{"all.nb", "", "nb", func(string) bool { return true }, "Drop-in-veiledning"},
		{"zotero.en", "zotero", "en", zoteroOnly, "Drop-in guidance: Zotero and references"},
	}
	for _, fd := range feeds {
		doc, err := svc.Feed(ctx, fd.theme, fd.lang)
		if err != nil {
			t.Fatal(err)
		}
		want := expected(t, f, fd.keep)
		for _, p := range parsers {
			t.Run(fd.name+"/"+p.name, func(t *testing.T) {
				got := p.run(t, doc.Body)
				checkOccurrences(t, got.Occurrences, want)
				checkCalendar(t, got.Calendar, fd.calname)
				checkEvents(t, got.Events, fd.lang)
			})
		}
	}

	// The weekly Zotero workshop is at 10:00 in Oslo before and after the
	// DST change of 25 October: 08:00 UTC, then 09:00 UTC; 20 October is
	// excepted; 27 October moved to 12:00.
	wantDST := []string{"2026-10-06T08:00:00Z", "2026-10-13T08:00:00Z", "2026-10-27T11:00:00Z", "2026-11-03T09:00:00Z", "2026-11-10T09:00:00Z", "2026-11-17T09:00:00Z"}
	var got []string
	for _, o := range expected(t, f, func(uid string) bool { return uid == zoteroUID }) {
		got = append(got, o.Start)
	}
	if !slices.Equal(got, wantDST) {
		t.Errorf("the coordinator's series: %v, want %v", got, wantDST)
	}

	// A download of the series reads the same.
	body, _, err := svc.SessionICS(ctx, zoteroUID, time.Time{}, "nb")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parsers {
		t.Run("session/"+p.name, func(t *testing.T) {
			res := p.run(t, body)
			var starts []string
			for _, o := range res.Occurrences {
				starts = append(starts, o.Start)
			}
			if !slices.Equal(starts, wantDST) {
				t.Errorf("series download: %v, want %v", starts, wantDST)
			}
		})
	}
}

func checkOccurrences(t *testing.T, got, want []occurrence) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	var b strings.Builder
	for i := 0; i < len(got) || i < len(want); i++ {
		var g, w occurrence
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		mark := "  "
		if g != w {
			mark = "≠ "
		}
		fmt.Fprintf(&b, "%sgot  %v\n  want %v\n", mark, g, w)
	}
	t.Errorf("occurrences differ:\n%s", b.String())
}

func checkCalendar(t *testing.T, got map[string]string, name string) {
	t.Helper()
	for k, want := range map[string]string{
		"x-wr-calname": name, "name": name, "refresh-interval": "PT1H", "x-published-ttl": "PT1H", "x-wr-timezone": "Europe/Oslo",
	} {
		if got[k] != want {
			t.Errorf("calendar %s = %q, want %q", k, got[k], want)
		}
	}
	if !strings.Contains(got["x-wr-caldesc"], ", ") {
		t.Errorf("x-wr-caldesc = %q, want the escaped comma read back", got["x-wr-caldesc"])
	}
}

// checkEvents checks what a parser read of each event's properties:
// parameters with commas, quotes and æøå, categories with commas and
// quotes in theme names, and no personal data.
func checkEvents(t *testing.T, events []parsedEvent, lang string) {
	t.Helper()
	allowed := []string{"UID", "DTSTAMP", "LAST-MODIFIED", "SEQUENCE", "RECURRENCE-ID", "DTSTART", "DTEND", "DURATION",
		"RRULE", "RDATE", "EXDATE", "SUMMARY", "DESCRIPTION", "LOCATION", "GEO", "X-APPLE-STRUCTURED-LOCATION", "URL",
		"CATEGORIES", "STATUS", "TRANSP"}
	seen := map[string]bool{}
	for _, ev := range events {
		seen[ev.UID] = true
		for _, p := range ev.Properties {
			if !slices.Contains(allowed, p) {
				t.Errorf("%s has %s", ev.UID, p)
			}
		}
		if len(ev.Components) > 0 {
			t.Errorf("%s has sub-components %v", ev.UID, ev.Components)
		}
		switch {
		case ev.UID == zoteroUID && ev.RecurrenceID == "":
			check(t, "zotero x-title", ev.XTitle, `Georg Sverdrups hus "GSH", Læringssenteret`)
			check(t, "zotero x-address", ev.XAddress, "Moltke Moes vei 39, 0851 Oslo")
			check(t, "zotero location", ev.Location, "Georg Sverdrups hus, Læringssenteret (1. etg.)")
			check(t, "zotero description", ev.Description, "Ta med egen PC. Vi går gjennom import, stiler og Word-tillegget for Zotero.\nIngen påmelding.")
			check(t, "zotero summary", ev.Summary, "Zotero-verksted")
		case ev.UID == zoteroUID:
			check(t, "override recurrence-id", ev.RecurrenceID, "2026-10-27T09:00:00Z")
		case ev.UID == systemUID:
			check(t, "systematic altrep", ev.AltRep, "https://www.ub.example.org/rom/sophus-bugge?a=1,2")
			check(t, "systematic categories", strings.Join(ev.Categories, "|"), map[string]string{"nb": "Systematisk søk", "en": "Systematic searching"}[lang])
		case ev.UID == writingUID:
			check(t, "writing categories", strings.Join(ev.Categories, "|"), map[string]string{"nb": `Akademisk skriving – "oppgaver" og sitater`, "en": `Academic writing – "theses" and citations`}[lang])
		case ev.UID == deletedUID:
			check(t, "tombstone status", ev.Status, "CANCELLED")
		}
	}
	if seen[privateUID] || seen[agedOutUID] {
		t.Errorf("a private session or an aged-out tombstone is in the feed")
	}
}

func check[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}
