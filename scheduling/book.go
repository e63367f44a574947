package scheduling

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/recurrence"
)

// errNoBookingsCalendar marks a librarian who cannot take a booking because
// their bookings calendar is gone; the next candidate is tried.
var errNoBookingsCalendar = errors.New("librarian has no bookings calendar")

// Book books the slot starting at r.Start for the student, with the
// librarian booking.Assign prefers among those free at that time by fresh
// schedules; when that librarian was taken meanwhile, the next one is
// tried. It returns the booking and the plain manage token, which is
// stored only as its SHA-256 and must reach the student now.
//
// Errors: a *booking.FieldError (ErrInvalid) for a bad request or unknown
// topic, or for a start that could never be booked (past, too soon, too
// far, off the grid: booking.Rules.CheckStart); booking.ErrSlotTaken when
// nobody is free at r.Start any more; booking.ErrLimitReached when the student holds
// the most active bookings allowed.
func (s *Service) Book(ctx context.Context, r booking.Request) (booking.View, string, error) {
	if err := r.Validate(); err != nil {
		return booking.View{}, "", fmt.Errorf("scheduling: book: %w", err)
	}
	lang := normLang(r.Language)
	if !validLang(lang) {
		return booking.View{}, "", fmt.Errorf("scheduling: book: %w", &booking.FieldError{Field: "language", Code: "invalid"})
	}
	mode, err := booking.ParseMode(string(r.Mode))
	if err != nil {
		return booking.View{}, "", fmt.Errorf("scheduling: book: %w", err)
	}
	topic, err := s.store.TopicBySlug(ctx, strings.TrimSpace(r.TopicSlug))
	switch {
	case errors.Is(err, booking.ErrNotFound):
		return booking.View{}, "", fmt.Errorf("scheduling: book: topic %q: %w", r.TopicSlug, &booking.FieldError{Field: "topic", Code: "invalid"})
	case err != nil:
		return booking.View{}, "", fmt.Errorf("scheduling: book: %w", err)
	}
	if topic.General && r.Question == "" && r.BookedBy == 0 {
		// "Help me choose" says nothing of the need but the student's own
		// words, which the librarian prepares from. At the desk the staff
		// member's inquiry holds it.
		return booking.View{}, "", fmt.Errorf("scheduling: book: %w", &booking.FieldError{Field: "question", Code: "required"})
	}
	questions, err := s.store.AskedQuestions(ctx, topic)
	if err != nil {
		return booking.View{}, "", fmt.Errorf("scheduling: book: %w", err)
	}
	answers, err := booking.Answers(questions, r.Answers)
	if err != nil {
		return booking.View{}, "", fmt.Errorf("scheduling: book: %w", err)
	}
	rules, err := s.Rules(ctx, topic)
	if err != nil {
		return booking.View{}, "", err
	}
	svc, err := s.serviceOf(ctx, topic)
	if err != nil {
		return booking.View{}, "", err
	}
	release, err := s.takeTurn(ctx)
	if err != nil {
		return booking.View{}, "", fmt.Errorf("scheduling: book: %w", err)
	}
	defer release()
	// The clock is read after the wait, for the notice rule.
	now := s.now()
	start := r.Start.UTC()
	if err := rules.CheckStart(start, now, s.loc); err != nil {
		return booking.View{}, "", fmt.Errorf("scheduling: book %s at %s: %w", topic.Slug, start.Format(time.RFC3339), err)
	}
	q := booking.SlotQuery{Topic: topic, Language: lang, Mode: mode, Campus: strings.TrimSpace(r.Campus), Now: now}

	libs, err := s.store.LibrariansForTopic(ctx, topic.ID)
	if err != nil {
		return booking.View{}, "", fmt.Errorf("scheduling: book: %w", err)
	}
	if r.LibrarianID != 0 {
		libs = slices.DeleteFunc(libs, func(l booking.Librarian) bool { return l.ID != r.LibrarianID })
		if len(libs) == 0 {
			return booking.View{}, "", fmt.Errorf("scheduling: book: librarian %d: %w", r.LibrarianID, &booking.FieldError{Field: "librarian", Code: "invalid"})
		}
	}
	known, err := s.knownTopics(ctx)
	if err != nil {
		return booking.View{}, "", err
	}
	rg := s.rangeFor(rules, now, start, start.Add(time.Nanosecond))
	scheds, epoch, err := s.schedules(ctx, libs, rg, s.rangeFor(rules, now, time.Time{}, time.Time{}), known)
	if err != nil {
		return booking.View{}, "", fmt.Errorf("scheduling: book: %w", err)
	}
	cands, err := candidates(q, rules, s.loc, start, scheds)
	if err != nil {
		return booking.View{}, "", fmt.Errorf("scheduling: book: %w", err)
	}

	// One UID for every candidate: only one booking commits, and the
	// manage token may be derived from it (Config.TokenKey).
	uid := newUID()
	token, hash := s.newToken(uid)
	// First the candidates nobody else is booking right now, best first;
	// then, in the same order, those that were being booked, waiting for
	// each. A librarian whose schedule is locked is nearly always taking
	// another booking, which raises their weekly count, so preferring the
	// next free one is what booking.Assign would choose a moment later,
	// and bookings of distinct times spread over the team instead of
	// queueing behind one person.
	users := make([]booking.User, len(cands))
	var wait []int
	for pass := range 2 {
		todo := wait
		if pass == 0 {
			todo = make([]int, len(cands))
			for k := range todo {
				todo[k] = k
			}
		}
		for _, k := range todo {
			a := cands[k]
			i := slices.IndexFunc(libs, func(l booking.Librarian) bool { return l.ID == a.LibrarianID })
			lib := libs[i]
			if users[k].ID == 0 {
				users[k], err = s.store.UserByID(ctx, lib.ID)
				if err != nil {
					return booking.View{}, "", fmt.Errorf("scheduling: book: librarian %d: %w", lib.ID, err)
				}
			}
			user := users[k]
			b := booking.Booking{
				TopicID:      topic.ID,
				LibrarianID:  lib.ID,
				Start:        a.Start.UTC(),
				End:          a.End.UTC(),
				Online:       a.Online,
				Location:     a.Location,
				StudentName:  r.StudentName,
				StudentEmail: r.StudentEmail,
				Question:     r.Question,
				Programme:    r.Programme,
				StudyLevel:   strings.ToLower(strings.TrimSpace(r.StudyLevel)),
				Answers:      answers,
				Language:     meetingLanguage(lang, lib, topic.ID, normLocale(r.Locale)),
				Locale:       normLocale(r.Locale),
				Status:       booking.StatusConfirmed,
				EventUID:     uid,
				TokenHash:    hash,
				BookedBy:     r.BookedBy,
				InquiryID:    r.InquiryID,
				RequestID:    r.RequestID,
				CreatedAt:    now,

				StudentIdentity: r.StudentIdentity,
				UpdatedAt:       now,
			}
			b.EventName = b.EventUID + ".ics"
			qa := q
			qa.Mode = booking.ModeInPerson
			if a.Online {
				qa.Mode = booking.ModeOnline
			}
			var booked booking.Booking
			fn := func(ctx context.Context, tx Tx) error {
				var err error
				booked, err = s.bookInTx(ctx, tx, bookArgs{q: qa, rules: rules, rg: rg, known: known, epoch: epoch, lib: lib, user: user, topic: topic, svc: svc, b: b})
				return err
			}
			if pass == 0 {
				var locked bool
				locked, err = s.store.TryTx(ctx, lib.ID, fn)
				if locked {
					wait = append(wait, k)
					continue
				}
			} else {
				err = s.store.Tx(ctx, lib.ID, fn)
			}
			switch {
			case err == nil:
				return booking.View{Booking: booked, Topic: topic, LibrarianName: user.Name(), LibrarianMail: user.Email}, token, nil
			case errors.Is(err, booking.ErrSlotTaken), errors.Is(err, booking.ErrConflict):
				s.log.Debug("scheduling: candidate taken meanwhile", "librarian", lib.ID, "start", start, "err", err)
				continue
			case errors.Is(err, errNoBookingsCalendar):
				s.log.Error("scheduling: librarian cannot take bookings", "librarian", lib.ID, "err", err)
				continue
			default:
				return booking.View{}, "", fmt.Errorf("scheduling: book: %w", err)
			}
		}
	}
	return booking.View{}, "", fmt.Errorf("scheduling: book %s at %s: %w", topic.Slug, start.In(s.loc).Format("2006-01-02 15:04 MST"), booking.ErrSlotTaken)
}

