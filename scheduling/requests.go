package scheduling

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/veileder/veileder/booking"
)

// Requests (booking/request.go): filed by desk staff or the student when
// no free time fits, taken by one librarian with the competence, who
// offers times from their own free slots (the same engine as the
// student's) or books one directly; the student books an offered time
// from the link in their e-mail, through Book, whose transaction marks
// the request booked. Every change is one transaction with its e-mail.

// RequestStore is what requests need from the store besides Store.
type RequestStore interface {
	Request(ctx context.Context, id int64) (booking.HelpRequest, error)
	RequestByTokenHash(ctx context.Context, hash string) (booking.HelpRequest, error)
	RequestOffers(ctx context.Context, requestID int64) ([]booking.RequestOffer, error)
}

// RequestTx is the transaction's part for requests; store.Tx has it.
type RequestTx interface {
	InsertRequest(ctx context.Context, r booking.HelpRequest) (booking.HelpRequest, error)
	// UpdateRequest writes r if the request is still in state was and
	// round wasRound; booking.ErrConflict otherwise.
	UpdateRequest(ctx context.Context, r booking.HelpRequest, was booking.RequestState, wasRound int) error
	InsertOffers(ctx context.Context, offers []booking.RequestOffer) error
}

// Requests returns the request operations over rs, normally the same
// store as the service's, with a response target of days working days
// (booking.DefaultResponseDays when zero or less).
func (s *Service) Requests(rs RequestStore, days int) *Requests {
	if days <= 0 {
		days = booking.DefaultResponseDays
	}
	return &Requests{svc: s, store: rs, days: days}
}

// Requests files, takes, answers and books requests.
type Requests struct {
	svc   *Service
	store RequestStore
	days  int
}

// ResponseDays is the response target in working days.
func (q *Requests) ResponseDays() int { return q.days }

func (q *Requests) tx(ctx context.Context, lock int64, fn func(ctx context.Context, tx RequestTx, base Tx) error) error {
	return q.svc.store.Tx(ctx, lock, func(ctx context.Context, tx Tx) error {
		rt, ok := tx.(RequestTx)
		if !ok {
			return fmt.Errorf("scheduling: the store's transaction cannot hold requests: %w", booking.ErrInvalid)
		}
		return fn(ctx, rt, tx)
	})
}

// requestTokenUID is what a request's link token is derived from.
func requestTokenUID(uid string) string { return "request:" + uid }

// File stores a new request and, in the same transaction, queues the
// e-mail to each librarian with the competence who opted in. r.FiledBy
// is the staff member filing it (0 for the student); r.InquiryID links
// a desk log entry of theirs. Errors: a *booking.FieldError for bad
// fields or an unknown or inactive topic; booking.ErrNotFound for an
// entry that is not the staff member's.
func (q *Requests) File(ctx context.Context, r booking.HelpRequest) (booking.HelpRequest, error) {
	s := q.svc
	if err := r.Validate(); err != nil {
		return booking.HelpRequest{}, fmt.Errorf("scheduling: file request: %w", err)
	}
	// Topics lists the active topics only: a request is for one of them.
	topics, err := s.store.Topics(ctx)
	if err != nil {
		return booking.HelpRequest{}, fmt.Errorf("scheduling: file request: %w", err)
	}
	i := slices.IndexFunc(topics, func(t booking.Topic) bool { return t.ID == r.TopicID })
	if i < 0 {
		return booking.HelpRequest{}, fmt.Errorf("scheduling: file request: topic %d: %w", r.TopicID, &booking.FieldError{Field: "topic", Code: "invalid"})
	}
	topic := topics[i]
	if r.FiledBy == 0 {
		r.InquiryID = 0
	}
	now := s.now()
	r = booking.NewHelpRequest(r, now, q.days, s.loc)
	r.UID = newUID()
	_, r.TokenHash = s.newToken(requestTokenUID(r.UID))
	var saved booking.HelpRequest
	err = q.tx(ctx, 0, func(ctx context.Context, tx RequestTx, base Tx) error {
		var err error
		if saved, err = tx.InsertRequest(ctx, r); err != nil {
			return err
		}
		return base.Enqueue(ctx, booking.Message{Kind: booking.MessageRequestNew, RequestID: saved.ID, SendAfter: now, CreatedAt: now})
	})
	if err != nil {
		return booking.HelpRequest{}, fmt.Errorf("scheduling: file request for %s: %w", topic.Slug, err)
	}
	s.log.Info("scheduling: request filed", "request", saved.ID, "topic", topic.Slug, "by_staff", r.FiledBy != 0)
	return saved, nil
}

