package feeds_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./feeds/ -run Golden -update to create it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\r\n"), strings.Split(string(want), "\r\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("%s differs at line %d:\ngot  %q\nwant %q\n(run with -update if the change is intended)", name, i+1, g, w)
		}
	}
	t.Fatalf("%s differs", name)
}

// forbidden must never be in a feed: personal data from the coordinators'
// objects, and what carries it.
var forbidden = []string{
	"ORGANIZER", "ATTENDEE", "CONTACT", "BEGIN:VALARM", "mailto:", "kari.nordmann", "per.student",
	"22 85 00 00", "99 99 99 99", "Planlegging", "X-MOZ", "X-MICROSOFT",
}

// checkWellFormed checks RFC 5545 §3.1 framing: CRLF line ends only,
// lines of at most 75 octets, folds that do not split a UTF-8 character,
// and balanced components; and that nothing personal got through.
func checkWellFormed(t *testing.T, name string, body []byte) {
	t.Helper()
	s := string(body)
	if !strings.HasSuffix(s, "\r\n") {
		t.Errorf("%s: does not end with CRLF", name)
	}
	if strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\n") || strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\r") {
		t.Errorf("%s: has a bare LF or CR", name)
	}
	depth := 0
	for i, line := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("%s line %d: %d octets, want at most 75: %q", name, i+1, len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("%s line %d: a fold splits a UTF-8 character: %q", name, i+1, line)
		}
		switch {
		case strings.HasPrefix(line, "BEGIN:"):
			depth++
		case strings.HasPrefix(line, "END:"):
			depth--
		}
	}
	if depth != 0 {
		t.Errorf("%s: BEGIN and END do not balance", name)
	}
	unfolded := strings.ReplaceAll(strings.ReplaceAll(s, "\r\n ", ""), "\r\n\t", "")
	for _, f := range forbidden {
		if strings.Contains(unfolded, f) {
			t.Errorf("%s: holds %q", name, f)
		}
	}
	if _, err := ical.NewDecoder(strings.NewReader(s)).Decode(); err != nil {
		t.Errorf("%s: go-ical cannot read it: %v", name, err)
	}
}

func TestGoldenFeeds(t *testing.T) {
	svc := newService(t, loadedStore(t))
	ctx := context.Background()
	for _, tt := range []struct{ file, theme, lang string }{
		{"all.nb.ics", "", "nb"},
		{"all.en.ics", "", "en"},
		{"zotero.en.ics", "zotero", "en"},
		{"skriving-akademisk.nb.ics", "skriving-akademisk", "nb"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			doc, err := svc.Feed(ctx, tt.theme, tt.lang)
			if err != nil {
				t.Fatal(err)
			}
			checkWellFormed(t, tt.file, doc.Body)
			golden(t, tt.file, doc.Body)
		})
	}
	t.Run("session-series.ics", func(t *testing.T) {
		body, name, err := svc.SessionICS(ctx, zoteroUID, time.Time{}, "nb")
		if err != nil {
			t.Fatal(err)
		}
		if want := "dropin-2026-10-06.ics"; name != want {
			t.Errorf("file name = %q, want %q", name, want)
		}
		checkWellFormed(t, name, body)
		golden(t, "session-series.ics", body)
	})
	t.Run("session-occurrence.ics", func(t *testing.T) {
		// The 3 November occurrence, after the DST change: 10:00 in Oslo.
		body, _, err := svc.SessionICS(ctx, zoteroUID, time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC), "en")
		if err != nil {
			t.Fatal(err)
		}
		checkWellFormed(t, "occurrence", body)
		golden(t, "session-occurrence.ics", body)
		for _, want := range []string{"DTSTART;TZID=Europe/Oslo:20261103T100000", "DTEND;TZID=Europe/Oslo:20261103T113000", "METHOD:PUBLISH"} {
			if !strings.Contains(string(body), want) {
				t.Errorf("occurrence lacks %q", want)
			}
		}
		_, ev, _ := strings.Cut(string(body), "BEGIN:VEVENT")
		if strings.Contains(ev, "RRULE") || strings.Contains(ev, "EXDATE") {
			t.Errorf("a single occurrence has an RRULE")
		}
	})
}

const (
	zoteroUID   = "6F1C2E5A-0B7D-4C1E-9A53-7D2A0E11F00D@ub.example.org"
	systemUID   = "f3b1c6a0-systematisk-1@ub.example.org"
	writingUID  = "skriveuke-2026@ub.example.org"
	privateUID  = "private-planning@ub.example.org"
	dmpUID      = "040000008200E00074C5B7101A82E00800000000DMP@ub.example.org"
	oaUID       = "oa-kaffe@ub.example.org"
	cancelUID   = "cancelled-zotero@ub.example.org"
	deletedUID  = "deleted-zotero@ub.example.org"
	agedOutUID  = "old@ub.example.org"
	unknownTag1 = "ukjent-tema"
)

// Parameter values with commas, quotes, colons, semicolons, carets, a line
// break and æøå come out quoted, with RFC 6868 escapes, and read back the
// same with go-ical (which leaves RFC 6868 escapes to its caller).
func TestParameterQuoting(t *testing.T) {
	f := newFakeStore()
	title := "Blåbærsalen \"A\"; 2. etg: ^ved^ kafé, Ø"
	src := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:p@x\r\nDTSTAMP:20260901T000000Z\r\n" +
		"DTSTART;TZID=Europe/Oslo:20261012T100000\r\nDTEND;TZID=Europe/Oslo:20261012T110000\r\nSUMMARY:Param #zotero\r\n" +
		"X-APPLE-STRUCTURED-LOCATION;VALUE=URI;X-ADDRESS=\"Problemveien 7, 0313 Oslo\";X-TITLE=\"Blåbærsalen ^'A^'; 2. etg: ^^ved^^ kafé, Ø\":geo:59.9,10.7\r\n" +
		"LOCATION;ALTREP=\"https://example.org/a,b;c\":Blåbærsalen\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n"
	f.put(t, "p.ics", []byte(src), testNow)
	doc, err := newService(t, f).Feed(context.Background(), "", "nb")
	if err != nil {
		t.Fatal(err)
	}
	checkWellFormed(t, "params", doc.Body)
	unfolded := strings.ReplaceAll(string(doc.Body), "\r\n ", "")
	for _, want := range []string{
		`X-TITLE="Blåbærsalen ^'A^'; 2. etg: ^^ved^^ kafé, Ø"`,
		`X-ADDRESS="Problemveien 7, 0313 Oslo"`,
		`LOCATION;ALTREP="https://example.org/a,b;c":Blåbærsalen`,
	} {
		if !strings.Contains(unfolded, want) {
			t.Errorf("feed lacks %s:\n%s", want, unfolded)
		}
	}
	if strings.Contains(unfolded, `\,`) && strings.Contains(unfolded, `X-ADDRESS=Problemveien`) {
		t.Errorf("parameter backslash-escaped instead of quoted")
	}
	cal, err := ical.NewDecoder(bytes.NewReader(doc.Body)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range cal.Events() {
		p := ev.Props.Get("X-APPLE-STRUCTURED-LOCATION")
		if p == nil {
			t.Fatal("no X-APPLE-STRUCTURED-LOCATION")
		}
		got := strings.NewReplacer("^'", `"`, "^^", "^").Replace(p.Params.Get("X-TITLE"))
		if got != title {
			t.Errorf("X-TITLE = %q, want %q", got, title)
		}
		if got, want := p.Value, "geo:59.9,10.7"; got != want {
			t.Errorf("X-APPLE-STRUCTURED-LOCATION = %q, want %q", got, want)
		}
	}
}