// candidates lists the librarians free at start, best first by
// booking.Assign's order (weekly load, competence level, ID).
func candidates(q booking.SlotQuery, r booking.Rules, loc *time.Location, start time.Time, scheds []booking.LibrarianSchedule) ([]booking.Assignment, error) {
	pool := slices.Clone(scheds)
	var out []booking.Assignment
	for len(pool) > 0 {
		a, err := booking.Assign(q, r, loc, start, pool)
		if errors.Is(err, booking.ErrSlotTaken) {
			break
		}
		if err != nil {
			return nil, err
		}
		out = append(out, a)
		pool = slices.DeleteFunc(pool, func(ls booking.LibrarianSchedule) bool { return ls.Librarian.ID == a.LibrarianID })
	}
	return out, nil
}

type bookArgs struct {
	q     booking.SlotQuery
	rules booking.Rules
	rg    readRange
	known topicSet
	// epoch is the sync epoch the search before the lock read.
	epoch string
	lib   booking.Librarian
	user  booking.User
	topic booking.Topic
	svc   booking.Service
	b     booking.Booking
	// offer says the booking is a waitlist offer being accepted.
	offer bool
}

// bookInTx stores the booking and its event inside the transaction that
// holds the librarian's lock, after checking again, on what the
// transaction reads, that the librarian is still free and the student
// under their limit: what was read before the lock may be stale.
func (s *Service) bookInTx(ctx context.Context, tx Tx, a bookArgs) (booking.Booking, error) {
	d, err := s.scheduleInTx(ctx, tx, a.lib, a.rg, a.known, a.epoch)
	if err != nil {
		return booking.Booking{}, err
	}
	if !booking.SlotFree(a.q, a.rules, s.loc, d.sched, a.b.Start) {
		return booking.Booking{}, fmt.Errorf("librarian %d no longer free at %s: %w", a.lib.ID, a.b.Start.Format(time.RFC3339), booking.ErrSlotTaken)
	}
	if !d.hasBookings {
		return booking.Booking{}, fmt.Errorf("librarian %d: %w", a.lib.ID, errNoBookingsCalendar)
	}
	active, err := tx.ActiveBookingsByEmail(ctx, a.b.StudentEmail, a.q.Now)
	if err != nil {
		return booking.Booking{}, err
	}
	if err := booking.CheckStudentLimit(active, a.rules); err != nil {
		return booking.Booking{}, err
	}
	b, err := tx.InsertBooking(ctx, a.b)
	if err != nil {
		return booking.Booking{}, err
	}
	if b, err = withMeetingLink(ctx, tx, b, a.lib, a.svc); err != nil {
		return booking.Booking{}, err
	}
	data, err := bookingEvent(eventInput{Booking: b, Topic: a.topic, LibrarianName: a.user.Name(), LibrarianEmail: a.user.Email, Stamp: a.q.Now})
	if err != nil {
		return booking.Booking{}, err
	}
	obj := bookingObject(d.bookingsCal, b, data)
	if _, _, err := tx.PutObject(ctx, obj, booking.WriteCondition{IfNoneMatchAny: true}); err != nil {
		return booking.Booking{}, err
	}
	err = tx.Enqueue(ctx, booking.Message{Kind: booking.MessageConfirmation, BookingID: b.ID, Sequence: b.Sequence, SendAfter: a.q.Now, CreatedAt: a.q.Now})
	if err != nil {
		return booking.Booking{}, err
	}
	// The store queues this one only for a librarian who opted in.
	err = tx.Enqueue(ctx, booking.Message{Kind: booking.MessageLibrarianNew, BookingID: b.ID, Sequence: b.Sequence, SendAfter: a.q.Now, CreatedAt: a.q.Now})
	if err != nil {
		return booking.Booking{}, err
	}
	if err := queueInvite(ctx, tx, b, a.q.Now); err != nil {
		return booking.Booking{}, err
	}
	// A student who booked a time of the topic, however, waits for none;
	// an accepted offer settles its own entry (waitlist.go).
	if !a.offer {
		if err := tx.EndWaitlistOf(ctx, b.StudentEmail, b.TopicID, b.CreatedAt); err != nil {
			return booking.Booking{}, err
		}
	}
	return b, nil
}

