package caldav

import (
	"fmt"
	"net/url"
	"strings"
)

// The URL layout of the CalDAV tree, below the handler's prefix:
//
//	/                                   root
//	/principals/<user>/                 a staff user's principal
//	/calendars/<user>/                  the user's calendar home
//	/calendars/<user>/<calendar>/       a calendar collection
//	/calendars/<user>/<calendar>/<obj>  a calendar object resource
//
// Shared calendars (drop-in) appear inside every home under their slug.
type resourceKind int

const (
	kindRoot resourceKind = iota
	kindPrincipals
	kindPrincipal
	kindCalendars
	kindHome
	kindCalendar
	kindObject
	// The user's scheduling inbox and outbox (RFC 6638 §2.1, §2.2) and a
	// message in the inbox.
	kindInbox
	kindOutbox
	kindInboxItem
)

func (k resourceKind) String() string {
	return [...]string{"root", "principals", "principal", "calendars", "home", "calendar", "object", "inbox", "outbox", "inbox item"}[k]
}

// The names of the scheduling collections in a home. They are not
// calendars: a calendar cannot be made under these names (MKCALENDAR on
// them answers as for any place that is not a calendar's).
const (
	inboxSegment  = "inbox"
	outboxSegment = "outbox"
)

// davPath is a parsed request path. Segments are decoded.
type davPath struct {
	kind     resourceKind
	user     string
	calendar string
	object   string
}

const maxSegment = 255

// parsePath parses the escaped path of a request (r.URL.EscapedPath), so
// that an encoded slash (%2F) in a segment cannot change the structure.
// Segments are percent-decoded one by one: iOS sends "%40" for '@'.
func parsePath(prefix, escaped string) (davPath, error) {
	rest, ok := strings.CutPrefix(escaped, prefix)
	if !ok {
		return davPath{}, fmt.Errorf("path %q is outside %s", escaped, prefix)
	}
	rest = strings.TrimPrefix(rest, "/")
	var segs []string
	if rest != "" {
		for i, raw := range strings.Split(rest, "/") {
			if raw == "" {
				// Only a trailing slash may leave an empty segment.
				if i == strings.Count(rest, "/") {
					continue
				}
				return davPath{}, fmt.Errorf("empty path segment in %q", escaped)
			}
			seg, err := url.PathUnescape(raw)
			if err != nil {
				return davPath{}, fmt.Errorf("bad escape in %q: %v", raw, err)
			}
			if err := checkSegment(seg); err != nil {
				return davPath{}, err
			}
			segs = append(segs, seg)
		}
	}
	switch {
	case len(segs) == 0:
		return davPath{kind: kindRoot}, nil
	case segs[0] == "principals":
		switch len(segs) {
		case 1:
			return davPath{kind: kindPrincipals}, nil
		case 2:
			return davPath{kind: kindPrincipal, user: segs[1]}, nil
		}
	case segs[0] == "calendars":
		switch len(segs) {
		case 1:
			return davPath{kind: kindCalendars}, nil
		case 2:
			return davPath{kind: kindHome, user: segs[1]}, nil
		case 3:
			switch segs[2] {
			case inboxSegment:
				return davPath{kind: kindInbox, user: segs[1]}, nil
			case outboxSegment:
				return davPath{kind: kindOutbox, user: segs[1]}, nil
			}
			return davPath{kind: kindCalendar, user: segs[1], calendar: segs[2]}, nil
		case 4:
			switch segs[2] {
			case inboxSegment:
				return davPath{kind: kindInboxItem, user: segs[1], object: segs[3]}, nil
			case outboxSegment:
				return davPath{}, fmt.Errorf("the outbox holds nothing: %q", escaped)
			}
			return davPath{kind: kindObject, user: segs[1], calendar: segs[2], object: segs[3]}, nil
		}
	}
	return davPath{}, fmt.Errorf("no resource at %q", escaped)
}

func checkSegment(seg string) error {
	if seg == "." || seg == ".." {
		return fmt.Errorf("path segment %q is not allowed", seg)
	}
	if len(seg) > maxSegment {
		return fmt.Errorf("path segment longer than %d bytes", maxSegment)
	}
	for _, r := range seg {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' || r == '\uFFFD' {
			return fmt.Errorf("path segment %q holds a character that is not allowed", seg)
		}
	}
	return nil
}

// hrefs builds escaped paths for the layout above.
type hrefs struct{ prefix string }

func (h hrefs) root() string       { return h.prefix + "/" }
func (h hrefs) principals() string { return h.prefix + "/principals/" }
func (h hrefs) principal(user string) string {
	return h.prefix + "/principals/" + url.PathEscape(user) + "/"
}
func (h hrefs) calendars() string { return h.prefix + "/calendars/" }
func (h hrefs) home(user string) string {
	return h.prefix + "/calendars/" + url.PathEscape(user) + "/"
}
func (h hrefs) calendar(user, slug string) string {
	return h.home(user) + url.PathEscape(slug) + "/"
}
func (h hrefs) inbox(user string) string  { return h.home(user) + inboxSegment + "/" }
func (h hrefs) outbox(user string) string { return h.home(user) + outboxSegment + "/" }
func (h hrefs) object(user, slug, name string) string {
	return h.calendar(user, slug) + url.PathEscape(name)
}

// parseHref turns an href from a request body (absolute URL or absolute
// path) into a davPath.
func parseHref(prefix, href string) (davPath, error) {
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil {
		return davPath{}, fmt.Errorf("bad href %q: %v", href, err)
	}
	return parsePath(prefix, u.EscapedPath())
}
