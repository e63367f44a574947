package scheduling

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/veileder/veileder/booking"
)

// DeskSlots returns the slots a student's search ss would show, each with
// the librarian booking.Assign would choose for it on the same schedules
// (the booking itself chooses again, on fresh ones). It never records
// unmet demand: the desk's search stands for no visit of the student's,
// and the inquiry log counts the demand.
func (s *Service) DeskSlots(ctx context.Context, ss booking.SlotSearch) ([]booking.DeskSlot, error) {
	topic, err := s.store.TopicBySlug(ctx, strings.TrimSpace(ss.TopicSlug))
	if err != nil {
		return nil, fmt.Errorf("scheduling: desk slots for %q: %w", ss.TopicSlug, err)
	}
	rules, err := s.Rules(ctx, topic)
	if err != nil {
		return nil, err
	}
	q := booking.SlotQuery{Topic: topic, Language: normLang(ss.Language), Mode: ss.Mode,
		Campus: strings.TrimSpace(ss.Campus), Now: s.now(), From: ss.From, To: ss.To}
	libs, err := s.store.LibrariansForTopic(ctx, topic.ID)
	if err != nil {
		return nil, fmt.Errorf("scheduling: desk slots for %q: %w", topic.Slug, err)
	}
	known, err := s.knownTopics(ctx)
	if err != nil {
		return nil, err
	}
	rg := s.rangeFor(rules, q.Now, q.From, q.To)
	scheds, _, err := s.schedules(ctx, libs, rg, s.rangeFor(rules, q.Now, time.Time{}, time.Time{}), known)
	if err != nil {
		return nil, fmt.Errorf("scheduling: desk slots for %q: %w", topic.Slug, err)
	}
	slots, err := booking.FindSlots(q, rules, s.loc, scheds)
	if err != nil {
		return nil, fmt.Errorf("scheduling: desk slots for %q: %w", topic.Slug, err)
	}
	names := make(map[int64]string, len(libs))
	for _, l := range libs {
		names[l.ID] = l.Name
	}
	out := make([]booking.DeskSlot, 0, len(slots))
	for _, sl := range slots {
		qa := q
		qa.Mode = booking.ModeInPerson
		if sl.Online {
			qa.Mode = booking.ModeOnline
		}
		a, err := booking.Assign(qa, rules, s.loc, sl.Start, scheds)
		if errors.Is(err, booking.ErrSlotTaken) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("scheduling: desk slots for %q: %w", topic.Slug, err)
		}
		out = append(out, booking.DeskSlot{Slot: sl, LibrarianID: a.LibrarianID, LibrarianName: names[a.LibrarianID], Location: a.Location})
	}
	return out, nil
}