// bookingObject is the booking's event, data as bookingEvent built it, as
// the bookings calendar cal stores it. The event is the booking's own
// UID, start and end, written as one UTC DTSTART and DTEND in whole
// seconds, so its index columns come from the booking rather than from
// parsing the event just built (TestBookingObject holds the two equal).
func bookingObject(cal booking.Calendar, b booking.Booking, data []byte) booking.CalendarObject {
	return booking.CalendarObject{
		CalendarID: cal.ID, Name: b.EventName, UID: b.EventUID, Component: ical.CompEvent, Data: data,
		FirstStart: b.Start.UTC().Truncate(time.Second), LastEnd: b.End.UTC().Truncate(time.Second),
	}
}

// calendarObject validates data as an object of cal named name, as a
// CalDAV PUT is validated, and indexes it, so that what the service writes
// passes the same checks as what calendar apps write.
func (s *Service) calendarObject(cal booking.Calendar, name string, data []byte) (booking.CalendarObject, error) {
	v, err := recurrence.Validate(data, cal.AcceptsComponent, recurrence.Options{Location: s.loc})
	if err != nil {
		return booking.CalendarObject{}, err
	}
	return booking.CalendarObject{
		CalendarID: cal.ID, Name: name, UID: v.UID, Component: v.Component, Data: data,
		FirstStart: v.FirstStart, LastEnd: v.LastEnd, Parsed: v.Calendar,
	}, nil
}

