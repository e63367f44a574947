package booking

import (
	"strconv"
	"strings"
)

// MaxMeetingURLLen bounds a meeting link or link template.
const MaxMeetingURLLen = 500

// MeetingIDPlaceholder is what a service's link template holds where each
// booking's number goes, so that every booking gets a room of its own.
const MeetingIDPlaceholder = "{id}"

// ValidMeetingURL checks a librarian's default meeting link: empty (none),
// or an absolute http(s) address with a host and no spaces, as students
// will open it. A *FieldError "meeting_url" otherwise.
func ValidMeetingURL(s string) error {
	if s == "" {
		return nil
	}
	if len(s) > MaxMeetingURLLen {
		return &FieldError{"meeting_url", "too_long"}
	}
	if !webAddress(s) {
		return &FieldError{"meeting_url", "invalid"}
	}
	return nil
}

// ValidMeetingTemplate checks a service's link template: empty (none), or
// a link as ValidMeetingURL wants it once MeetingIDPlaceholder is filled
// in. A *FieldError "meeting_url_template" otherwise.
func ValidMeetingTemplate(s string) error {
	if s == "" {
		return nil
	}
	if len(s) > MaxMeetingURLLen {
		return &FieldError{"meeting_url_template", "too_long"}
	}
	if !webAddress(strings.ReplaceAll(s, MeetingIDPlaceholder, "1")) {
		return &FieldError{"meeting_url_template", "invalid"}
	}
	return nil
}

// webAddress accepts an absolute http(s) address with a host. The domain
// does no URL parsing of its own beyond that (net/url is an adapter's
// import); what it lets through is text without spaces, quotes or
// brackets, which every page and calendar file can carry.
func webAddress(s string) bool {
	if strings.ContainsAny(s, " \t\r\n<>\"{}\\") || !validText(s) {
		return false
	}
	lower := strings.ToLower(s)
	rest, ok := strings.CutPrefix(lower, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(lower, "http://"); !ok {
			return false
		}
	}
	host, _, _ := strings.Cut(rest, "/")
	host, _, _ = strings.Cut(host, "?")
	host, _, _ = strings.Cut(host, "#")
	return host != "" && !strings.HasPrefix(host, ":") && !strings.Contains(host, "@")
}

// MeetingLink is the link of an online booking: the window's own link
// (its URL, CONFERENCE or an address in its text) wins, since the
// librarian set it for those times; else the librarian's default room
// from their profile; else the service's template with the booking's
// number, a room per booking. "" when there is none.
func MeetingLink(window, librarian, template string, bookingID int64) string {
	switch {
	case window != "":
		return window
	case librarian != "":
		return librarian
	case template != "":
		return strings.ReplaceAll(template, MeetingIDPlaceholder, strconv.FormatInt(bookingID, 10))
	}
	return ""
}
