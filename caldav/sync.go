package caldav

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/veileder/veileder/booking"
)

// syncCollectionReq is an RFC 6578 §3.2 sync-collection REPORT body.
type syncCollectionReq struct {
	XMLName   xml.Name  `xml:"DAV: sync-collection"`
	SyncToken string    `xml:"DAV: sync-token"`
	SyncLevel string    `xml:"DAV: sync-level"`
	Prop      *propList `xml:"DAV: prop"`
	Limit     *struct {
		NResults string `xml:"DAV: nresults"`
	} `xml:"DAV: limit"`
}

// serveSyncCollection answers what changed in a calendar since the client's
// token: changed members with the asked properties, deleted ones as 404
// responses, and a new token (RFC 6578 §3). Thunderbird sends Depth: 1,
// which RFC 6578 §3.2 forbids; it is accepted all the same.
// syncBatch is how many objects a sync-collection answer reads at a time.
const syncBatch = 200

func (h *Handler) serveSyncCollection(w http.ResponseWriter, r *http.Request, res resource, body []byte) error {
	var req syncCollectionReq
	if err := decodeXML(body, &req); err != nil {
		return &httpError{status: http.StatusBadRequest, message: "malformed sync-collection body", cause: err}
	}
	if res.path.kind != kindCalendar && res.path.kind != kindHome {
		return preconditionError(http.StatusForbidden, dav("supported-report"), "sync-collection works on calendars and the calendar home")
	}
	level := strings.TrimSpace(req.SyncLevel)
	if res.path.kind == kindHome && level == "infinite" {
		// RFC 6578 §3.3: the home's sync reports its calendars, not
		// their objects; each calendar has its own sync.
		return preconditionError(http.StatusForbidden, dav("sync-traversal-supported"), "sync-level infinite is not supported on the calendar home")
	}
	switch level {
	case "1", "infinite", "":
		// A calendar holds no collections, so infinite is the same as 1.
	default:
		return newError(http.StatusBadRequest, "sync-level must be 1 or infinite")
	}
	limit := 0
	if req.Limit != nil {
		n, err := strconv.Atoi(strings.TrimSpace(req.Limit.NResults))
		if err != nil || n < 1 {
			return newError(http.StatusBadRequest, "nresults must be a positive number")
		}
		limit = n
	}
	q := propQuery{want: req.Prop.names()}
	if len(q.want) == 0 {
		q.want = []xml.Name{dav("getetag")}
	}
	ctx := r.Context()
	epoch, err := h.syncEpoch(ctx)
	if err != nil {
		return err
	}
	if res.path.kind == kindHome {
		return h.serveHomeSync(w, r, res, req, q, limit, epoch)
	}
	c := res.cal

	var changes []booking.Change
	current := c.SyncSeq
	token := strings.TrimSpace(req.SyncToken)
	if token == "" {
		// Initial sync: every member, no tombstones (RFC 6578 §3.3).
		objs, err := h.store.Objects(ctx, c.ID, false)
		if err != nil {
			return err
		}
		for _, o := range objs {
			changes = append(changes, booking.Change{Name: o.Name, Seq: o.Seq})
		}
		sort.Slice(changes, func(i, j int) bool { return changes[i].Seq < changes[j].Seq })
	} else {
		seq, err := parseSyncToken(epoch, c, token)
		if err != nil {
			return &httpError{status: http.StatusForbidden, precondition: dav("valid-sync-token"), message: "the sync token is not valid", cause: err}
		}
		if seq > c.SyncSeq {
			// The client saw a position the calendar has not reached:
			// the database was restored from a backup.
			h.restoreDetected(ctx, c.ID, seq, c.SyncSeq)
			return &httpError{status: http.StatusForbidden, precondition: dav("valid-sync-token"), message: "the sync token is not valid",
				cause: fmt.Errorf("token position %d is ahead of the calendar's %d", seq, c.SyncSeq)}
		}
		changes, current, err = h.store.ChangesSince(ctx, c.ID, seq)
		if errors.Is(err, booking.ErrInvalid) {
			return &httpError{status: http.StatusForbidden, precondition: dav("valid-sync-token"), message: "the sync token is not valid", cause: err}
		}
		if err != nil {
			return err
		}
	}

	truncated := limit > 0 && len(changes) > limit
	if truncated {
		changes = changes[:limit]
		current = changes[len(changes)-1].Seq
	}
	// Objects are read a batch at a time, so that an initial sync of a
	// large calendar holds a batch in memory, not the calendar.
	ms := h.reportMultistatus(w, r)
	for len(changes) > 0 {
		batch := changes[:min(len(changes), syncBatch)]
		changes = changes[len(batch):]
		var live []string
		for _, ch := range batch {
			if !ch.Deleted {
				live = append(live, ch.Name)
			}
		}
		objs := map[string]booking.CalendarObject{}
		if len(live) > 0 {
			list, err := h.store.ObjectsByName(ctx, c.ID, live)
			if err != nil {
				return ms.fail(err)
			}
			for _, o := range list {
				objs[o.Name] = o
			}
		}
		for i, ch := range batch {
			href := h.hrefs.object(res.user.Username, c.Slug, ch.Name)
			o, ok := objs[ch.Name]
			if ch.Deleted || !ok {
				if err := ms.add(response{href: href, status: http.StatusNotFound}); err != nil {
					return err
				}
			} else {
				child := resource{path: davPath{kind: kindObject, user: res.user.Username, calendar: c.Slug, object: ch.Name},
					href: href, user: res.user, cal: c, obj: o}
				props, err := h.properties(ctx, child)
				if err != nil {
					return ms.fail(err)
				}
				if err := ms.add(response{href: href, props: q.answer(props)}); err != nil {
					return err
				}
			}
			if ms.full() && (i < len(batch)-1 || len(changes) > 0) {
				// Cut by size: the token covers what was sent, and the
				// client asks again from it (RFC 6578 §3.6).
				current, truncated = ch.Seq, true
				changes = nil
				break
			}
		}
		clear(objs)
	}
	if truncated {
		// RFC 6578 §3.6: tell the client there is more to fetch.
		if err := ms.truncated(res.href); err != nil {
			return err
		}
	}
	c.SyncSeq = current
	return ms.close(syncToken(epoch, c))
}

