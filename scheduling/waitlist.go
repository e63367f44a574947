package scheduling

// The waitlist: a student who finds no free time leaves their address and
// what suits them; a periodic job offers each time that frees up or is
// added to the students waiting for its topic, first come first served,
// one offer at a time per student, by e-mail, and holds it for them for a
// while; a time not taken in that while goes to the next in the queue.
//
// The hold is a row of its own (waitlist_offers), not a booking: every
// reader of bookings (statistics, lists, exports, retention, reminders,
// the CalDAV hook) would otherwise have to tell a held time from a
// meeting, and a hold has no student data to give one. It is as strong
// for Veileder's writes as a booking row: schedule reads open holds as
// the librarian's bookings, and every booking, move and offer of a
// librarian is written in a transaction that holds that librarian's lock
// and reads the schedule again inside it (bookInTx, moveInTx, offerInTx),
// so a held time cannot be given to anyone else. A librarian who moves a
// booking onto a held time in their own calendar app is not refused: the
// librarian's calendar is the authority, and the student's accept then
// finds the time taken.

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/veileder/veileder/booking"
)

// WaitlistStore is what the waitlist needs from the store besides Store.
type WaitlistStore interface {
	// InsertWaitlistEntry stores a new entry; booking.ErrConflict when the
	// address waits for the topic already, booking.ErrLimitReached when it
	// waits for too many.
	InsertWaitlistEntry(ctx context.Context, e booking.WaitlistEntry) (booking.WaitlistEntry, error)
	WaitlistEntryByTokenHash(ctx context.Context, hash string) (booking.WaitlistEntry, error)
	WaitlistOfferByTokenHash(ctx context.Context, hash string) (booking.WaitlistOffer, error)
	// WaitingEntries lists the entries waiting at now without an open
	// offer, by topic, then first come first served.
	WaitingEntries(ctx context.Context, now time.Time) ([]booking.WaitlistEntry, error)
	OffersOfEntry(ctx context.Context, entryID int64) ([]booking.WaitlistOffer, error)
	MessageWaitlistOffer(ctx context.Context, offerID int64) (booking.OfferView, error)
	// ExpireWaitlist ends the holds and the entries whose time ran out.
	ExpireWaitlist(ctx context.Context, now time.Time) (offers, entries int, err error)
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
}

// WaitlistConfig configures the waitlist.
type WaitlistConfig struct {
	// Hold is how long an offer keeps its time for the student; zero
	// means booking.DefaultOfferHold.
	Hold time.Duration
	// MaxWait is how long an entry waits at most; zero means the topic's
	// booking horizon at the time the student joins.
	MaxWait time.Duration
}

// Waitlist runs the waitlist over a store. It is safe for concurrent use,
// and its job is safe to run in every replica.
type Waitlist struct {
	svc     *Service
	store   WaitlistStore
	hold    time.Duration
	maxWait time.Duration
}

// Waitlist returns the waitlist over ws, normally the service's store.
func (s *Service) Waitlist(ws WaitlistStore, cfg WaitlistConfig) *Waitlist {
	w := &Waitlist{svc: s, store: ws, hold: cfg.Hold, maxWait: cfg.MaxWait}
	if w.hold <= 0 {
		w.hold = booking.DefaultOfferHold
	}
	return w
}

// Hold is how long an offer keeps its time.
func (w *Waitlist) Hold() time.Duration { return w.hold }

