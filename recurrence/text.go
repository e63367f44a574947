package recurrence

import (
	"io"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The helpers here are the one home of the small RFC 5545 text rules that
// every package writing or reading iCalendar needs: TEXT escaping, content
// line folding, parameter values and calendar addresses.

// EscapeText escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon
// and comma get a backslash, a line break (CRLF, LF or a lone CR) becomes
// "\n".
func EscapeText(s string) string { return textEscaper.Replace(s) }

var textEscaper = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)

// UnescapeText reads a TEXT value (RFC 5545 §3.3.11) leniently: "\\", "\;",
// "\,", "\n" and "\N" are unescaped, and so are "\:" and "\"", which some
// calendar apps write; any other escape is kept as it is, backslash and all,
// so that nothing the sender wrote is lost. It does not split at commas:
// see go-ical's Prop.TextList for multi-valued properties.
func UnescapeText(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		case '\\', ';', ',', ':', '"':
			b.WriteByte(s[i])
		default:
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// OneLine makes free text fit a one-line property such as SUMMARY or
// LOCATION: control characters (line breaks included) become spaces, runs
// of space collapse.
func OneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
}

// ParamText cleans a parameter value such as CN (RFC 5545 §3.1, §3.2): a
// param-value cannot hold a DQUOTE or a control character, even quoted, so
// they go; the encoder then quotes a value holding ',', ';' or ':'.
func ParamText(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(OneLine(s), `"`, ""))
}

// CalAddress is the cal-address (RFC 5545 §3.3.3: a mailto: URI, RFC 6068)
// of an e-mail address, or "" for none. An address that already carries the
// scheme keeps it once: a URI scheme is case-insensitive (RFC 3986 §3.1), so
// "MAILTO:kari@example.org" is "mailto:kari@example.org". Characters that
// would end or split the value or its URI (space, control characters,
// ',', ';', ':', '"', '\', '<', '>') are dropped; addresses reaching here
// were validated, this only keeps a bad row from breaking the calendar data.
func CalAddress(email string) string {
	email = strings.TrimSpace(email)
	const scheme = "mailto:"
	if len(email) >= len(scheme) && strings.EqualFold(email[:len(scheme)], scheme) {
		email = email[len(scheme):]
	}
	email = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`,;:"\<>`, r) {
			return -1
		}
		return r
	}, email)
	if email == "" {
		return ""
	}
	return scheme + email
}

// IsWebURL reports whether s, space around it aside, is an absolute http or
// https URL with a host, fit for a URL property (RFC 5545 §3.8.4.6) or a
// link in an e-mail: a meeting place such as "Rom 2.12" is not, nor is
// "https://" alone (of the two checks there were, only the e-mail one asked
// for a host; that is the one kept, since a link without one goes nowhere).
func IsWebURL(s string) bool {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	// url.Parse lower-cases the scheme, which is case-insensitive
	// (RFC 3986 §3.1).
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// foldLimit is the longest content line RFC 5545 §3.1 allows, in octets,
// without the line break.
const foldLimit = 75

// WriteFolded writes one content line (without its line break) to w, folded
// at 75 octets (RFC 5545 §3.1: CRLF and a space, the space counting towards
// the next line's 75) and ended by CRLF. A fold never splits a UTF-8
// sequence, as §3.1 asks; should the text hold a run of 75 continuation
// bytes (not UTF-8 at all), it is cut at the limit rather than looping
// for ever. Of the two folders there were, only the CalDAV one had that
// guard; this is it.
func WriteFolded(w io.StringWriter, line string) error {
	first := true
	for {
		room := foldLimit
		if !first {
			room-- // the leading space counts
		}
		if !first {
			if _, err := w.WriteString(" "); err != nil {
				return err
			}
		}
		if len(line) <= room {
			_, err := w.WriteString(line + "\r\n")
			return err
		}
		cut := room
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		if cut == 0 {
			cut = room
		}
		if _, err := w.WriteString(line[:cut] + "\r\n"); err != nil {
			return err
		}
		line = line[cut:]
		first = false
	}
}

// Fold folds every content line of data longer than 75 octets (see
// WriteFolded); lines are ended by CRLF, and a last line without one gets
// one. It is for encoders that do not fold, such as go-ical's.
func Fold(data []byte) []byte {
	var out strings.Builder
	out.Grow(len(data) + len(data)/64)
	s := string(data)
	for s != "" {
		line, rest, _ := strings.Cut(s, "\r\n")
		_ = WriteFolded(&out, line) // a strings.Builder does not fail
		s = rest
	}
	return []byte(out.String())
}
