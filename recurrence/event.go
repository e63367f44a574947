package recurrence

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/emersion/go-ical"
)

// What an event instance means for booking, read from its component (the
// master's or an override's): whether it blocks time, the tags that make
// it an availability window and narrow it to topics, and its meeting
// place. The librarians' own calendars (package scheduling) and their
// external calendars (package external) are read by these same rules.

// Busy reports whether an instance of the component blocks the
// librarian's time: every event does, except one that is cancelled
// (STATUS:CANCELLED), transparent (TRANSP:TRANSPARENT, RFC 5545 §3.8.2.7)
// or that Outlook marks free or "working elsewhere"
// (X-MICROSOFT-CDO-BUSYSTATUS, [MS-OXCICAL] §2.1.3.1.1.20.8). TENTATIVE and
// OOF (out of office) are busy: a meeting that may happen and leave are
// both time a student cannot have.
func Busy(c *ical.Component) bool {
	if c == nil || Status(c) == "CANCELLED" || strings.EqualFold(propValue(c, ical.PropTransparency), "TRANSPARENT") {
		return false
	}
	switch strings.ToUpper(propValue(c, "X-MICROSOFT-CDO-BUSYSTATUS")) {
	case "FREE", "WORKINGELSEWHERE":
		return false
	}
	return true
}

// Status is the component's STATUS, upper case ("" for none).
func Status(c *ical.Component) string {
	return strings.ToUpper(propValue(c, ical.PropStatus))
}

func propValue(c *ical.Component, name string) string {
	if p := c.Props.Get(name); p != nil {
		return strings.TrimSpace(p.Value)
	}
	return ""
}

// Text is a TEXT property's value unescaped (RFC 5545 §3.3.11), trimmed;
// a malformed escape gives the raw value rather than nothing.
func Text(c *ical.Component, name string) string {
	p := c.Props.Get(name)
	if p == nil {
		return ""
	}
	if v, err := p.Text(); err == nil {
		return strings.TrimSpace(v)
	}
	return strings.TrimSpace(p.Value)
}

// Tags collects an event's tags, lower case and each once, in order:
// #hashtags in SUMMARY and DESCRIPTION and every CATEGORIES value (RFC
// 5545 §3.8.1.2, which may repeat and hold lists), with or without '#'.
// Which of them name topics is the caller's to judge.
func Tags(c *ical.Component) []string {
	var raw []string
	raw = append(raw, Hashtags(Text(c, ical.PropSummary))...)
	raw = append(raw, Hashtags(Text(c, ical.PropDescription))...)
	for _, p := range c.Props.Values(ical.PropCategories) {
		vals, err := p.TextList()
		if err != nil {
			vals = strings.Split(p.Value, ",")
		}
		for _, v := range vals {
			raw = append(raw, strings.TrimPrefix(strings.TrimSpace(v), "#"))
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, t := range raw {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// Hashtags finds "#slug" tags in text. A tag starts after a space, an
// opening bracket or punctuation (not inside a word or a URL fragment such
// as "https://meet.example/#room") with a letter, so that "rom #204" is no
// tag, and runs over letters, digits, '-' and '_'. Tags are lower-cased.
func Hashtags(s string) []string {
	var out []string
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '#' {
			continue
		}
		if i > 0 && !tagBoundary(rs[i-1]) {
			continue
		}
		j := i + 1
		if j >= len(rs) || !unicode.IsLetter(rs[j]) {
			continue
		}
		for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '-' || rs[j] == '_') {
			j++
		}
		tag := strings.TrimRight(string(rs[i+1:j]), "-_")
		out = append(out, strings.ToLower(tag))
		i = j - 1
	}
	return out
}

func tagBoundary(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune(`([{,;"'`, r)
}

var (
	onlineWord = regexp.MustCompile(`(?i)\b(online|digital|digitalt)\b`)
	webURL     = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"]+`)
)

// MeetingMode says whether a window is an online one and, if it names one,
// its meeting URL. A window is online when its LOCATION or DESCRIPTION says
// "online", "digital" or "digitalt", or carries an http(s) URL, or the event
// has a URL or CONFERENCE (RFC 7986 §5.11) property. The URL is taken from
// CONFERENCE, URL, LOCATION, DESCRIPTION, in that order.
func MeetingMode(c *ical.Component) (online bool, url string) {
	loc, desc := Text(c, ical.PropLocation), Text(c, ical.PropDescription)
	var urls []string
	for _, p := range c.Props.Values(ical.PropConference) {
		urls = append(urls, strings.TrimSpace(p.Value))
	}
	if p := c.Props.Get(ical.PropURL); p != nil {
		urls = append(urls, strings.TrimSpace(p.Value))
	}
	online = len(urls) > 0 || onlineWord.MatchString(loc) || onlineWord.MatchString(desc)
	for _, s := range []string{loc, desc} {
		if u := webURL.FindString(s); u != "" {
			online = true
			urls = append(urls, strings.TrimRight(u, ".,;:!?)]}>'\""))
		}
	}
	for _, u := range urls {
		if u != "" {
			return online, u
		}
	}
	return online, ""
}