// Join puts the student in the topic's queue and returns the entry with
// the token of its "leave the waitlist" link (stored only as its hash).
// Errors: a *booking.FieldError for a bad field, an unknown topic or a
// librarian without the topic; booking.ErrConflict when the address
// waits for the topic already; booking.ErrLimitReached when it waits for
// too many topics.
func (w *Waitlist) Join(ctx context.Context, r booking.WaitlistRequest) (booking.WaitlistEntry, string, error) {
	s := w.svc
	if err := r.Validate(); err != nil {
		return booking.WaitlistEntry{}, "", fmt.Errorf("scheduling: join waitlist: %w", err)
	}
	topic, err := s.store.TopicBySlug(ctx, strings.TrimSpace(r.TopicSlug))
	switch {
	case errors.Is(err, booking.ErrNotFound):
		return booking.WaitlistEntry{}, "", fmt.Errorf("scheduling: join waitlist: topic %q: %w", r.TopicSlug, &booking.FieldError{Field: "topic", Code: "invalid"})
	case err != nil:
		return booking.WaitlistEntry{}, "", fmt.Errorf("scheduling: join waitlist: %w", err)
	}
	if r.LibrarianID != 0 {
		libs, err := s.store.LibrariansForTopic(ctx, topic.ID)
		if err != nil {
			return booking.WaitlistEntry{}, "", fmt.Errorf("scheduling: join waitlist: %w", err)
		}
		if !slices.ContainsFunc(libs, func(l booking.Librarian) bool { return l.ID == r.LibrarianID }) {
			return booking.WaitlistEntry{}, "", fmt.Errorf("scheduling: join waitlist: %w", &booking.FieldError{Field: "librarian", Code: "invalid"})
		}
	}
	rules, err := s.Rules(ctx, topic)
	if err != nil {
		return booking.WaitlistEntry{}, "", err
	}
	now := s.now()
	wait := w.maxWait
	if wait <= 0 {
		wait = rules.Horizon
	}
	uid := newUID()
	token, hash := s.newToken("waitlist-entry:" + uid)
	e, err := w.store.InsertWaitlistEntry(ctx, booking.WaitlistEntry{
		TopicID: topic.ID, Name: r.Name, Email: r.Email, Mode: r.Mode, Language: r.Language,
		LibrarianID: r.LibrarianID, Weekdays: r.Weekdays, TimesOfDay: r.TimesOfDay, Locale: normLocale(r.Locale),
		UID: uid, TokenHash: hash, Status: booking.WaitlistWaiting, CreatedAt: now, ExpiresAt: now.Add(wait),
	})
	if err != nil {
		return booking.WaitlistEntry{}, "", fmt.Errorf("scheduling: join waitlist: %w", err)
	}
	s.log.Info("scheduling: a student joined the waitlist", "topic", topic.Slug, "entry", e.ID)
	return e, token, nil
}

// Entry returns the entry of a "leave the waitlist" token, with its topic.
func (w *Waitlist) Entry(ctx context.Context, token string) (booking.WaitlistEntry, booking.Topic, error) {
	if !validToken(token) {
		return booking.WaitlistEntry{}, booking.Topic{}, fmt.Errorf("scheduling: waitlist entry by token: %w", booking.ErrNotFound)
	}
	e, err := w.store.WaitlistEntryByTokenHash(ctx, tokenHash(token))
	if err != nil {
		return booking.WaitlistEntry{}, booking.Topic{}, fmt.Errorf("scheduling: waitlist entry by token: %w", err)
	}
	t, err := w.svc.store.TopicByID(ctx, e.TopicID)
	if err != nil && !errors.Is(err, booking.ErrNotFound) {
		return booking.WaitlistEntry{}, booking.Topic{}, fmt.Errorf("scheduling: waitlist entry %d: %w", e.ID, err)
	}
	return e, t, nil
}

// Leave takes the entry of a token out of the queue, and frees any time
// offered to it. Leaving twice changes nothing.
func (w *Waitlist) Leave(ctx context.Context, token string) (booking.WaitlistEntry, booking.Topic, error) {
	e, t, err := w.Entry(ctx, token)
	if err != nil {
		return booking.WaitlistEntry{}, booking.Topic{}, err
	}
	now := w.svc.now()
	err = w.svc.store.Tx(ctx, 0, func(ctx context.Context, tx Tx) error {
		return tx.EndWaitlistEntry(ctx, e.ID, booking.WaitlistLeft, now)
	})
	if err != nil {
		return booking.WaitlistEntry{}, booking.Topic{}, fmt.Errorf("scheduling: leave waitlist: %w", err)
	}
	if e.Status == booking.WaitlistWaiting {
		e.Status, e.EndedAt = booking.WaitlistLeft, now
	}
	return e, t, nil
}