// librarianFor is the librarian among those holding the request's topic,
// with booking.ErrForbidden when by holds no competence in it.
func (q *Requests) librarianFor(ctx context.Context, r booking.HelpRequest, by int64) (booking.Librarian, error) {
	libs, err := q.svc.store.LibrariansForTopic(ctx, r.TopicID)
	if err != nil {
		return booking.Librarian{}, err
	}
	i := slices.IndexFunc(libs, func(l booking.Librarian) bool { return l.ID == by })
	if i < 0 {
		return booking.Librarian{}, fmt.Errorf("librarian %d holds no competence in topic %d: %w", by, r.TopicID, booking.ErrForbidden)
	}
	return libs[i], nil
}

// Take gives the open request to librarian by, who must hold a
// competence in its topic (booking.ErrForbidden). Of two librarians
// taking it at once one wins; the other gets booking.ErrConflict.
func (q *Requests) Take(ctx context.Context, id, by int64) (booking.HelpRequest, error) {
	r, err := q.store.Request(ctx, id)
	if err != nil {
		return booking.HelpRequest{}, fmt.Errorf("scheduling: take request %d: %w", id, err)
	}
	if _, err := q.librarianFor(ctx, r, by); err != nil {
		return booking.HelpRequest{}, fmt.Errorf("scheduling: take request %d: %w", id, err)
	}
	was, round := r.State, r.Round
	if r, err = r.Take(by, q.svc.now()); err != nil {
		return booking.HelpRequest{}, fmt.Errorf("scheduling: %w", err)
	}
	err = q.tx(ctx, 0, func(ctx context.Context, tx RequestTx, _ Tx) error { return tx.UpdateRequest(ctx, r, was, round) })
	if err != nil {
		return booking.HelpRequest{}, fmt.Errorf("scheduling: take request %d: %w", id, err)
	}
	return r, nil
}

// Close ends a request that is not booked, by a staff member, with a
// reason.
func (q *Requests) Close(ctx context.Context, id, by int64, reason string) (booking.HelpRequest, error) {
	r, err := q.store.Request(ctx, id)
	if err != nil {
		return booking.HelpRequest{}, fmt.Errorf("scheduling: close request %d: %w", id, err)
	}
	was, round := r.State, r.Round
	if r, err = r.Close(by, reason, q.svc.now()); err != nil {
		return booking.HelpRequest{}, fmt.Errorf("scheduling: %w", err)
	}
	err = q.tx(ctx, 0, func(ctx context.Context, tx RequestTx, _ Tx) error { return tx.UpdateRequest(ctx, r, was, round) })
	if err != nil {
		return booking.HelpRequest{}, fmt.Errorf("scheduling: close request %d: %w", id, err)
	}
	return r, nil
}

// View returns a request with its topic, the taker's name and its offers.
func (q *Requests) View(ctx context.Context, id int64) (booking.RequestView, error) {
	r, err := q.store.Request(ctx, id)
	if err != nil {
		return booking.RequestView{}, fmt.Errorf("scheduling: request %d: %w", id, err)
	}
	return q.view(ctx, r)
}

func (q *Requests) view(ctx context.Context, r booking.HelpRequest) (booking.RequestView, error) {
	v := booking.RequestView{HelpRequest: r}
	var err error
	if v.Topic, err = q.svc.store.TopicByID(ctx, r.TopicID); err != nil {
		return v, fmt.Errorf("scheduling: request %d: %w", r.ID, err)
	}
	if v.Offers, err = q.store.RequestOffers(ctx, r.ID); err != nil {
		return v, fmt.Errorf("scheduling: request %d: %w", r.ID, err)
	}
	if r.TakenBy != 0 {
		if u, err := q.svc.store.UserByID(ctx, r.TakenBy); err == nil {
			v.TakenName, v.TakenMail = u.Name(), u.Email
		}
	}
	return v, nil
}

// ByToken returns the request of a student's link.
func (q *Requests) ByToken(ctx context.Context, token string) (booking.RequestView, error) {
	if !validToken(token) {
		return booking.RequestView{}, fmt.Errorf("scheduling: request by token: %w", booking.ErrNotFound)
	}
	r, err := q.store.RequestByTokenHash(ctx, tokenHash(token))
	if err != nil {
		return booking.RequestView{}, fmt.Errorf("scheduling: request by token: %w", err)
	}
	return q.view(ctx, r)
}

// URL is the student's link to the request's offered times, made again
// from Config.TokenKey for the e-mail; "" when there is no key or the
// request is anonymised.
func (q *Requests) URL(r booking.HelpRequest) string {
	s := q.svc
	if len(s.tokenKey) == 0 || r.UID == "" || r.TokenHash == "" {
		return ""
	}
	token := derivedToken(s.tokenKey, requestTokenUID(r.UID))
	if !hmac.Equal([]byte(tokenHash(token)), []byte(r.TokenHash)) {
		return ""
	}
	return s.baseURL + "/requests/" + token
}

