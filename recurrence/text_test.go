package recurrence

import (
	"strings"
	"testing"
	"time"
)

// Tables built from the examples of RFC 5545, for the one home of each
// text rule: §3.1 folding, §3.3.6 durations, §3.3.11 TEXT escaping.

func TestEscapeText(t *testing.T) {
	tests := []struct{ in, want string }{
		// §3.3.11 example: "Project XYZ Final Review\nConference Room - 3B\nCome Prepared."
		{"Project XYZ Final Review\nConference Room - 3B\nCome Prepared.", `Project XYZ Final Review\nConference Room - 3B\nCome Prepared.`},
		// §3.8.1.7 LOCATION example: "Conference Room - F123\, Bldg. 002"
		{"Conference Room - F123, Bldg. 002", `Conference Room - F123\, Bldg. 002`},
		{`a;b\c`, `a\;b\\c`},
		{"CRLF\r\nLF\nCR\r", `CRLF\nLF\nCR\n`},
		{"Blåbærsyltetøy: ingen escape", "Blåbærsyltetøy: ingen escape"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := EscapeText(tt.in); got != tt.want {
			t.Errorf("EscapeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := UnescapeText(EscapeText(tt.in)); got != strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(tt.in) {
			t.Errorf("UnescapeText(EscapeText(%q)) = %q, want the text back with LF line ends", tt.in, got)
		}
	}
}

func TestUnescapeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{`Project XYZ Final Review\nConference Room - 3B\nCome Prepared.`, "Project XYZ Final Review\nConference Room - 3B\nCome Prepared."},
		{`Conference Room - F123\, Bldg. 002`, "Conference Room - F123, Bldg. 002"},
		{`a\, b\; c\\d\ne, f\x`, "a, b; c\\d\ne, f\\x"}, // an unknown escape is kept
		{`upper \N too`, "upper \n too"},
		{`Outlook\: writes \"this\"`, `Outlook: writes "this"`},
		{`trailing \`, `trailing \`},
		{"plain", "plain"},
	}
	for _, tt := range tests {
		if got := UnescapeText(tt.in); got != tt.want {
			t.Errorf("UnescapeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriteFolded(t *testing.T) {
	exactly75 := "DESCRIPTION:" + strings.Repeat("a", 75-len("DESCRIPTION:"))
	tests := []struct {
		name, in string
		want     []string // the physical lines, without CRLF
	}{
		{name: "short line", in: "SUMMARY:Veiledning", want: []string{"SUMMARY:Veiledning"}},
		{name: "75 octets stay on one line", in: exactly75, want: []string{exactly75}},
		{
			name: "76 octets fold once",
			in:   exactly75 + "b",
			want: []string{exactly75, " b"},
		},
		{
			// §3.1: the continuation's leading space counts towards its 75.
			name: "continuations hold 74 octets",
			in:   exactly75 + strings.Repeat("c", 74) + "d",
			want: []string{exactly75, " " + strings.Repeat("c", 74), " d"},
		},
		{
			// "æ" is two octets, octets 75 and 76: it moves whole to the
			// next line (§3.1: do not split a UTF-8 sequence).
			name: "a multi-octet character is not split",
			in:   exactly75[:74] + "æøå",
			want: []string{exactly75[:74], " æøå"},
		},
		{
			name: "a lone run of continuation bytes is cut at the limit",
			in:   strings.Repeat("\x80", 100),
			want: []string{strings.Repeat("\x80", 75), " " + strings.Repeat("\x80", 25)},
		},
	}
	for _, tt := range tests {
		var b strings.Builder
		if err := WriteFolded(&b, tt.in); err != nil {
			t.Fatalf("%s: WriteFolded: %v", tt.name, err)
		}
		got := strings.Split(strings.TrimSuffix(b.String(), "\r\n"), "\r\n")
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: got lines %q, want %q", tt.name, got, tt.want)
		}
		for i, l := range got {
			if len(l) > 75 {
				t.Errorf("%s: line %d has %d octets, more than 75", tt.name, i, len(l))
			}
		}
		// §3.1 unfolding: removing each CRLF and the one space after it
		// gives the line back.
		if got := strings.ReplaceAll(b.String(), "\r\n ", ""); got != tt.in+"\r\n" {
			t.Errorf("%s: unfolded %q, want %q", tt.name, got, tt.in+"\r\n")
		}
	}
}

func TestFold(t *testing.T) {
	long := "DESCRIPTION:" + strings.Repeat("æ", 100)
	tests := []struct{ in, want string }{
		{"A:b\r\nC:d\r\n", "A:b\r\nC:d\r\n"},
		{"A:b", "A:b\r\n"},
		{"", ""},
		{"A:b\r\n" + long + "\r\nC:d\r\n", "A:b\r\n" + "DESCRIPTION:" + strings.Repeat("æ", 31) + "\r\n " +
			strings.Repeat("æ", 37) + "\r\n " + strings.Repeat("æ", 32) + "\r\nC:d\r\n"},
	}
	for _, tt := range tests {
		if got := string(Fold([]byte(tt.in))); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseDurationRFCExamples(t *testing.T) {
	oslo := mustLoad("Europe/Oslo")
	start := time.Date(2026, 3, 28, 12, 0, 0, 0, oslo) // the day before summer time
	tests := []struct {
		in       string
		approx   time.Duration
		addedTo  string // start + the duration, in Oslo
		wantFail bool
	}{
		// §3.3.6: "A duration of 15 days, 5 hours, and 20 seconds".
		{in: "P15DT5H0M20S", approx: 15*24*time.Hour + 5*time.Hour + 20*time.Second, addedTo: "2026-04-12T17:00:20+02:00"},
		// §3.3.6: "A duration of 7 weeks".
		{in: "P7W", approx: 49 * 24 * time.Hour, addedTo: "2026-05-16T12:00:00+02:00"},
		// §3.8.6.3 TRIGGER examples: 15 minutes before, 5 minutes after.
		{in: "-PT15M", approx: -15 * time.Minute, addedTo: "2026-03-28T11:45:00+01:00"},
		{in: "+PT5M", approx: 5 * time.Minute, addedTo: "2026-03-28T12:05:00+01:00"},
		// §3.8.2.5 DURATION examples.
		{in: "PT1H0M0S", approx: time.Hour, addedTo: "2026-03-28T13:00:00+01:00"},
		{in: "PT15M", approx: 15 * time.Minute, addedTo: "2026-03-28T12:15:00+01:00"},
		// A nominal day across the change to summer time is 23 hours,
		// 24 exact hours end an hour later on the wall clock (§3.3.6).
		{in: "P1D", approx: 24 * time.Hour, addedTo: "2026-03-29T12:00:00+02:00"},
		{in: "PT24H", approx: 24 * time.Hour, addedTo: "2026-03-29T13:00:00+02:00"},
		{in: "-P1W", approx: -7 * 24 * time.Hour, addedTo: "2026-03-21T12:00:00+01:00"},
		{in: "P1W2D", approx: 9 * 24 * time.Hour, addedTo: "2026-04-06T12:00:00+02:00"}, // lenient: parts mixed
		{in: "P", wantFail: true},
		{in: "PT", wantFail: true},
		{in: "P1DT", wantFail: true},
		{in: "PT1H1", wantFail: true},
		{in: "P1H", wantFail: true},
		{in: "PT1W", wantFail: true},
		{in: "P1DTT1H", wantFail: true},
		{in: "15M", wantFail: true},
		{in: "--PT1M", wantFail: true},
		{in: "P999999999W", wantFail: true},   // past a century
		{in: "PT999999999H", wantFail: true},  // would overflow time.Duration
		{in: "P99999999999D", wantFail: true}, // eleven digits
		{in: "P36600D", approx: 36600 * 24 * time.Hour, addedTo: "2126-06-12T12:00:00+02:00"}, // the limit
	}
	for _, tt := range tests {
		d, err := ParseDuration(tt.in)
		if tt.wantFail {
			if err == nil {
				t.Errorf("ParseDuration(%q) = %+v, want an error", tt.in, d)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseDuration(%q): %v", tt.in, err)
			continue
		}
		if got := d.Approx(); got != tt.approx {
			t.Errorf("ParseDuration(%q).Approx() = %v, want %v", tt.in, got, tt.approx)
		}
		if got := d.AddTo(start).Format(time.RFC3339); got != tt.addedTo {
			t.Errorf("ParseDuration(%q).AddTo(%s) = %s, want %s", tt.in, start.Format(time.RFC3339), got, tt.addedTo)
		}
	}
}

func TestDurationArithmeticLimits(t *testing.T) {
	week, _ := ParseDuration("P1W")
	quarter, _ := ParseDuration("-PT15M")
	tests := []struct {
		name   string
		got    func() (Duration, bool)
		want   time.Duration
		wantOK bool
	}{
		{"3 x P1W", func() (Duration, bool) { return week.Times(3) }, 21 * 24 * time.Hour, true},
		{"0 x P1W", func() (Duration, bool) { return week.Times(0) }, 0, true},
		{"6000 x P1W is past a century", func() (Duration, bool) { return week.Times(6000) }, 0, false},
		{"-1 x P1W", func() (Duration, bool) { return week.Times(-1) }, 0, false},
		{"P1W + -PT15M", func() (Duration, bool) { return week.Plus(quarter) }, 7*24*time.Hour - 15*time.Minute, true},
		{"P5000W + P5000W", func() (Duration, bool) {
			d, _ := week.Times(5000)
			return d.Plus(d)
		}, 0, false},
	}
	for _, tt := range tests {
		d, ok := tt.got()
		if ok != tt.wantOK || ok && d.Approx() != tt.want {
			t.Errorf("%s = %v, %v; want %v, %v", tt.name, d.Approx(), ok, tt.want, tt.wantOK)
		}
	}
}

func TestLocalTimeReadsWallClock(t *testing.T) {
	// The wall clock fields count, not the instant: 02:30 written in any
	// zone is 02:30 on the Oslo clock.
	ny := mustLoad("America/New_York")
	for _, w := range []time.Time{
		time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC),
		time.Date(2026, 10, 25, 2, 30, 0, 0, ny),
	} {
		if got, want := LocalTime(w, oslo).Format(time.RFC3339), "2026-10-25T02:30:00+02:00"; got != want {
			t.Errorf("LocalTime(%s, Oslo) = %s, want %s (the first of the two 02:30s)", w, got, want)
		}
	}
}

func TestCalAddress(t *testing.T) {
	tests := []struct{ in, want string }{
		{"kari@ub.example.org", "mailto:kari@ub.example.org"},
		{"  kari@ub.example.org\n", "mailto:kari@ub.example.org"},
		// The scheme is case-insensitive (RFC 3986 §3.1, RFC 6068 §2)
		// and is written once.
		{"mailto:kari@ub.example.org", "mailto:kari@ub.example.org"},
		{"MAILTO:kari@ub.example.org", "mailto:kari@ub.example.org"},
		{"MailTo:kari@ub.example.org", "mailto:kari@ub.example.org"},
		// What would end or split the value goes.
		{`"Kari" <kari@ub.example.org>, ola@ub.example.org;x`, "mailto:Karikari@ub.example.orgola@ub.example.orgx"},
		{"ka ri:@ub.example.org", "mailto:kari@ub.example.org"},
		{"", ""},
		{"mailto:", ""},
		{" ;, ", ""},
	}
	for _, tt := range tests {
		if got := CalAddress(tt.in); got != tt.want {
			t.Errorf("CalAddress(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParamTextAndOneLine(t *testing.T) {
	tests := []struct{ in, oneLine, param string }{
		{"Doe, John; Jr.", "Doe, John; Jr.", "Doe, John; Jr."},
		{"  Kari\r\n\tNordmann  ", "Kari Nordmann", "Kari Nordmann"},
		{`Say "hi"`, `Say "hi"`, "Say hi"},
		{"a\x00b\x1fc", "a b c", "a b c"},
		{`"`, `"`, ""},
	}
	for _, tt := range tests {
		if got := OneLine(tt.in); got != tt.oneLine {
			t.Errorf("OneLine(%q) = %q, want %q", tt.in, got, tt.oneLine)
		}
		if got := ParamText(tt.in); got != tt.param {
			t.Errorf("ParamText(%q) = %q, want %q", tt.in, got, tt.param)
		}
	}
}

func TestIsWebURL(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"https://uio.zoom.us/j/123", true},
		{"http://meet.example.org/room?x=1", true},
		{"HTTPS://Meet.Example.org/", true},
		{"  https://meet.example.org  ", true},
		{"https://", false},
		{"https:///path", false},
		{"https://meet.example.org/a b", false},
		{"Georg Sverdrups hus, rom 2.12", false},
		{"mailto:kari@ub.example.org", false},
		{"ftp://files.example.org", false},
		{"javascript:alert(1)", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsWebURL(tt.in); got != tt.want {
			t.Errorf("IsWebURL(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