// Offer returns the offer of an offer link with what its page shows.
func (w *Waitlist) Offer(ctx context.Context, token string) (booking.OfferView, error) {
	if !validToken(token) {
		return booking.OfferView{}, fmt.Errorf("scheduling: waitlist offer by token: %w", booking.ErrNotFound)
	}
	o, err := w.store.WaitlistOfferByTokenHash(ctx, tokenHash(token))
	if err != nil {
		return booking.OfferView{}, fmt.Errorf("scheduling: waitlist offer by token: %w", err)
	}
	v, err := w.store.MessageWaitlistOffer(ctx, o.ID)
	if err != nil {
		return booking.OfferView{}, fmt.Errorf("scheduling: waitlist offer %d: %w", o.ID, err)
	}
	return v, nil
}

// ErrOfferGone is what accepting an offer that no longer holds its time
// (expired, withdrawn, accepted before) says; it is a booking.ErrConflict.
var ErrOfferGone = fmt.Errorf("the offer no longer holds its time: %w", booking.ErrConflict)

// Accept books the time of an offer for its student, in the transaction
// a normal booking uses (bookInTx, under the librarian's lock), which also
// settles the offer and takes the entry out of the queue. The rules are
// those in force when the time was offered: the hold kept it for the
// student since. It returns the booking and its manage token.
//
// Errors: booking.ErrNotFound for an unknown token; ErrOfferGone when the
// offer expired, was withdrawn or was accepted already; booking.ErrSlotTaken
// when the librarian's own calendar took the time meanwhile;
// booking.ErrLimitReached when the student holds the most bookings
// allowed.
func (w *Waitlist) Accept(ctx context.Context, token string) (booking.View, string, error) {
	s := w.svc
	v, err := w.Offer(ctx, token)
	if err != nil {
		return booking.View{}, "", err
	}
	o, e := v.Offer, v.Entry
	if !o.Holds(s.now()) || e.Status != booking.WaitlistWaiting {
		return booking.View{}, "", fmt.Errorf("scheduling: accept offer %d: %w", o.ID, ErrOfferGone)
	}
	topic, err := s.store.TopicByID(ctx, o.TopicID)
	if err != nil {
		return booking.View{}, "", fmt.Errorf("scheduling: accept offer %d: %w", o.ID, err)
	}
	rules, err := s.Rules(ctx, topic)
	if err != nil {
		return booking.View{}, "", err
	}
	svc, err := s.serviceOf(ctx, topic)
	if err != nil {
		return booking.View{}, "", err
	}
	libs, err := s.store.LibrariansForTopic(ctx, topic.ID)
	if err != nil {
		return booking.View{}, "", fmt.Errorf("scheduling: accept offer %d: %w", o.ID, err)
	}
	i := slices.IndexFunc(libs, func(l booking.Librarian) bool { return l.ID == o.LibrarianID })
	if i < 0 {
		return booking.View{}, "", fmt.Errorf("scheduling: accept offer %d: the librarian no longer guides in the topic: %w", o.ID, booking.ErrSlotTaken)
	}
	lib := libs[i]
	user, err := s.store.UserByID(ctx, lib.ID)
	if err != nil {
		return booking.View{}, "", fmt.Errorf("scheduling: accept offer %d: %w", o.ID, err)
	}
	known, err := s.knownTopics(ctx)
	if err != nil {
		return booking.View{}, "", err
	}
	release, err := s.takeTurn(ctx)
	if err != nil {
		return booking.View{}, "", fmt.Errorf("scheduling: accept offer: %w", err)
	}
	defer release()
	now := s.now()
	if !now.Before(o.Start) {
		return booking.View{}, "", fmt.Errorf("scheduling: accept offer %d: %w", o.ID, ErrOfferGone)
	}
	mode := booking.ModeInPerson
	if o.Online {
		mode = booking.ModeOnline
	}
	// The search is judged as at the offer (notice, horizon), the hold
	// as now.
	q := booking.SlotQuery{Topic: topic, Language: e.Language, Mode: mode, Now: o.OfferedAt}
	rg := s.rangeFor(rules, o.OfferedAt, o.Start, o.Start.Add(time.Nanosecond))
	rg.now, rg.hold = now, o.ID
	uid := newUID()
	mtoken, hash := s.newToken(uid)
	locale := normLocale(e.Locale)
	b := booking.Booking{
		TopicID: topic.ID, LibrarianID: lib.ID, Start: o.Start, End: o.End, Online: o.Online, Location: o.Location,
		StudentName: e.Name, StudentEmail: e.Email,
		Language: meetingLanguage(e.Language, lib, topic.ID, locale), Locale: locale,
		Status: booking.StatusConfirmed, EventUID: uid, EventName: uid + ".ics", TokenHash: hash,
		CreatedAt: now, UpdatedAt: now,
	}
	var booked booking.Booking
	err = s.store.Tx(ctx, lib.ID, func(ctx context.Context, tx Tx) error {
		cur, err := tx.WaitlistOffer(ctx, o.ID)
		if err != nil {
			return err
		}
		ce, err := tx.WaitlistEntry(ctx, cur.EntryID)
		if err != nil {
			return err
		}
		if !cur.Holds(now) || ce.Status != booking.WaitlistWaiting {
			return ErrOfferGone
		}
		booked, err = s.bookInTx(ctx, tx, bookArgs{q: q, rules: rules, rg: rg, known: known, lib: lib, user: user, topic: topic, svc: svc, b: b, offer: true})
		if err != nil {
			return err
		}
		if err := tx.SetWaitlistOffer(ctx, cur.ID, booking.OfferAccepted, booked.ID); err != nil {
			return err
		}
		return tx.EndWaitlistEntry(ctx, ce.ID, booking.WaitlistBooked, now)
	})
	if err != nil {
		return booking.View{}, "", fmt.Errorf("scheduling: accept offer %d: %w", o.ID, err)
	}
	s.log.Info("scheduling: a waitlist offer was accepted", "offer", o.ID, "booking", booked.ID)
	return booking.View{Booking: booked, Topic: topic, LibrarianName: user.Name(), LibrarianMail: user.Email}, mtoken, nil
}

