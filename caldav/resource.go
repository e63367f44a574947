package caldav

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/veileder/veileder/booking"
)

// resource is a resolved request target.
type resource struct {
	path davPath
	href string
	user booking.User // the authenticated user, whose tree this is
	cal  booking.Calendar
	obj  booking.CalendarObject
}

// resolve finds what a path names, for the authenticated user. Another
// user's principal, home, calendars and objects answer 403 without telling
// whether they exist.
func (h *Handler) resolve(ctx context.Context, p davPath) (resource, error) {
	me := userFrom(ctx)
	res := resource{path: p, user: me}
	switch p.kind {
	case kindRoot:
		res.href = h.hrefs.root()
		return res, nil
	case kindPrincipals:
		res.href = h.hrefs.principals()
		return res, nil
	case kindCalendars:
		res.href = h.hrefs.calendars()
		return res, nil
	}
	if p.user != me.Username {
		return res, &httpError{status: http.StatusForbidden, message: "this belongs to another user",
			cause: fmt.Errorf("%s asked for %s of %q", me.Username, p.kind, p.user)}
	}
	switch p.kind {
	case kindPrincipal:
		res.href = h.hrefs.principal(me.Username)
		return res, nil
	case kindHome:
		res.href = h.hrefs.home(me.Username)
		return res, nil
	case kindInbox:
		res.href = h.hrefs.inbox(me.Username)
		return res, nil
	case kindOutbox:
		res.href = h.hrefs.outbox(me.Username)
		return res, nil
	case kindInboxItem:
		res.href = h.hrefs.inbox(me.Username) + url.PathEscape(p.object)
		o, err := h.store.InboxItem(ctx, me.ID, p.object)
		if err != nil {
			return res, fmt.Errorf("caldav: inbox item %q: %w", p.object, err)
		}
		res.obj = o
		return res, nil
	}
	c, err := h.store.CalendarBySlug(ctx, me.ID, p.calendar)
	if err != nil {
		return res, fmt.Errorf("caldav: calendar %q: %w", p.calendar, err)
	}
	res.cal = c
	res.href = h.hrefs.calendar(me.Username, c.Slug)
	if p.kind == kindCalendar {
		return res, nil
	}
	res.href = h.hrefs.object(me.Username, c.Slug, p.object)
	o, err := h.store.Object(ctx, c.ID, p.object)
	if err != nil {
		return res, fmt.Errorf("caldav: object %q: %w", p.object, err)
	}
	res.obj = o
	return res, nil
}

// canWrite says whether the user may change the calendar's members and
// properties: their own calendars, and shared ones for coordinators.
func canWrite(u booking.User, c booking.Calendar) bool {
	if c.Shared() {
		return u.CanCoordinate()
	}
	return c.OwnerID == u.ID
}

func isNotFound(err error) bool { return errors.Is(err, booking.ErrNotFound) }

// Sync tokens (RFC 6578 §3.2) are URIs that name what they are for (a
// calendar's members, or a home's calendars), the database's sync epoch
// (store/epoch.go), the collection and the position in its change log.
// The epoch makes tokens from before a restore stale.
const tokenBase = "https://veileder.invalid/"

func makeToken(kind, epoch string, id, seq int64) string {
	return fmt.Sprintf("%s%s/%s/%d/%d", tokenBase, kind, epoch, id, seq)
}

// readToken returns the collection and position of a token of kind issued
// in this epoch.
func readToken(kind, epoch, token string) (id, seq int64, err error) {
	rest, ok := strings.CutPrefix(token, tokenBase+kind+"/")
	if !ok {
		return 0, 0, fmt.Errorf("token %q was not issued here for a %s", token, kind)
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 {
		return 0, 0, fmt.Errorf("token %q is of an old form or not ours", token)
	}
	if parts[0] != epoch {
		return 0, 0, fmt.Errorf("token %q is from another sync epoch (the database was restored)", token)
	}
	id, err1 := strconv.ParseInt(parts[1], 10, 64)
	seq, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || seq < 0 || makeToken(kind, epoch, id, seq) != token {
		return 0, 0, fmt.Errorf("token %q does not parse", token)
	}
	return id, seq, nil
}

// syncToken is the calendar's sync token.
func syncToken(epoch string, c booking.Calendar) string {
	return makeToken("sync", epoch, c.ID, c.SyncSeq)
}

// parseSyncToken returns the change-log position of a token issued for c
// in this epoch.
func parseSyncToken(epoch string, c booking.Calendar, token string) (int64, error) {
	id, seq, err := readToken("sync", epoch, token)
	if err != nil {
		return 0, err
	}
	if id != c.ID {
		return 0, fmt.Errorf("token %q belongs to another calendar", token)
	}
	return seq, nil
}

// ctag is the calendarserver.org getctag value: it changes whenever a
// member changes or the sync epoch does, and differs between a deleted
// calendar and a new one of the same name.
func ctag(epoch string, c booking.Calendar) string {
	return fmt.Sprintf("%s-%d-%d", epoch, c.ID, c.SyncSeq)
}

// homeSyncToken is the sync token of a user's calendar home, whose members
// are the calendars (sync.go, serveHomeSync).
func homeSyncToken(epoch string, u booking.User, seq int64) string {
	return makeToken("home-sync", epoch, u.ID, seq)
}

// parseHomeSyncToken returns the home change-log position of a token
// issued for u's home in this epoch.
func parseHomeSyncToken(epoch string, u booking.User, token string) (int64, error) {
	id, seq, err := readToken("home-sync", epoch, token)
	if err != nil {
		return 0, err
	}
	if id != u.ID {
		return 0, fmt.Errorf("token %q belongs to another home", token)
	}
	return seq, nil
}
