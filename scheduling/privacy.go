package scheduling

// The privacy work: the retention purge, which anonymises bookings some
// time after their meeting, a student's own deletion from the manage
// link, and an admin's export and erasure of one e-mail address's data
// (GDPR Art. 15 and 17).

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/recurrence"
)

// PrivacyStore is what the retention job and erasure need from the store
// besides Store.
type PrivacyStore interface {
	// BookingsToAnonymise lists bookings whose meeting ended before cutoff
	// and that still hold personal data, oldest first.
	BookingsToAnonymise(ctx context.Context, cutoff time.Time, limit int) ([]int64, error)
	// BookingIDsByEmail lists the bookings made with an address, in any
	// case.
	BookingIDsByEmail(ctx context.Context, email string) ([]int64, error)
	// AcquireLease takes or renews a job's lease for holder; false when
	// another holder has it.
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
	// OutboxOf lists the messages queued about a booking.
	OutboxOf(ctx context.Context, bookingID int64) ([]booking.SentMessage, error)
	// AnonymiseRequests clears the student's details of the requests not
	// changed since before cutoff; their counts stay.
	AnonymiseRequests(ctx context.Context, cutoff time.Time) (int, error)
	// RequestsByEmail lists the requests made with an address, in any
	// case; EraseRequests clears them, closing those still waiting.
	RequestsByEmail(ctx context.Context, email string) ([]booking.HelpRequest, error)
	EraseRequests(ctx context.Context, email string, by int64, reason string, now time.Time) (int, error)
	// WaitlistEntriesByEmail lists an address's waitlist entries, in any
	// case, with the offers made to each.
	WaitlistEntriesByEmail(ctx context.Context, email string) ([]booking.WaitlistEntry, [][]booking.WaitlistOffer, error)
	// DeleteWaitlistEntries deletes every entry of email, or with email
	// empty the entries that ended before cutoff, with their offers.
	DeleteWaitlistEntries(ctx context.Context, email string, cutoff time.Time) (int, error)
	// DeleteStudentSessionsByEmail signs out the students signed in with
	// the provider under the address, in any case.
	DeleteStudentSessionsByEmail(ctx context.Context, email string) (int64, error)
}

// outboxScrubber is the store transaction's way to clear delivery errors,
// which may quote the student's address.
type outboxScrubber interface {
	ScrubOutbox(ctx context.Context, bookingID int64) error
}

// feedbackUnlinker is the store transaction's way to keep a rating as
// statistics only: no longer tied to the booking, and, when the student's
// data is erased at their request, without its comment.
type feedbackUnlinker interface {
	UnlinkFeedback(ctx context.Context, bookingID int64, dropComment bool) error
}

// Privacy removes students' personal data: after the retention period,
// at the student's request from the manage link, and at an admin's for
// one e-mail address.
type Privacy struct {
	svc   *Service
	store PrivacyStore
}

// Privacy returns the privacy operations over ps, which is normally the
// same store as the service's.
func (s *Service) Privacy(ps PrivacyStore) *Privacy { return &Privacy{svc: s, store: ps} }

// retentionLease names the retention job's lease.
const retentionLease = "retention"

// retentionBatch is how many bookings one query of the job picks.
const retentionBatch = 100