// waitlistLease names the matching job's lease.
const waitlistLease = "waitlist"

// RunMatching is the waitlist's periodic job, if holder gets its lease
// (another replica may be running it): it ends the holds and entries whose
// time ran out, then offers each student waiting, in the order they
// joined, the first free time that suits them and was not offered to them
// before. It returns how many offers it made.
//
// Times free up or appear in many ways (a cancellation, a move, a
// librarian's new availability over CalDAV or the hours page, an external
// calendar's refresh); the job looks at what is free now rather than
// following each of them, so none is missed. The lease keeps replicas from
// working at once; were two to run anyway, an offer is made under the
// librarian's lock after reading their holds again, and an entry holds
// one open offer at most (a unique index), so no time is offered twice.
func (w *Waitlist) RunMatching(ctx context.Context, holder string) (int, error) {
	const ttl = 2 * time.Minute
	ok, err := w.store.AcquireLease(ctx, waitlistLease, holder, ttl)
	if err != nil || !ok {
		return 0, err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := w.store.ReleaseLease(ctx, waitlistLease, holder); err != nil {
			w.svc.log.Warn("scheduling: release waitlist lease", "err", err)
		}
	}()
	return w.match(ctx)
}

// match does RunMatching's work, lease or not.
func (w *Waitlist) match(ctx context.Context) (int, error) {
	s := w.svc
	now := s.now()
	if _, _, err := w.store.ExpireWaitlist(ctx, now); err != nil {
		return 0, fmt.Errorf("scheduling: waitlist: %w", err)
	}
	entries, err := w.store.WaitingEntries(ctx, now)
	if err != nil {
		return 0, fmt.Errorf("scheduling: waitlist: %w", err)
	}
	if len(entries) == 0 {
		return 0, nil
	}
	known, err := s.knownTopics(ctx)
	if err != nil {
		return 0, err
	}
	made := 0
	for len(entries) > 0 {
		n := 1
		for n < len(entries) && entries[n].TopicID == entries[0].TopicID {
			n++
		}
		k, err := w.matchTopic(ctx, entries[:n], known, now)
		made += k
		if err != nil {
			if ctx.Err() != nil {
				return made, ctx.Err()
			}
			// One topic's trouble must not stop the others'.
			s.log.Error("scheduling: waitlist matching", "topic", entries[0].TopicID, "err", err)
		}
		entries = entries[n:]
	}
	return made, nil
}