// Slots returns librarian by's free slots for the request's topic, as a
// student would see them with that librarian chosen, in the request's
// language and mode: the times they may offer or book.
func (q *Requests) Slots(ctx context.Context, id, by int64) ([]booking.Slot, error) {
	r, err := q.store.Request(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("scheduling: request %d slots: %w", id, err)
	}
	_, slots, err := q.slots(ctx, r, by)
	return slots, err
}

func (q *Requests) slots(ctx context.Context, r booking.HelpRequest, by int64) (booking.Rules, []booking.Slot, error) {
	s := q.svc
	lib, err := q.librarianFor(ctx, r, by)
	if err != nil {
		return booking.Rules{}, nil, fmt.Errorf("scheduling: request %d slots: %w", r.ID, err)
	}
	topic, err := s.store.TopicByID(ctx, r.TopicID)
	if err != nil {
		return booking.Rules{}, nil, fmt.Errorf("scheduling: request %d slots: %w", r.ID, err)
	}
	rules, err := s.Rules(ctx, topic)
	if err != nil {
		return booking.Rules{}, nil, err
	}
	known, err := s.knownTopics(ctx)
	if err != nil {
		return booking.Rules{}, nil, err
	}
	sq := booking.SlotQuery{Topic: topic, Language: r.Language, Mode: r.Mode, Now: s.now()}
	rg := s.rangeFor(rules, sq.Now, time.Time{}, time.Time{})
	scheds, _, err := s.schedules(ctx, []booking.Librarian{lib}, rg, rg, known)
	if err != nil {
		return booking.Rules{}, nil, fmt.Errorf("scheduling: request %d slots: %w", r.ID, err)
	}
	slots, err := booking.FindSlots(sq, rules, s.loc, scheds)
	if err != nil {
		return booking.Rules{}, nil, fmt.Errorf("scheduling: request %d slots: %w", r.ID, err)
	}
	return rules, slots, nil
}

// Offer offers the student the picked times of librarian by, who took
// the request: each must be one of their free slots for it now
// (booking.ErrSlotTaken otherwise, naming none stored). The offers, the
// new state and the student's e-mail with the link commit together.
func (q *Requests) Offer(ctx context.Context, id, by int64, picks []booking.OfferPick) (booking.HelpRequest, error) {
	s := q.svc
	r, err := q.store.Request(ctx, id)
	if err != nil {
		return booking.HelpRequest{}, fmt.Errorf("scheduling: offer for request %d: %w", id, err)
	}
	held, err := q.store.RequestOffers(ctx, id)
	if err != nil {
		return booking.HelpRequest{}, fmt.Errorf("scheduling: offer for request %d: %w", id, err)
	}
	now := s.now()
	was, round := r.State, r.Round
	next, err := r.Offer(by, len(picks), len(held), now)
	if err != nil {
		return booking.HelpRequest{}, fmt.Errorf("scheduling: %w", err)
	}
	_, slots, err := q.slots(ctx, r, by)
	if err != nil {
		return booking.HelpRequest{}, err
	}
	offers := make([]booking.RequestOffer, 0, len(picks))
	for _, p := range picks {
		i := slices.IndexFunc(slots, func(sl booking.Slot) bool { return sl.Start.Equal(p.Start) && sl.Online == p.Online })
		if i < 0 {
			return booking.HelpRequest{}, fmt.Errorf("scheduling: offer for request %d: %s is not free: %w", id, p.Start.Format(time.RFC3339), booking.ErrSlotTaken)
		}
		offers = append(offers, booking.RequestOffer{RequestID: id, LibrarianID: by, Start: slots[i].Start.UTC(), End: slots[i].End.UTC(), Online: p.Online, Round: next.Round})
	}
	err = q.tx(ctx, 0, func(ctx context.Context, tx RequestTx, base Tx) error {
		if err := tx.UpdateRequest(ctx, next, was, round); err != nil {
			return err
		}
		if err := tx.InsertOffers(ctx, offers); err != nil {
			return err
		}
		return base.Enqueue(ctx, booking.Message{Kind: booking.MessageRequestOffer, RequestID: id, Sequence: next.Round, SendAfter: now, CreatedAt: now})
	})
	if err != nil {
		return booking.HelpRequest{}, fmt.Errorf("scheduling: offer for request %d: %w", id, err)
	}
	return next, nil
}