// Booking returns the booking a manage token belongs to.
func (s *Service) Booking(ctx context.Context, token string) (booking.View, error) {
	b, err := s.bookingByToken(ctx, token)
	if err != nil {
		return booking.View{}, err
	}
	return s.view(ctx, b)
}

func (s *Service) bookingByToken(ctx context.Context, token string) (booking.Booking, error) {
	if !validToken(token) {
		return booking.Booking{}, fmt.Errorf("scheduling: booking by token: %w", booking.ErrNotFound)
	}
	b, err := s.store.BookingByTokenHash(ctx, tokenHash(token))
	if err != nil {
		return booking.Booking{}, fmt.Errorf("scheduling: booking by token: %w", err)
	}
	return b, nil
}

// Cancel cancels the booking of a manage token for the student: the
// booking is marked cancelled, its event leaves the librarian's bookings
// calendar and the student is told, in one transaction. Cancelling a
// cancelled booking changes nothing; a meeting that has begun cannot be
// cancelled (booking.ErrInvalid).
func (s *Service) Cancel(ctx context.Context, token string) (booking.View, error) {
	b, err := s.bookingByToken(ctx, token)
	if err != nil {
		return booking.View{}, err
	}
	if b, err = s.cancel(ctx, b, booking.PartyStudent, true); err != nil {
		return booking.View{}, err
	}
	return s.view(ctx, b)
}

