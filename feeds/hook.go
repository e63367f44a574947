package feeds

import (
	"context"
	"fmt"
	"slices"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/booking"
)

// OnObject is the store's object hook for the drop-in calendar: it runs
// inside the transaction of every CalDAV (or staff form) write to it.
//
// When a session leaves a feed, because it was deleted, made private,
// replaced by an object of another UID, or lost a theme tag, it writes a
// tombstone in the same transaction, so that the feeds show the session
// as cancelled for the tombstone TTL and subscribers' apps drop their copy;
// the tombstone exists if and only if the write commits. Older tombstones
// are purged in the same transaction. It also logs, at warn, tags of the
// written session that name no topic, for coordinators to fix.
//
// Only a database error fails the hook (and so the write): an object that
// does not parse was refused by recurrence.Validate before it got here.
func (s *Service) OnObject(ctx context.Context, tx Tx, cal booking.Calendar, before, after *booking.CalendarObject) error {
	if cal.Kind != booking.KindDropIn {
		return nil
	}
	now := s.now()
	var was, is *session
	if before != nil {
		was = s.parseForHook(before)
	}
	if after != nil {
		is = s.parseForHook(after)
		if is != nil {
			s.reportTags(ctx, is)
		}
	}
	if was != nil && was.public {
		gone := is == nil || is.uid != was.uid || !is.public
		lost := was.tags
		if !gone {
			lost = slices.DeleteFunc(slices.Clone(was.tags), func(t string) bool { return slices.Contains(is.tags, t) })
		}
		if gone || len(lost) > 0 {
			ts := booking.DropInTombstone{
				CalendarID: cal.ID, UID: was.uid, Themes: lost, DeletedAt: now,
			}
			if in, ok := was.nextOccurrence(now, s.lib); ok {
				ts.Start, ts.End, ts.AllDay = in.Start, in.End, in.AllDay
				ts.Summary = text(in.Component, ical.PropSummary)
			} else {
				ts.Start, ts.End = was.first, was.first
				ts.Summary = text(was.comps[0], ical.PropSummary)
			}
			if err := tx.PutDropInTombstone(ctx, ts); err != nil {
				return fmt.Errorf("feeds: tombstone of %s: %w", was.name, err)
			}
		}
	}
	if err := tx.PurgeDropInTombstones(ctx, cal.ID, now.Add(-s.ttl)); err != nil {
		return fmt.Errorf("feeds: purge tombstones: %w", err)
	}
	return nil
}

func (s *Service) parseForHook(obj *booking.CalendarObject) *session {
	ss, err := parseSession(*obj, s.lib)
	if err != nil {
		s.log.Warn("feeds: drop-in object does not parse", "object", obj.Name, "err", err)
		return nil
	}
	return ss
}

// reportTags logs the session's tags that name no topic. Topics are read
// outside the write's transaction; failing to read them only skips the
// report.
func (s *Service) reportTags(ctx context.Context, ss *session) {
	topics, err := s.store.Topics(ctx)
	if err != nil {
		s.log.Warn("feeds: cannot read topics to check drop-in tags", "object", ss.name, "err", err)
		return
	}
	themes, unknown := ss.themes(newThemeIndex(topics))
	if len(unknown) > 0 {
		s.log.Warn("feeds: drop-in session has tags that name no topic",
			"object", ss.name, "uid", ss.uid, "unknown", unknown, "themes", themes)
	}
}