// matchTopic offers times to one topic's waiting entries, in their order.
func (w *Waitlist) matchTopic(ctx context.Context, entries []booking.WaitlistEntry, known topicSet, now time.Time) (int, error) {
	s := w.svc
	topic, err := s.store.TopicByID(ctx, entries[0].TopicID)
	if err != nil {
		return 0, err
	}
	rules, err := s.Rules(ctx, topic)
	if err != nil {
		return 0, err
	}
	libs, err := s.store.LibrariansForTopic(ctx, topic.ID)
	if err != nil || len(libs) == 0 {
		return 0, err
	}
	rg := s.rangeFor(rules, now, time.Time{}, time.Time{})
	scheds, _, err := s.schedules(ctx, libs, rg, rg, known)
	if err != nil {
		return 0, err
	}
	// Times offered in this run: the schedules were read before them.
	taken := map[int64]map[time.Time]bool{}
	made := 0
	for _, e := range entries {
		offered, err := w.store.OffersOfEntry(ctx, e.ID)
		if err != nil {
			return made, err
		}
		before := map[time.Time]bool{}
		for _, o := range offered {
			before[o.Start] = true
		}
		pool := scheds
		if e.LibrarianID != 0 {
			pool = slices.DeleteFunc(slices.Clone(scheds), func(ls booking.LibrarianSchedule) bool { return ls.Librarian.ID != e.LibrarianID })
		}
		q := booking.SlotQuery{Topic: topic, Language: e.Language, Mode: e.Mode, Now: now}
		slots, err := booking.FindSlots(q, rules, s.loc, pool)
		if err != nil {
			return made, err
		}
		ok, err := w.offerFirst(ctx, e, q, rules, rg, known, topic, libs, pool, slots, before, taken)
		if err != nil {
			return made, err
		}
		if ok {
			made++
		}
	}
	return made, nil
}

// offerFirst offers the entry the first of slots that suits it, trying
// the next librarian and the next time when one was taken meanwhile.
func (w *Waitlist) offerFirst(ctx context.Context, e booking.WaitlistEntry, q booking.SlotQuery, rules booking.Rules, rg readRange,
	known topicSet, topic booking.Topic, libs []booking.Librarian, pool []booking.LibrarianSchedule, slots []booking.Slot,
	before map[time.Time]bool, taken map[int64]map[time.Time]bool) (bool, error) {
	s := w.svc
	for _, sl := range slots {
		if before[sl.Start] || !e.Suits(sl.Start, s.loc) {
			continue
		}
		qs := q
		qs.Mode = booking.ModeInPerson
		if sl.Online {
			qs.Mode = booking.ModeOnline
		}
		cands, err := candidates(qs, rules, s.loc, sl.Start, pool)
		if err != nil {
			return false, err
		}
		for _, a := range cands {
			if taken[a.LibrarianID][a.Start] {
				continue
			}
			lib := libs[slices.IndexFunc(libs, func(l booking.Librarian) bool { return l.ID == a.LibrarianID })]
			var o booking.WaitlistOffer
			err := s.store.Tx(ctx, lib.ID, func(ctx context.Context, tx Tx) error {
				var err error
				o, err = w.offerInTx(ctx, tx, e, qs, rules, rg, known, lib, a)
				return err
			})
			switch {
			case err == nil:
				if taken[a.LibrarianID] == nil {
					taken[a.LibrarianID] = map[time.Time]bool{}
				}
				taken[a.LibrarianID][a.Start] = true
				s.log.Info("scheduling: offered a waitlist entry a time", "entry", e.ID, "offer", o.ID, "librarian", lib.ID)
				return true, nil
			case errors.Is(err, booking.ErrSlotTaken), errors.Is(err, errNoBookingsCalendar):
				continue
			case errors.Is(err, errEntryNotWaiting), errors.Is(err, booking.ErrConflict):
				// Left, booked, or offered a time by another run meanwhile.
				return false, nil
			default:
				return false, err
			}
		}
	}
	return false, nil
}

