package calquery

import (
	"bufio"
	"errors"
	"io"
	"sort"
	"strings"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/recurrence"
)

// Encode writes cal as iCalendar text (RFC 5545 §3.1): CRLF line ends,
// lines folded at 75 octets without splitting a UTF-8 sequence, parameter
// values quoted when they hold ';', ':' or ','.
//
// Unlike go-ical's encoder it does not insist on the properties RFC 5545
// requires, because a calendar-data answer shaped by CALDAV:comp/CALDAV:prop
// leaves them out on purpose (RFC 4791 §9.6, example §7.8.1). Properties of a
// component are written VERSION and PRODID first, then UID, DTSTAMP,
// DTSTART, then by name, so the output is stable.
func Encode(w io.Writer, cal *ical.Calendar) error {
	if cal == nil || cal.Component == nil {
		return errors.New("calquery: encode: no calendar")
	}
	bw := bufio.NewWriter(w)
	encodeComponent(bw, cal.Component)
	return bw.Flush()
}

var propRank = map[string]int{
	ical.PropVersion: 1, ical.PropProductID: 2, ical.PropUID: 3,
	ical.PropDateTimeStamp: 4, ical.PropDateTimeStart: 5,
}

func encodeComponent(w *bufio.Writer, c *ical.Component) {
	writeLine(w, "BEGIN:"+c.Name)
	names := make([]string, 0, len(c.Props))
	for name := range c.Props {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		ri, rj := propRank[names[i]], propRank[names[j]]
		if ri == 0 {
			ri = 100
		}
		if rj == 0 {
			rj = 100
		}
		if ri != rj {
			return ri < rj
		}
		return names[i] < names[j]
	})
	for _, name := range names {
		for _, p := range c.Props[name] {
			writeLine(w, contentLine(&p))
		}
	}
	for _, ch := range c.Children {
		encodeComponent(w, ch)
	}
	writeLine(w, "END:"+c.Name)
}

func contentLine(p *ical.Prop) string {
	var b strings.Builder
	b.WriteString(p.Name)
	params := make([]string, 0, len(p.Params))
	for k := range p.Params {
		params = append(params, k)
	}
	sort.Strings(params)
	for _, k := range params {
		b.WriteString(";")
		b.WriteString(k)
		b.WriteString("=")
		for i, v := range p.Params[k] {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(paramValue(v))
		}
	}
	b.WriteString(":")
	// A raw line break cannot be in a content line; TEXT escapes it as \n
	// (RFC 5545 §3.3.11).
	v := strings.ReplaceAll(p.Value, "\r\n", `\n`)
	v = strings.ReplaceAll(v, "\n", `\n`)
	v = strings.ReplaceAll(v, "\r", `\n`)
	b.WriteString(v)
	return b.String()
}

// paramValue quotes a parameter value where RFC 5545 §3.1 needs it. A DQUOTE
// or line break, which cannot appear, is caret-encoded (RFC 6868).
func paramValue(v string) string {
	if strings.ContainsAny(v, "\"\r\n") {
		v = strings.NewReplacer(`"`, "^'", "\r\n", "^n", "\n", "^n", "\r", "^n").Replace(v)
	}
	if strings.ContainsAny(v, ";:,") {
		return `"` + v + `"`
	}
	return v
}

// writeLine writes a content line folded at 75 octets (RFC 5545 §3.1); a
// write error stays in w and is returned by its Flush.
func writeLine(w *bufio.Writer, line string) {
	_ = recurrence.WriteFolded(w, line)
}