// serveHomeSync answers sync-collection on the calendar home (RFC 6578
// with sync-level 1): its members are the calendars, named by slug in the
// home's change log (store/homechanges.go), so a client sees calendars
// made, changed and deleted since its token: each live one with the asked
// properties, each deleted one as a 404 response. Changes to the objects in
// a calendar are not the home's: each calendar's own sync-token and CTag
// tell them.
func (h *Handler) serveHomeSync(w http.ResponseWriter, r *http.Request, res resource, req syncCollectionReq, q propQuery, limit int, epoch string) error {
	ctx := r.Context()
	me := res.user
	var changes []booking.Change
	token := strings.TrimSpace(req.SyncToken)
	var current int64
	var err error
	if token == "" {
		// Initial sync: every calendar, no tombstones (RFC 6578 §3.3).
		// The position is read before the calendars, so that a change in
		// between is reported again next time rather than missed.
		if current, err = h.store.HomeSyncSeq(ctx, me.ID); err != nil {
			return fmt.Errorf("caldav: home sync position: %w", err)
		}
	} else {
		seq, err := parseHomeSyncToken(epoch, me, token)
		if err != nil {
			return &httpError{status: http.StatusForbidden, precondition: dav("valid-sync-token"), message: "the sync token is not valid", cause: err}
		}
		changes, current, err = h.store.HomeChangesSince(ctx, me.ID, seq)
		if errors.Is(err, booking.ErrInvalid) {
			if seq > current {
				// As for a calendar: only a restored database is behind
				// a token it issued.
				h.restoreDetected(ctx, 0, seq, current)
			}
			return &httpError{status: http.StatusForbidden, precondition: dav("valid-sync-token"), message: "the sync token is not valid", cause: err}
		}
		if err != nil {
			return err
		}
	}
	cals, err := h.store.Calendars(ctx, me.ID)
	if err != nil {
		return fmt.Errorf("caldav: list calendars: %w", err)
	}
	bySlug := make(map[string]booking.Calendar, len(cals))
	for _, c := range cals {
		bySlug[c.Slug] = c
	}
	if token == "" {
		for _, c := range cals {
			changes = append(changes, booking.Change{Name: c.Slug, Seq: current})
		}
	}
	truncated := limit > 0 && len(changes) > limit
	if truncated && token == "" {
		// No position covers part of an initial listing, which is the
		// home's calendars in no log order: RFC 6578 §3.6 lets the
		// server refuse instead.
		return preconditionError(http.StatusInsufficientStorage, dav("number-of-matches-within-limits"), "the home holds more calendars than the limit")
	}
	if truncated {
		changes = changes[:limit]
		current = changes[len(changes)-1].Seq
	}
	ms := h.reportMultistatus(w, r)
	for _, ch := range changes {
		href := h.hrefs.calendar(me.Username, ch.Name)
		c, ok := bySlug[ch.Name]
		if ch.Deleted || !ok {
			if err := ms.add(response{href: href, status: http.StatusNotFound}); err != nil {
				return err
			}
			continue
		}
		child := resource{path: davPath{kind: kindCalendar, user: me.Username, calendar: c.Slug}, href: href, user: me, cal: c}
		props, err := h.properties(ctx, child)
		if err != nil {
			return ms.fail(err)
		}
		if err := ms.add(response{href: href, props: q.answer(props)}); err != nil {
			return err
		}
	}
	if truncated {
		if err := ms.truncated(res.href); err != nil {
			return err
		}
	}
	return ms.close(homeSyncToken(epoch, me, current))
}