// deleteEvent removes a booking's event from the librarian's bookings
// calendar; an event the librarian already deleted is no error.
func (s *Service) deleteEvent(ctx context.Context, tx Tx, b booking.Booking) error {
	cals, err := tx.Calendars(ctx, b.LibrarianID)
	if err != nil {
		return err
	}
	for _, cal := range cals {
		if cal.OwnerID != b.LibrarianID || cal.Kind != booking.KindBookings {
			continue
		}
		err := tx.DeleteObject(ctx, cal.ID, b.EventName, booking.WriteCondition{})
		if err != nil && !errors.Is(err, booking.ErrNotFound) {
			return err
		}
	}
	return nil
}

// view adds the names a page shows to a booking.
func (s *Service) view(ctx context.Context, b booking.Booking) (booking.View, error) {
	v := booking.View{Booking: b}
	t, err := s.store.TopicByID(ctx, b.TopicID)
	if err != nil && !errors.Is(err, booking.ErrNotFound) {
		return booking.View{}, fmt.Errorf("scheduling: booking %d: %w", b.ID, err)
	}
	v.Topic = t
	u, err := s.store.UserByID(ctx, b.LibrarianID)
	if err != nil && !errors.Is(err, booking.ErrNotFound) {
		return booking.View{}, fmt.Errorf("scheduling: booking %d: %w", b.ID, err)
	}
	if err == nil {
		v.LibrarianName, v.LibrarianMail = u.Name(), u.Email
	}
	return v, nil
}

// normLocale is "en" for an English locale ("en", "en-GB") and "nb" for
// everything else: the service speaks Bokmål and English.
func normLocale(s string) string {
	if strings.HasPrefix(normLang(s), "en") {
		return "en"
	}
	return "nb"
}

// validLang accepts "" (any) or a short language tag.
func validLang(s string) bool {
	if len(s) > 10 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '-' {
			return false
		}
	}
	return true
}

// meetingLanguage is the language the meeting is held in: the one asked
// for, else the student's locale when the librarian guides in it, else
// the librarian's first language for the topic.
func meetingLanguage(asked string, lib booking.Librarian, topicID int64, locale string) string {
	if asked != "" {
		return asked
	}
	langs := lib.Languages
	for _, c := range lib.Competences {
		if c.TopicID == topicID && len(c.Languages) > 0 {
			langs = c.Languages
		}
	}
	for _, l := range langs {
		if strings.EqualFold(l, locale) {
			return locale
		}
	}
	if len(langs) > 0 {
		return normLang(langs[0])
	}
	return locale
}

// IdentityBookings lists a signed-in student's bookings, newest first,
// each with its manage link: the student's page of bookings. Bookings
// made without signing in are not among them, even under the same
// e-mail address, since an address typed into a form proves nothing.
func (s *Service) IdentityBookings(ctx context.Context, identity string) ([]booking.IdentityBooking, error) {
	bs, err := s.store.BookingsOfIdentity(ctx, identity)
	if err != nil {
		return nil, fmt.Errorf("scheduling: bookings of identity: %w", err)
	}
	out := make([]booking.IdentityBooking, 0, len(bs))
	for _, b := range bs {
		v, err := s.view(ctx, b)
		if err != nil {
			return nil, fmt.Errorf("scheduling: bookings of identity: %w", err)
		}
		out = append(out, booking.IdentityBooking{View: v, ManageURL: s.ManageURL(b)})
	}
	return out, nil
}

// takeTurn waits for one of the booking gate's places (bookings, moves
// and waitlist accepts share it, sized from the pool) and returns the
// function that gives it back; an error when ctx ends first.
func (s *Service) takeTurn(ctx context.Context) (release func(), err error) {
	select {
	case s.bookGate <- struct{}{}:
		return func() { <-s.bookGate }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for a turn: %w", ctx.Err())
	}
}