// BookOffer books the offered time offerID of the request of a
// student's link, in the booking transaction of Book (which marks the
// request booked). A time no longer free is booking.ErrSlotTaken; a
// request booked or closed meanwhile booking.ErrConflict.
// It returns the booking and its plain manage token.
func (q *Requests) BookOffer(ctx context.Context, token string, offerID int64) (booking.View, string, error) {
	v, err := q.ByToken(ctx, token)
	if err != nil {
		return booking.View{}, "", err
	}
	if err := v.CanBook(0); err != nil {
		return booking.View{}, "", fmt.Errorf("scheduling: %w", err)
	}
	i := slices.IndexFunc(v.Offers, func(o booking.RequestOffer) bool { return o.ID == offerID })
	if i < 0 {
		return booking.View{}, "", fmt.Errorf("scheduling: request %d has no offer %d: %w", v.ID, offerID, &booking.FieldError{Field: "offer", Code: "invalid"})
	}
	o := v.Offers[i]
	return q.book(ctx, v, o.LibrarianID, o.Start, o.Online, 0)
}

// BookDirect books a time of librarian by's free slots for the request
// they took, for the student (the confirmation says staff booked it).
func (q *Requests) BookDirect(ctx context.Context, id, by int64, start time.Time, online bool) (booking.View, error) {
	v, err := q.View(ctx, id)
	if err != nil {
		return booking.View{}, err
	}
	if err := v.CanBook(by); err != nil {
		return booking.View{}, fmt.Errorf("scheduling: %w", err)
	}
	bv, _, err := q.book(ctx, v, by, start, online, by)
	return bv, err
}

func (q *Requests) book(ctx context.Context, v booking.RequestView, librarian int64, start time.Time, online bool, by int64) (booking.View, string, error) {
	mode := booking.ModeInPerson
	if online {
		mode = booking.ModeOnline
	}
	bv, token, err := q.svc.Book(ctx, booking.Request{
		TopicSlug: v.Topic.Slug, Start: start, Mode: mode, Language: v.Language,
		StudentName: v.StudentName, StudentEmail: v.StudentEmail, Question: v.Need, Locale: v.Locale,
		// The student agreed to the processing when the request was
		// filed (the same consent as the booking form's).
		Consent:     true,
		LibrarianID: librarian, RequestID: v.ID, BookedBy: by,
	})
	if err != nil {
		if errors.Is(err, booking.ErrSlotTaken) {
			// The booking's transaction refuses a request booked or
			// closed meanwhile as a taken candidate: tell them apart.
			if cur, rerr := q.store.Request(ctx, v.ID); rerr == nil && cur.State.Final() {
				return booking.View{}, "", fmt.Errorf("scheduling: request %d is %s: %w", v.ID, cur.State, booking.ErrConflict)
			}
		}
		return booking.View{}, "", err
	}
	q.svc.log.Info("scheduling: request booked", "request", v.ID, "booking", bv.ID, "by_staff", by != 0)
	return bv, token, nil
}

// OfferedTimes is the time librarians offered for each active topic in
// [from, to): their availability windows open to it (booking.OfferedTimes),
// for the competence page's offered hours.
func (s *Service) OfferedTimes(ctx context.Context, from, to time.Time) ([]booking.OfferedTime, error) {
	topics, err := s.store.Topics(ctx)
	if err != nil {
		return nil, fmt.Errorf("scheduling: offered times: %w", err)
	}
	known, err := s.knownTopics(ctx)
	if err != nil {
		return nil, err
	}
	rg := readRange{lo: from.UTC(), hi: to.UTC(), weekLo: weekStart(from, s.loc), weekHi: weekStart(to, s.loc).AddDate(0, 0, 7)}
	// One read of each librarian's calendars serves all their topics.
	cache := map[int64]booking.LibrarianSchedule{}
	var out []booking.OfferedTime
	for _, t := range topics { // the active ones
		libs, err := s.store.LibrariansForTopic(ctx, t.ID)
		if err != nil {
			return nil, fmt.Errorf("scheduling: offered times: %w", err)
		}
		var scheds []booking.LibrarianSchedule
		var missing []booking.Librarian
		for _, l := range libs {
			if ls, ok := cache[l.ID]; ok {
				scheds = append(scheds, ls)
			} else {
				missing = append(missing, l)
			}
		}
		read, _, err := s.schedules(ctx, missing, rg, rg, known)
		if err != nil {
			return nil, fmt.Errorf("scheduling: offered times: %w", err)
		}
		for _, ls := range read {
			cache[ls.Librarian.ID] = ls
		}
		scheds = append(scheds, read...)
		out = append(out, booking.OfferedTimes(t, scheds, from, to)...)
	}
	return out, nil
}