var errEntryNotWaiting = errors.New("the waitlist entry no longer waits")

// offerInTx stores the offer, which holds the time from its commit, and
// queues its e-mail, under the librarian's lock after reading their
// schedule (holds included) again, as bookInTx does for a booking.
func (w *Waitlist) offerInTx(ctx context.Context, tx Tx, e booking.WaitlistEntry, q booking.SlotQuery, rules booking.Rules, rg readRange,
	known topicSet, lib booking.Librarian, a booking.Assignment) (booking.WaitlistOffer, error) {
	s := w.svc
	cur, err := tx.WaitlistEntry(ctx, e.ID)
	if err != nil {
		return booking.WaitlistOffer{}, err
	}
	if cur.Status != booking.WaitlistWaiting || !q.Now.Before(cur.ExpiresAt) {
		return booking.WaitlistOffer{}, errEntryNotWaiting
	}
	d, err := s.schedule(ctx, tx, lib, rg, known)
	if err != nil {
		return booking.WaitlistOffer{}, err
	}
	if !booking.SlotFree(q, rules, s.loc, d.sched, a.Start) {
		return booking.WaitlistOffer{}, fmt.Errorf("librarian %d no longer free at %s: %w", lib.ID, a.Start.Format(time.RFC3339), booking.ErrSlotTaken)
	}
	if !d.hasBookings {
		return booking.WaitlistOffer{}, fmt.Errorf("librarian %d: %w", lib.ID, errNoBookingsCalendar)
	}
	uid := newUID()
	_, hash := s.newToken("waitlist-offer:" + uid)
	o, err := tx.InsertWaitlistOffer(ctx, booking.WaitlistOffer{
		EntryID: e.ID, TopicID: e.TopicID, LibrarianID: lib.ID,
		Start: a.Start.UTC(), End: a.End.UTC(), Online: a.Online, Location: a.Location,
		UID: uid, TokenHash: hash, Status: booking.OfferOpen, OfferedAt: q.Now, ExpiresAt: q.Now.Add(w.hold),
	})
	if err != nil {
		return booking.WaitlistOffer{}, err
	}
	err = tx.Enqueue(ctx, booking.Message{Kind: booking.MessageWaitlistOffer, WaitlistOfferID: o.ID, SendAfter: q.Now, CreatedAt: q.Now})
	if err != nil {
		return booking.WaitlistOffer{}, err
	}
	return o, nil
}

// WaitlistURLs are the links an offer's e-mail carries: the offer's page,
// which books it, and the entry's "leave the waitlist" page. Each is ""
// when it cannot be made again (no Config.TokenKey).
func (s *Service) WaitlistURLs(v booking.OfferView) (offer, leave string) {
	return s.derivedURL("/waitlist/offer/", "waitlist-offer:"+v.Offer.UID, v.Offer.TokenHash),
		s.derivedURL("/waitlist/leave/", "waitlist-entry:"+v.Entry.UID, v.Entry.TokenHash)
}

func (s *Service) derivedURL(path, uid, hash string) string {
	if len(s.tokenKey) == 0 || hash == "" {
		return ""
	}
	token := derivedToken(s.tokenKey, uid)
	if !hmac.Equal([]byte(tokenHash(token)), []byte(hash)) {
		return ""
	}
	return s.baseURL + path + token
}

// Librarians lists the librarians who guide in a topic, for the choice of
// one on the waitlist's form.
func (w *Waitlist) Librarians(ctx context.Context, topicSlug string) ([]booking.Librarian, error) {
	t, err := w.svc.store.TopicBySlug(ctx, strings.TrimSpace(topicSlug))
	if err != nil {
		return nil, fmt.Errorf("scheduling: librarians of %q: %w", topicSlug, err)
	}
	libs, err := w.svc.store.LibrariansForTopic(ctx, t.ID)
	if err != nil {
		return nil, fmt.Errorf("scheduling: librarians of %q: %w", topicSlug, err)
	}
	return libs, nil
}
