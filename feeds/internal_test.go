package feeds

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/teambition/rrule-go"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/recurrence"
)

var topicsForTags = []booking.Topic{
	{Slug: "zotero", NameNB: "Zotero og referanser", NameEN: "Zotero and references"},
	{Slug: "systematisk", NameNB: "Systematisk søk", NameEN: "Systematic searching"},
}

func TestHashtags(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Zotero-verksted #zotero", []string{"zotero"}},
		{"#Zotero og #systematisk.", []string{"zotero", "systematisk"}},
		{"(#zotero) «#søk»", []string{"zotero", "søk"}},
		{"https://example.org/page#section and &#39; and C#", nil},
		{"Session #1 and #2a", nil},
		{"trailing #zotero- and #a_b_", []string{"zotero", "a_b"}},
		{"#zotero#systematisk", []string{"zotero"}},
	}
	for _, tt := range tests {
		if got := hashtags(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("hashtags(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestThemeIndex(t *testing.T) {
	ix := newThemeIndex(topicsForTags)
	themes, unknown := ix.split([]string{"zotero", "systematic searching", "systematisk", "endnote", "zotero og referanser"})
	if want := []string{"zotero", "systematisk"}; !slices.Equal(themes, want) {
		t.Errorf("themes = %q, want %q", themes, want)
	}
	if want := []string{"endnote"}; !slices.Equal(unknown, want) {
		t.Errorf("unknown = %q, want %q", unknown, want)
	}
}

func TestCleanText(t *testing.T) {
	ix := newThemeIndex(topicsForTags)
	tests := []struct{ in, want string }{
		{"Zotero-verksted #zotero", "Zotero-verksted"},
		{"Zotero-verksted #zotero #ukjent #systematisk", "Zotero-verksted #ukjent"},
		{"Hjelp med #zotero og #endnote.", "Hjelp med zotero og #endnote."},
		{"Bruk #Zotero.\n#systematisk", "Bruk Zotero."},
		{"#zotero", ""},
		{"Søk  i   databaser #systematisk", "Søk  i   databaser"},
	}
	for _, tt := range tests {
		if got := ix.cleanText(tt.in); got != tt.want {
			t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTextValues(t *testing.T) {
	if got, want := textList(`Systematisk søk,EndNote\, X,#zotero`), []string{"Systematisk søk", "EndNote, X", "#zotero"}; !slices.Equal(got, want) {
		t.Errorf("textList = %q, want %q", got, want)
	}
	if got, want := cleanControl("a\r\nb\rc\td\x00e\x7f"), "a\nb\nc de"; got != want {
		t.Errorf("cleanControl = %q, want %q", got, want)
	}
}

func TestParams(t *testing.T) {
	tests := []struct{ in, want string }{
		{`plain`, `"plain"`},
		{`a, b; c: d`, `"a, b; c: d"`},
		{`say "hi"`, `"say ^'hi^'"`},
		{"two\nlines", `"two^nlines"`},
		{`^caret^`, `"^^caret^^"`},
		{"bell\x07", `"bell"`},
		{"Blåbær ÆØÅ", `"Blåbær ÆØÅ"`},
	}
	for _, tt := range tests {
		got := quoteParam(tt.in)
		if got != tt.want {
			t.Errorf("quoteParam(%q) = %s, want %s", tt.in, got, tt.want)
		}
		if back := decodeParam(strings.Trim(got, `"`)); back != strings.ReplaceAll(tt.in, "\x07", "") {
			t.Errorf("decodeParam(%s) = %q, want %q", got, back, tt.in)
		}
	}
	p := prop{name: "X-APPLE-STRUCTURED-LOCATION", value: "geo:1,2", valueType: "URI",
		params: []param{{"VALUE", "URI"}, {"X-TITLE", "a, b"}, {"X-APPLE-RADIUS", "70"}}}
	ip := p.iana()
	if got, want := ip.IANAToken, `X-APPLE-STRUCTURED-LOCATION;X-TITLE="a, b"`; got != want {
		t.Errorf("token = %s, want %s", got, want)
	}
	if got := ip.ICalParameters["VALUE"]; !slices.Equal(got, []string{"URI"}) {
		t.Errorf("VALUE = %q, want URI (so that golang-ical leaves the value alone)", got)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{
		"":                        false,
		"gzip":                    true,
		"gzip, deflate, br, zstd": true,
		"br;q=1.0, gzip;q=0.8":    true,
		"gzip;q=0":                false,
		"identity":                false,
		"*":                       true,
		"*;q=0":                   false,
		"gzip;q=0, *":             false,
		"x-gzip":                  true,
	} {
		if got := acceptsGzip(h); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", h, got, want)
		}
	}
}

func TestNotModified(t *testing.T) {
	mod := time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC)
	req := func(h ...string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		for i := 0; i+1 < len(h); i += 2 {
			r.Header.Set(h[i], h[i+1])
		}
		return r
	}
	tests := []struct {
		r    *http.Request
		want bool
	}{
		{req(), false},
		{req("If-None-Match", `"abc"`), true},
		{req("If-None-Match", `"abc-gz"`), true},
		{req("If-None-Match", `W/"abc"`), true},
		{req("If-None-Match", `"x", "abc"`), true},
		{req("If-None-Match", `*`), true},
		{req("If-None-Match", `"old"`), false},
		// If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
		{req("If-None-Match", `"old"`, "If-Modified-Since", mod.Format(http.TimeFormat)), false},
		{req("If-Modified-Since", mod.Format(http.TimeFormat)), true},
		{req("If-Modified-Since", mod.Add(-time.Second).Format(http.TimeFormat)), false},
		{req("If-Modified-Since", "yesterday"), false},
	}
	for i, tt := range tests {
		if got := notModified(tt.r, "abc", mod); got != tt.want {
			t.Errorf("case %d %v: notModified = %v, want %v", i, tt.r.Header, got, tt.want)
		}
	}
}

type onset struct {
	at  time.Time
	off int
}

// onsets evaluates generated observances the way a client does, up to
// last: each onset is a wall clock time in TZOFFSETFROM, from which
// TZOFFSETTO applies.
func onsets(t *testing.T, obs []observance, last time.Time) []onset {
	t.Helper()
	var out []onset
	for _, ob := range obs {
		walls := []time.Time{ob.start}
		if ob.rrule != "" {
			r, err := rrule.StrToRRule(ob.rrule)
			if err != nil {
				t.Fatalf("rrule %q: %v", ob.rrule, err)
			}
			opts := r.OrigOptions
			opts.Dtstart = ob.start
			if !opts.Until.IsZero() {
				// UNTIL is UTC; the onsets are wall clock in TZOFFSETFROM.
				opts.Until = opts.Until.Add(time.Duration(ob.offsetFrom) * time.Second)
			}
			if r, err = rrule.NewRRule(opts); err != nil {
				t.Fatal(err)
			}
			walls = r.Between(ob.start, last, true)
		}
		for _, w := range walls {
			out = append(out, onset{w.Add(-time.Duration(ob.offsetFrom) * time.Second), ob.offsetTo})
		}
	}
	slices.SortFunc(out, func(a, b onset) int { return a.at.Compare(b.at) })
	return out
}

// offsetAt is TZOFFSETTO of the latest onset at or before at.
func offsetAt(on []onset, at time.Time) (int, bool) {
	i, _ := slices.BinarySearchFunc(on, at, func(o onset, at time.Time) int {
		if o.at.After(at) {
			return 1
		}
		return -1
	})
	if i == 0 {
		return 0, false
	}
	return on[i-1].off, true
}

func TestObservancesMatchGo(t *testing.T) {
	first := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC)
	for _, name := range []string{"Europe/Oslo", "America/New_York", "Australia/Sydney", "Asia/Tokyo", "Europe/London", "America/Sao_Paulo", "Europe/Moscow", "UTC"} {
		t.Run(name, func(t *testing.T) {
			loc, err := time.LoadLocation(name)
			if err != nil {
				t.Fatal(err)
			}
			obs := observances(loc, first, last)
			if len(obs) == 0 || len(obs) > 12 {
				t.Fatalf("%d observances, want a few: %+v", len(obs), obs)
			}
			on := onsets(t, obs, last.AddDate(1, 0, 0))
			for at := first; at.Before(last); at = at.Add(90 * time.Minute) {
				_, want := at.In(loc).Zone()
				got, ok := offsetAt(on, at)
				if !ok || got != want {
					t.Fatalf("at %v: offset %d (found %v), want %d; observances %+v", at, got, ok, want, obs)
				}
			}
		})
	}
	obs := observances(time.FixedZone("x", 0), first, last)
	if len(obs) != 1 {
		t.Errorf("a fixed zone has %d observances, want 1", len(obs))
	}
}

func TestYearlyRule(t *testing.T) {
	for w, want := range map[time.Time]string{
		time.Date(2026, 3, 29, 2, 0, 0, 0, time.UTC):  "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
		time.Date(2026, 10, 25, 3, 0, 0, 0, time.UTC): "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
		time.Date(2026, 3, 8, 2, 0, 0, 0, time.UTC):   "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",
		time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC):  "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",
	} {
		if got := yearlyRule(w); got != want {
			t.Errorf("yearlyRule(%v) = %s, want %s", w, got, want)
		}
	}
}

func TestLocalTime(t *testing.T) {
	oslo, _ := time.LoadLocation("Europe/Oslo")
	// 02:30 on 25 October 2026 happens twice: RFC 5545 means the first.
	fold := recurrence.LocalTime(time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC), oslo)
	if got, want := fold.UTC(), time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("fold: %v, want %v", got, want)
	}
	// 02:30 on 29 March 2026 does not exist: read with the offset before.
	gap := recurrence.LocalTime(time.Date(2026, 3, 29, 2, 30, 0, 0, time.UTC), oslo)
	if got, want := gap.UTC(), time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("gap: %v, want %v", got, want)
	}
	r := newRenderer(oslo, "nb", newThemeIndex(nil))
	// The second 02:30 cannot be written as Oslo wall clock: UTC it is.
	second := time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)
	if v, params := r.dateValue(dtValue{at: second}, oslo); v != "20261025T013000Z" || params != nil {
		t.Errorf("second 02:30 written as %s %v", v, params)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ny, _ := time.LoadLocation("America/New_York")
	from, to := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC)
	if !sameRules(oslo, berlin, from, to) {
		t.Errorf("Oslo and Berlin differ")
	}
	if sameRules(oslo, ny, from, to) {
		t.Errorf("Oslo and New York agree")
	}
}