// RunRetention anonymises every booking whose meeting ended more than
// retention ago, if holder gets the job's lease (another replica may be
// running it), and returns how many it anonymised. Each booking is
// anonymised in its own transaction, which reads it again, so that a
// replica that took the lease over from a dead one does no harm.
func (p *Privacy) RunRetention(ctx context.Context, retention time.Duration, holder string) (int, error) {
	if retention <= 0 {
		return 0, fmt.Errorf("scheduling: retention %v: %w", retention, booking.ErrInvalid)
	}
	const ttl = 10 * time.Minute
	ok, err := p.store.AcquireLease(ctx, retentionLease, holder, ttl)
	if err != nil || !ok {
		return 0, err
	}
	defer func() {
		// The lease is released even when ctx was cancelled at shutdown.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := p.store.ReleaseLease(ctx, retentionLease, holder); err != nil {
			p.svc.log.Warn("scheduling: release retention lease", "err", err)
		}
	}()
	cutoff := p.svc.now().Add(-retention)
	done := 0
	failed := map[int64]bool{}
	for {
		limit := retentionBatch + len(failed)
		ids, err := p.store.BookingsToAnonymise(ctx, cutoff, limit)
		if err != nil {
			return done, err
		}
		progress := false
		for _, id := range ids {
			if failed[id] {
				continue
			}
			if err := p.Anonymise(ctx, id); err != nil {
				if ctx.Err() != nil {
					return done, ctx.Err()
				}
				// One bad booking must not stop the others; it is tried
				// again at the next run.
				p.svc.log.Error("scheduling: anonymise booking", "booking", id, "err", err)
				failed[id] = true
				continue
			}
			done++
			progress = true
		}
		if len(ids) < limit || !progress {
			break
		}
		if ok, err := p.store.AcquireLease(ctx, retentionLease, holder, ttl); err != nil || !ok {
			return done, err
		}
	}
	if done > 0 {
		p.svc.log.Info("scheduling: retention anonymised bookings", "count", done, "cutoff", cutoff)
	}
	// Requests: the student's details go once the request has rested as
	// long as a booking's do after its meeting.
	n, err := p.store.AnonymiseRequests(ctx, cutoff)
	if err != nil {
		return done, err
	}
	if n > 0 {
		p.svc.log.Info("scheduling: retention anonymised requests", "count", n, "cutoff", cutoff)
	}
	// A waitlist entry that ended (booked, left, expired) is of no use
	// after the retention period either; what it became, a booking, has
	// its own. It holds nothing the statistics count.
	w, err := p.store.DeleteWaitlistEntries(ctx, "", cutoff)
	if err != nil {
		return done, fmt.Errorf("scheduling: retention: %w", err)
	}
	if w > 0 {
		p.svc.log.Info("scheduling: retention deleted waitlist entries", "count", w, "cutoff", cutoff)
	}
	return done, nil
}

// Anonymise removes the student's personal data from a booking: name,
// e-mail address, question and programme become empty, the manage link
// stops working, and the booking's event in the librarian's calendars is
// rewritten without the student (through the normal write path, so that
// calendar apps get the new version with their next sync). What the
// statistics count (topic, times, status, who cancelled, no-show, study
// level, language) is kept. Anonymising an anonymised booking does
// nothing.
func (p *Privacy) Anonymise(ctx context.Context, id int64) error { return p.anonymise(ctx, id, false) }

// anonymise is Anonymise; erase also drops the comment of the booking's
// rating, which is the student's own text (the rating stays, unlinked).
func (p *Privacy) anonymise(ctx context.Context, id int64, erase bool) error {
	s := p.svc
	b, err := s.bookingByID(ctx, id)
	if err != nil {
		return err
	}
	if b.Anonymised {
		return nil
	}
	topic, err := s.store.TopicByID(ctx, b.TopicID)
	if err != nil && !errors.Is(err, booking.ErrNotFound) {
		return fmt.Errorf("scheduling: anonymise booking %d: %w", id, err)
	}
	err = s.store.Tx(ctx, b.LibrarianID, func(ctx context.Context, tx Tx) error {
		cur, err := tx.BookingByID(ctx, id)
		if err != nil {
			return err
		}
		if cur.Anonymised {
			return nil
		}
		if err := s.scrubEvents(ctx, tx, cur, topic); err != nil {
			return err
		}
		cur.StudentName, cur.StudentEmail, cur.Question, cur.Programme = "", "", "", ""
		cur.Answers = nil // the store deletes them with the anonymised booking
		// The link to the signed-in identity goes with the rest: the
		// booking no longer shows on that student's page.
		cur.StudentIdentity = ""
		cur.TokenHash = ""
		cur.Anonymised = true
		cur.UpdatedAt = s.now()
		if err := tx.UpdateBooking(ctx, cur); err != nil {
			return err
		}
		if sc, ok := tx.(outboxScrubber); ok {
			if err := sc.ScrubOutbox(ctx, id); err != nil {
				return err
			}
		}
		if fu, ok := tx.(feedbackUnlinker); ok {
			if err := fu.UnlinkFeedback(ctx, id, erase); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("scheduling: anonymise booking %d: %w", id, err)
	}
	return nil
}

// scrubEvents rewrites, without the student's data, every copy of the
// booking's event in the librarian's own calendars: the one in the
// bookings calendar, and any the librarian's app moved or copied
// elsewhere with the same UID near the meeting's time.
func (s *Service) scrubEvents(ctx context.Context, tx Tx, b booking.Booking, topic booking.Topic) error {
	cals, err := tx.Calendars(ctx, b.LibrarianID)
	if err != nil {
		return err
	}
	for _, cal := range cals {
		if cal.OwnerID != b.LibrarianID {
			continue
		}
		objs, err := tx.ObjectsOverlapping(ctx, cal.ID, ical.CompEvent, b.Start.Add(-14*24*time.Hour), b.End.Add(14*24*time.Hour))
		if err != nil {
			return err
		}
		seen := false
		for _, o := range objs {
			if o.UID == b.EventUID || o.Name == b.EventName {
				seen = seen || o.Name == b.EventName
				if err := s.scrubObject(ctx, tx, cal, o, b, topic); err != nil {
					return err
				}
			}
		}
		// The event may have been moved far from the meeting's time.
		if !seen && cal.Kind == booking.KindBookings && b.EventName != "" {
			o, err := tx.Object(ctx, cal.ID, b.EventName)
			switch {
			case errors.Is(err, booking.ErrNotFound):
			case err != nil:
				return err
			default:
				if err := s.scrubObject(ctx, tx, cal, o, b, topic); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// scrubbedProps are the properties that carry the student: who they are,
// what they asked, and notes about them.
var scrubbedProps = []string{ical.PropAttendee, ical.PropDescription, ical.PropComment, ical.PropContact,
	ical.PropAttach, "X-ALT-DESC"}

// structural are the properties that make the event what it is, which
// are kept whatever they happen to contain.
var structural = map[string]bool{
	ical.PropUID: true, ical.PropDateTimeStart: true, ical.PropDateTimeEnd: true, ical.PropDuration: true,
	ical.PropRecurrenceRule: true, ical.PropRecurrenceDates: true, ical.PropExceptionDates: true,
	ical.PropRecurrenceID: true, ical.PropSequence: true, ical.PropDateTimeStamp: true, ical.PropStatus: true,
	ical.PropTransparency: true, ical.PropTimezoneID: true, ical.PropTimezoneOffsetFrom: true,
	ical.PropTimezoneOffsetTo: true, ical.PropVersion: true, ical.PropProductID: true, ical.PropAction: true,
	ical.PropTrigger: true, ical.PropCategories: true,
}

// scrubObject rewrites one stored event without the student's data and
// stores it in its place, on the condition that it is the version read.
func (s *Service) scrubObject(ctx context.Context, tx Tx, cal booking.Calendar, o booking.CalendarObject, b booking.Booking, topic booking.Topic) error {
	data, err := scrubEvent(o.Data, b, topic, s.now())
	if err != nil {
		// A stored event that cannot be read cannot be rewritten either:
		// remove it rather than keep the student's data.
		s.log.Warn("scheduling: booking event does not parse; deleting it", "calendar", cal.ID, "name", o.Name, "err", err)
		return tx.DeleteObject(ctx, cal.ID, o.Name, booking.WriteCondition{IfMatch: o.ETag})
	}
	obj, err := s.calendarObject(cal, o.Name, data)
	if err != nil {
		return fmt.Errorf("scrubbed event %s does not validate: %v", o.Name, err)
	}
	_, _, err = tx.PutObject(ctx, obj, booking.WriteCondition{IfMatch: o.ETag})
	return err
}

// scrubEvent is the event without the student: the properties naming or
// quoting them are removed from every component, any other property whose
// value holds their name, address or question goes too, and the summary
// names only the topic.
func scrubEvent(data []byte, b booking.Booking, topic booking.Topic, now time.Time) ([]byte, error) {
	c, err := recurrence.ParseCalendar(data)
	if err != nil {
		return nil, err
	}
	summary := "Veiledning"
	if topic.NameNB != "" {
		summary += ": " + oneLine(topic.NameNB)
	}
	var needles []string
	texts := []string{b.StudentEmail, b.StudentName, b.Question, b.Programme}
	for _, a := range b.Answers {
		// Free text may name the student; a choice's option does not.
		if a.Kind == booking.QuestionText || a.Kind == booking.QuestionLongText {
			texts = append(texts, a.Value)
		}
	}
	for _, v := range texts {
		v = strings.ToLower(strings.TrimSpace(v))
		if len([]rune(v)) >= 3 {
			needles = append(needles, v)
		}
		// A long question is folded and escaped in the data: its first
		// line is enough to recognise it.
		if first, _, ok := strings.Cut(v, "\n"); ok && len([]rune(first)) >= 3 {
			needles = append(needles, strings.TrimSpace(first))
		}
	}
	var walk func(comp *ical.Component)
	walk = func(comp *ical.Component) {
		for _, name := range scrubbedProps {
			comp.Props.Del(name)
		}
		for name, props := range comp.Props {
			kept := props[:0]
			for _, p := range props {
				if structural[name] || !mentions(p, needles) {
					kept = append(kept, p)
				}
			}
			if len(kept) == 0 {
				delete(comp.Props, name)
			} else {
				comp.Props[name] = kept
			}
		}
		switch comp.Name {
		case ical.CompEvent, ical.CompToDo:
			comp.Props.SetText(ical.PropSummary, summary)
			comp.Props.SetDateTime(ical.PropDateTimeStamp, now.UTC().Truncate(time.Second))
		case ical.CompAlarm:
			// A display alarm must have a DESCRIPTION (RFC 5545 §3.6.6).
			if p := comp.Props.Get(ical.PropAction); p != nil && strings.EqualFold(p.Value, "DISPLAY") {
				comp.Props.SetText(ical.PropDescription, summary)
			}
			comp.Props.Del(ical.PropSummary)
		}
		for _, child := range comp.Children {
			walk(child)
		}
	}
	for _, child := range c.Children {
		walk(child)
	}
	var buf strings.Builder
	if err := ical.NewEncoder(&buf).Encode(c); err != nil {
		return nil, fmt.Errorf("encode scrubbed event: %w", err)
	}
	return fold([]byte(buf.String())), nil
}

// mentions reports whether a property's value or parameters hold one of
// the needles (lower case), before or after unescaping.
func mentions(p ical.Prop, needles []string) bool {
	if len(needles) == 0 {
		return false
	}
	hay := []string{strings.ToLower(p.Value)}
	if t, err := p.Text(); err == nil {
		hay = append(hay, strings.ToLower(t))
	}
	for _, vs := range p.Params {
		for _, v := range vs {
			hay = append(hay, strings.ToLower(v))
		}
	}
	for _, h := range hay {
		for _, n := range needles {
			if strings.Contains(h, n) {
				return true
			}
		}
	}
	return false
}

// DeleteOwnData removes the student's personal data from the booking of a
// manage token, at the student's request. Only a booking whose meeting is
// over or that is cancelled can be deleted so (booking.ErrInvalid
// otherwise: cancel it first); the manage link stops working.
func (p *Privacy) DeleteOwnData(ctx context.Context, token string) error {
	b, err := p.svc.bookingByToken(ctx, token)
	if err != nil {
		return err
	}
	if b.Active() && p.svc.now().Before(b.End) {
		return fmt.Errorf("scheduling: delete data of booking %d: the meeting is still to come: %w", b.ID, booking.ErrInvalid)
	}
	return p.anonymise(ctx, b.ID, true)
}

// Erase removes everything about one e-mail address (GDPR Art. 17): each
// of its bookings still to come is cancelled (the event leaves the
// librarian's calendar; no message is sent to an address being erased)
// and every booking is anonymised; its waitlist entries are deleted. It
// returns how many bookings it anonymised.
func (p *Privacy) Erase(ctx context.Context, email string) (int, error) {
	ids, err := p.store.BookingIDsByEmail(ctx, email)
	if err != nil {
		return 0, fmt.Errorf("scheduling: erase: %w", err)
	}
	n := 0
	for _, id := range ids {
		b, err := p.svc.bookingByID(ctx, id)
		if err != nil {
			return n, err
		}
		if b.Active() && p.svc.now().Before(b.Start) {
			if _, err := p.svc.cancelByID(ctx, id, booking.PartyAdmin, false); err != nil {
				return n, err
			}
		}
		if err := p.anonymise(ctx, id, true); err != nil {
			return n, err
		}
		n++
	}
	// A request still waiting is closed: nobody could reach the student.
	r, err := p.store.EraseRequests(ctx, email, 0, "erased at the student's request (GDPR Art. 17)", p.svc.now())
	if err != nil {
		return n, fmt.Errorf("scheduling: erase: %w", err)
	}
	// Deleting the address's waitlist entries frees any time offered to
	// them.
	w, err := p.store.DeleteWaitlistEntries(ctx, email, time.Time{})
	if err != nil {
		return n, fmt.Errorf("scheduling: erase: %w", err)
	}
	// A session signed in with the provider under the address holds the
	// name and address too.
	if _, err := p.store.DeleteStudentSessionsByEmail(ctx, email); err != nil {
		return n, fmt.Errorf("scheduling: erase: %w", err)
	}
	p.svc.log.Info("scheduling: erased the bookings of an e-mail address", "bookings", n, "requests", r, "waitlist_entries", w)
	return n, nil
}

// Export collects everything stored about one e-mail address (GDPR Art.
// 15): its bookings with their events and the messages sent about them.
func (p *Privacy) Export(ctx context.Context, email string) (booking.DataExport, error) {
	ids, err := p.store.BookingIDsByEmail(ctx, email)
	if err != nil {
		return booking.DataExport{}, fmt.Errorf("scheduling: export: %w", err)
	}
	out := booking.DataExport{Email: strings.TrimSpace(email), Created: p.svc.now().UTC(), Bookings: []booking.ExportedBooking{}, Requests: []booking.ExportedRequest{}}
	reqs, err := p.store.RequestsByEmail(ctx, email)
	if err != nil {
		return booking.DataExport{}, fmt.Errorf("scheduling: export: %w", err)
	}
	for _, r := range reqs {
		t, err := p.svc.store.TopicByID(ctx, r.TopicID)
		if err != nil && !errors.Is(err, booking.ErrNotFound) {
			return booking.DataExport{}, fmt.Errorf("scheduling: export: %w", err)
		}
		out.Requests = append(out.Requests, booking.ExportedRequest{
			ID: r.ID, Topic: t.NameEN, Need: r.Need, Times: r.Times, Language: r.Language, Mode: string(r.Mode),
			Name: r.StudentName, Email: r.StudentEmail, Locale: r.Locale, State: r.State, CloseReason: r.CloseReason,
			Created: r.CreatedAt, Updated: r.UpdatedAt,
		})
	}
	for _, id := range ids {
		b, err := p.svc.bookingByID(ctx, id)
		if err != nil {
			return booking.DataExport{}, err
		}
		v, err := p.svc.view(ctx, b)
		if err != nil {
			return booking.DataExport{}, err
		}
		msgs, err := p.store.OutboxOf(ctx, id)
		if err != nil {
			return booking.DataExport{}, err
		}
		e := booking.ExportedBooking{
			ID: b.ID, Topic: v.Topic.NameEN, Librarian: v.LibrarianName,
			Start: b.Start, End: b.End, Online: b.Online, Location: b.Location,
			Name: b.StudentName, Email: b.StudentEmail, Question: b.Question, Programme: b.Programme,
			StudyLevel: b.StudyLevel, Language: b.Language, Locale: b.Locale,
			Status: b.Status, CancelledBy: b.CancelledBy, Created: b.CreatedAt, Updated: b.UpdatedAt,
			SignedInAs: b.StudentIdentity, Messages: msgs, Answers: []booking.ExportedAnswer{},
		}
		switch f, err := p.svc.store.FeedbackOf(ctx, id); {
		case err == nil:
			e.Feedback = &booking.ExportedFeedback{Rating: f.Rating, Comment: f.Comment, Created: f.CreatedAt}
		case !errors.Is(err, booking.ErrNotFound):
			return booking.DataExport{}, err
		}
		for _, a := range b.Answers {
			e.Answers = append(e.Answers, booking.ExportedAnswer{Question: a.Label(b.Locale), Answer: a.Text(b.Locale)})
		}
		if cal, err := p.svc.store.CalendarBySlug(ctx, b.LibrarianID, "bookings"); err == nil && b.EventName != "" {
			err := p.svc.store.Tx(ctx, 0, func(ctx context.Context, tx Tx) error {
				o, err := tx.Object(ctx, cal.ID, b.EventName)
				if err == nil {
					e.CalendarEvent = string(o.Data)
				}
				if errors.Is(err, booking.ErrNotFound) {
					return nil
				}
				return err
			})
			if err != nil {
				return booking.DataExport{}, err
			}
		}
		out.Bookings = append(out.Bookings, e)
	}
	entries, offers, err := p.store.WaitlistEntriesByEmail(ctx, email)
	if err != nil {
		return booking.DataExport{}, fmt.Errorf("scheduling: export: %w", err)
	}
	out.Waitlist = []booking.ExportedWaitlistEntry{}
	for i, w := range entries {
		t, err := p.svc.store.TopicByID(ctx, w.TopicID)
		if err != nil && !errors.Is(err, booking.ErrNotFound) {
			return booking.DataExport{}, fmt.Errorf("scheduling: export: %w", err)
		}
		x := booking.ExportedWaitlistEntry{
			ID: w.ID, Topic: t.NameEN, Name: w.Name, Email: w.Email, Mode: string(w.Mode), Language: w.Language,
			Weekdays: w.Weekdays, TimesOfDay: w.TimesOfDay, LibrarianID: w.LibrarianID, Locale: w.Locale,
			Status: w.Status, Created: w.CreatedAt, Expires: w.ExpiresAt, Offers: []booking.ExportedOffer{},
		}
		for _, o := range offers[i] {
			x.Offers = append(x.Offers, booking.ExportedOffer{Start: o.Start, End: o.End, Status: o.Status,
				Offered: o.OfferedAt, Expires: o.ExpiresAt, BookingID: o.BookingID})
		}
		out.Waitlist = append(out.Waitlist, x)
	}
	return out, nil
}
