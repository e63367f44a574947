package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/veileder/veileder/booking"
)

// Requests (migration 00015): what a student needs when no free time
// fits, and the times librarians offer for it. The state rules live in
// booking/request.go; every change here is a conditional write on the
// state (and round) the caller read, so that two staff members acting at
// once cannot both win: the loser gets booking.ErrConflict.

type requestRow struct {
	ID           int64         `db:"id"`
	TopicID      int64         `db:"topic_id"`
	Need         string        `db:"need"`
	Times        string        `db:"times"`
	Language     string        `db:"language"`
	Mode         string        `db:"mode"`
	StudentName  string        `db:"student_name"`
	StudentEmail string        `db:"student_email"`
	Locale       string        `db:"locale"`
	FiledBy      sql.NullInt64 `db:"filed_by"`
	InquiryID    sql.NullInt64 `db:"inquiry_id"`
	State        string        `db:"state"`
	TakenBy      sql.NullInt64 `db:"taken_by"`
	TakenAt      sql.NullInt64 `db:"taken_at"`
	BookingID    sql.NullInt64 `db:"booking_id"`
	ClosedBy     sql.NullInt64 `db:"closed_by"`
	CloseReason  string        `db:"close_reason"`
	Round        int           `db:"round"`
	DueAt        int64         `db:"due_at"`
	UID          string        `db:"uid"`
	TokenHash    string        `db:"token_hash"`
	Anonymised   bool          `db:"anonymised"`
	CreatedAt    int64         `db:"created_at"`
	UpdatedAt    int64         `db:"updated_at"`
	AnsweredAt   sql.NullInt64 `db:"answered_at"`
}

const requestColumns = `id, topic_id, need, times, language, mode, student_name, student_email, locale,
	filed_by, inquiry_id, state, taken_by, taken_at, booking_id, closed_by, close_reason, round,
	due_at, uid, token_hash, anonymised, created_at, updated_at, answered_at`

func (r requestRow) request() booking.HelpRequest {
	mode := booking.Mode(r.Mode)
	if mode == "any" {
		mode = booking.ModeAny
	}
	return booking.HelpRequest{
		ID: r.ID, TopicID: r.TopicID, Need: r.Need, Times: r.Times, Language: r.Language, Mode: mode,
		StudentName: r.StudentName, StudentEmail: r.StudentEmail, Locale: r.Locale,
		FiledBy: r.FiledBy.Int64, InquiryID: r.InquiryID.Int64, State: booking.RequestState(r.State),
		TakenBy: r.TakenBy.Int64, TakenAt: fromUnixOrZero(r.TakenAt), BookingID: r.BookingID.Int64,
		ClosedBy: r.ClosedBy.Int64, CloseReason: r.CloseReason, Round: r.Round, DueAt: fromUnix(r.DueAt),
		UID: r.UID, TokenHash: r.TokenHash, Anonymised: r.Anonymised,
		CreatedAt: fromUnix(r.CreatedAt), UpdatedAt: fromUnix(r.UpdatedAt), AnsweredAt: fromUnixOrZero(r.AnsweredAt),
	}
}

func modeColumn(m booking.Mode) string {
	if m == booking.ModeAny {
		return "any"
	}
	return string(m)
}

// checkRequestText refuses text PostgreSQL would refuse, on both
// databases.
func checkRequestText(r booking.HelpRequest) error {
	for _, f := range []struct {
		name, v string
		max     int
	}{
		{"need", r.Need, booking.MaxRequestNeedLen}, {"times", r.Times, booking.MaxRequestTimesLen},
		{"name", r.StudentName, booking.MaxNameLen}, {"email", r.StudentEmail, booking.MaxEmailLen},
		{"reason", r.CloseReason, booking.MaxRequestReasonLen},
	} {
		if err := validText(f.name, f.v, false, f.max); err != nil {
			return err
		}
	}
	return nil
}

// InsertRequest stores a new request (booking.NewHelpRequest made it).
// A request filed from a desk log entry marks the entry referred (unless
// it was booked), so that the log shows it went on to a librarian; the
// entry must be r.FiledBy's (booking.ErrNotFound otherwise).
func (t *Tx) InsertRequest(ctx context.Context, r booking.HelpRequest) (booking.HelpRequest, error) {
	if err := checkRequestText(r); err != nil {
		return booking.HelpRequest{}, fmt.Errorf("store: insert request: %w", err)
	}
	if r.UID == "" || r.State != booking.RequestOpen {
		return booking.HelpRequest{}, fmt.Errorf("store: insert request: not a new request: %w", booking.ErrInvalid)
	}
	if r.InquiryID != 0 {
		res, err := t.tx.ExecContext(ctx, t.tx.Rebind(`
			UPDATE inquiries SET outcome = CASE WHEN outcome = 'booked' THEN outcome ELSE 'referred' END, updated_at = ?
			 WHERE id = ? AND user_id = ?`), r.CreatedAt.Unix(), r.InquiryID, r.FiledBy)
		if err != nil {
			return booking.HelpRequest{}, fmt.Errorf("store: insert request: inquiry %d: %w", r.InquiryID, dbErr(err))
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return booking.HelpRequest{}, fmt.Errorf("store: insert request: inquiry %d of user %d: %w", r.InquiryID, r.FiledBy, booking.ErrNotFound)
		}
	}
	var row requestRow
	err := t.tx.GetContext(ctx, &row, t.tx.Rebind(`
		INSERT INTO help_requests (topic_id, need, times, language, mode, student_name, student_email, locale,
		                           filed_by, inquiry_id, state, round, due_at, uid, token_hash, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', 0, ?, ?, ?, ?, ?)
		RETURNING `+requestColumns),
		r.TopicID, r.Need, r.Times, r.Language, modeColumn(r.Mode), r.StudentName, r.StudentEmail, r.Locale,
		nullID(r.FiledBy), nullID(r.InquiryID), r.DueAt.Unix(), r.UID, r.TokenHash, r.CreatedAt.Unix(), r.UpdatedAt.Unix())
	if err != nil {
		return booking.HelpRequest{}, fmt.Errorf("store: insert request: %w", dbErr(err))
	}
	return row.request(), nil
}

// UpdateRequest stores r's state, taker, round, booking, closing and
// times, if the request is still in the state and round it was read in
// (was, wasRound): booking.ErrConflict when another change came first
// (two librarians taking it at once, say), booking.ErrNotFound when
// there is no such request.
func (t *Tx) UpdateRequest(ctx context.Context, r booking.HelpRequest, was booking.RequestState, wasRound int) error {
	if err := checkRequestText(r); err != nil {
		return fmt.Errorf("store: update request %d: %w", r.ID, err)
	}
	res, err := t.tx.ExecContext(ctx, t.tx.Rebind(`
		UPDATE help_requests
		   SET state = ?, taken_by = ?, taken_at = ?, booking_id = ?, closed_by = ?, close_reason = ?,
		       round = ?, updated_at = ?, answered_at = ?
		 WHERE id = ? AND state = ? AND round = ?`),
		string(r.State), nullID(r.TakenBy), unixOrNull(r.TakenAt), nullID(r.BookingID), nullID(r.ClosedBy), r.CloseReason,
		r.Round, r.UpdatedAt.Unix(), unixOrNull(r.AnsweredAt), r.ID, string(was), wasRound)
	if err != nil {
		return fmt.Errorf("store: update request %d: %w", r.ID, dbErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if _, err := requestByID(ctx, t.tx, r.ID); err != nil {
			return fmt.Errorf("store: update request %d: %w", r.ID, err)
		}
		return fmt.Errorf("store: update request %d: no longer %s: %w", r.ID, was, booking.ErrConflict)
	}
	return nil
}

// markRequestBooked ends the request in the booking, in the booking's
// transaction, if it is taken or offered (booking.HelpRequest.CanBook):
// booking.ErrConflict when it was booked or closed meanwhile, which rolls
// the booking back.
func (t *Tx) markRequestBooked(ctx context.Context, bookingID, requestID int64) error {
	now := t.s.now().Unix()
	res, err := t.tx.ExecContext(ctx, t.tx.Rebind(`
		UPDATE help_requests SET state = 'booked', booking_id = ?, updated_at = ?, answered_at = COALESCE(answered_at, ?)
		 WHERE id = ? AND state IN ('taken', 'offered')`), bookingID, now, now, requestID)
	if err != nil {
		return fmt.Errorf("store: mark request %d booked: %w", requestID, dbErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("store: request %d is not open to a booking: %w", requestID, booking.ErrConflict)
	}
	return nil
}

// InsertOffers stores offered times of a request. The same time offered
// twice is booking.ErrConflict.
func (t *Tx) InsertOffers(ctx context.Context, offers []booking.RequestOffer) error {
	for _, o := range offers {
		if !o.End.After(o.Start) {
			return fmt.Errorf("store: offer for request %d: %w", o.RequestID, booking.ErrInvalid)
		}
		if _, err := t.tx.ExecContext(ctx, t.tx.Rebind(`
			INSERT INTO request_offers (request_id, librarian_id, start_at, end_at, online, round)
			VALUES (?, ?, ?, ?, ?, ?)`), o.RequestID, o.LibrarianID, o.Start.Unix(), o.End.Unix(), o.Online, o.Round); err != nil {
			return fmt.Errorf("store: offer for request %d: %w", o.RequestID, dbErr(err))
		}
	}
	return nil
}

// RequestByID returns one request, in the transaction.
func (t *Tx) RequestByID(ctx context.Context, id int64) (booking.HelpRequest, error) {
	return requestByID(ctx, t.tx, id)
}

// Request returns one request.
func (s *Store) Request(ctx context.Context, id int64) (booking.HelpRequest, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	return requestByID(ctx, s.db, id)
}

func requestByID(ctx context.Context, q querier, id int64) (booking.HelpRequest, error) {
	var row requestRow
	if err := sqlx.GetContext(ctx, q, &row, q.Rebind(`SELECT `+requestColumns+` FROM help_requests WHERE id = ?`), id); err != nil {
		return booking.HelpRequest{}, fmt.Errorf("store: request %d: %w", id, dbErr(err))
	}
	return row.request(), nil
}

// RequestByTokenHash returns the request whose student link has the
// token of this hash; booking.ErrNotFound for none (or an anonymised one).
func (s *Store) RequestByTokenHash(ctx context.Context, hash string) (booking.HelpRequest, error) {
	if hash == "" {
		return booking.HelpRequest{}, fmt.Errorf("store: request by token: %w", booking.ErrNotFound)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row requestRow
	if err := s.db.GetContext(ctx, &row, s.db.Rebind(`SELECT `+requestColumns+` FROM help_requests WHERE token_hash = ?`), hash); err != nil {
		return booking.HelpRequest{}, fmt.Errorf("store: request by token: %w", dbErr(err))
	}
	return row.request(), nil
}

// Requests lists the requests f selects that still hold the student's
// details, the oldest first (the first to answer), at most 500.
func (s *Store) Requests(ctx context.Context, f booking.RequestSearch) ([]booking.HelpRequest, error) {
	where, args := []string{"NOT anonymised"}, []any{}
	var who []string
	if len(f.TopicIDs) > 0 {
		q, a, err := sqlx.In("topic_id IN (?)", f.TopicIDs)
		if err != nil {
			return nil, fmt.Errorf("store: requests: %w", err)
		}
		who, args = append(who, q), append(args, a...)
	}
	if f.TakenBy != 0 {
		who, args = append(who, "taken_by = ?"), append(args, f.TakenBy)
	}
	if len(who) > 0 {
		where = append(where, "("+strings.Join(who, " OR ")+")")
	}
	if len(f.States) > 0 {
		states := make([]string, len(f.States))
		for i, st := range f.States {
			states[i] = string(st)
		}
		q, a, err := sqlx.In("state IN (?)", states)
		if err != nil {
			return nil, fmt.Errorf("store: requests: %w", err)
		}
		where, args = append(where, q), append(args, a...)
	}
	if len(f.InquiryIDs) > 0 {
		q, a, err := sqlx.In("inquiry_id IN (?)", f.InquiryIDs)
		if err != nil {
			return nil, fmt.Errorf("store: requests: %w", err)
		}
		where, args = append(where, q), append(args, a...)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []requestRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT `+requestColumns+` FROM help_requests
		WHERE `+strings.Join(where, " AND ")+` ORDER BY created_at, id LIMIT 500`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: requests: %w", dbErr(err))
	}
	out := make([]booking.HelpRequest, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.request())
	}
	return out, nil
}

type offerRow struct {
	ID          int64 `db:"id"`
	RequestID   int64 `db:"request_id"`
	LibrarianID int64 `db:"librarian_id"`
	StartAt     int64 `db:"start_at"`
	EndAt       int64 `db:"end_at"`
	Online      bool  `db:"online"`
	Round       int   `db:"round"`
}

// RequestOffers lists the times offered for a request, in time order.
func (s *Store) RequestOffers(ctx context.Context, requestID int64) ([]booking.RequestOffer, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []offerRow
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT id, request_id, librarian_id, start_at, end_at, online, round
		FROM request_offers WHERE request_id = ? ORDER BY start_at, id`), requestID); err != nil {
		return nil, fmt.Errorf("store: offers of request %d: %w", requestID, dbErr(err))
	}
	out := make([]booking.RequestOffer, 0, len(rows))
	for _, r := range rows {
		out = append(out, booking.RequestOffer{ID: r.ID, RequestID: r.RequestID, LibrarianID: r.LibrarianID,
			Start: fromUnix(r.StartAt), End: fromUnix(r.EndAt), Online: r.Online, Round: r.Round})
	}
	return out, nil
}

// RequestFacts lists the requests filed in [from, to) as the competence
// page counts them, without personal data: the same before and after
// the retention purge.
func (s *Store) RequestFacts(ctx context.Context, from, to time.Time) ([]booking.RequestFact, error) {
	lo, hi := openRange(from, to)
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []struct {
		TopicID    int64         `db:"topic_id"`
		State      string        `db:"state"`
		CreatedAt  int64         `db:"created_at"`
		DueAt      int64         `db:"due_at"`
		AnsweredAt sql.NullInt64 `db:"answered_at"`
	}
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT topic_id, state, created_at, due_at, answered_at FROM help_requests
		WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id`), lo, hi); err != nil {
		return nil, fmt.Errorf("store: request facts: %w", dbErr(err))
	}
	out := make([]booking.RequestFact, 0, len(rows))
	for _, r := range rows {
		out = append(out, booking.RequestFact{TopicID: r.TopicID, State: booking.RequestState(r.State),
			CreatedAt: fromUnix(r.CreatedAt), DueAt: fromUnix(r.DueAt), AnsweredAt: fromUnixOrZero(r.AnsweredAt)})
	}
	return out, nil
}

// OverdueRequests lists the requests still unanswered (open or taken)
// whose response target passed before now, oldest first, for the section
// heads.
func (s *Store) OverdueRequests(ctx context.Context, now time.Time) ([]booking.HelpRequest, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []requestRow
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT `+requestColumns+` FROM help_requests
		WHERE state IN ('open', 'taken') AND due_at < ? AND NOT anonymised ORDER BY due_at, id LIMIT 500`), now.Unix()); err != nil {
		return nil, fmt.Errorf("store: overdue requests: %w", dbErr(err))
	}
	out := make([]booking.HelpRequest, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.request())
	}
	return out, nil
}

// enqueueRequest queues a message about a request. A MessageRequestNew
// becomes one message per librarian who holds a competence in the
// request's topic, is enabled, and opted in
// (librarian_profiles.notify_requests), read in the transaction that
// files the request; none is no error. A MessageRequestOffer goes to the
// student once per round (its Sequence).
func (t *Tx) enqueueRequest(ctx context.Context, m booking.Message) error {
	now := t.s.now()
	if m.SendAfter.IsZero() {
		m.SendAfter = now
	}
	if m.RequestID == 0 {
		return fmt.Errorf("store: enqueue %s: no request: %w", m.Kind, booking.ErrInvalid)
	}
	var err error
	switch m.Kind {
	case booking.MessageRequestNew:
		_, err = t.tx.ExecContext(ctx, t.tx.Rebind(`
			INSERT INTO outbox (kind, request_id, user_id, sequence, send_after, created_at, attempts, status, last_error)
			SELECT ?, r.id, u.id, ?, ?, ?, 0, 'pending', ''
			FROM help_requests r
			JOIN competences c ON c.topic_id = r.topic_id
			JOIN users u ON u.id = c.user_id AND NOT u.disabled AND u.role IN ('librarian', 'coordinator', 'admin')
			JOIN librarian_profiles p ON p.user_id = u.id AND p.notify_requests = TRUE
			WHERE r.id = ?`),
			string(m.Kind), m.Sequence, m.SendAfter.Unix(), now.Unix(), m.RequestID)
	default:
		_, err = t.tx.ExecContext(ctx, t.tx.Rebind(`
			INSERT INTO outbox (kind, request_id, sequence, send_after, created_at, attempts, status, last_error)
			VALUES (?, ?, ?, ?, ?, 0, 'pending', '')`),
			string(m.Kind), m.RequestID, m.Sequence, m.SendAfter.Unix(), now.Unix())
	}
	if err != nil {
		return fmt.Errorf("store: enqueue %s for request %d: %w", m.Kind, m.RequestID, dbErr(err))
	}
	return nil
}

// MessageRequest returns a request with its topic, offers and taker, as
// the e-mails about it show it; booking.ErrNotFound when it is gone.
func (s *Store) MessageRequest(ctx context.Context, id int64) (booking.RequestView, error) {
	r, err := s.Request(ctx, id)
	if err != nil {
		return booking.RequestView{}, err
	}
	v := booking.RequestView{HelpRequest: r}
	if v.Topic, err = s.TopicByID(ctx, r.TopicID); err != nil {
		return booking.RequestView{}, err
	}
	if v.Offers, err = s.RequestOffers(ctx, id); err != nil {
		return booking.RequestView{}, err
	}
	if r.TakenBy != 0 {
		if u, err := s.UserByID(ctx, r.TakenBy); err == nil {
			v.TakenName, v.TakenMail = u.Name(), u.Email
		}
	}
	return v, nil
}

// MessageRecipient returns a librarian a message goes to, with their
// profile's languages (which their e-mails are written in).
func (s *Store) MessageRecipient(ctx context.Context, userID int64) (booking.User, []string, error) {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return booking.User{}, nil, err
	}
	p, err := s.Profile(ctx, userID)
	if err != nil {
		return u, nil, err
	}
	return u, p.Languages, nil
}

// AnonymiseRequests clears the student's details (name, e-mail, need,
// preferred times) and the link of every request not changed since
// before cutoff, and the delivery errors of the messages about them, and
// returns how many it cleared. The rows stay, with topic, state and
// times, for the competence page. Several replicas may run it at once:
// each row is cleared once.
func (s *Store) AnonymiseRequests(ctx context.Context, cutoff time.Time) (int, error) {
	var n int64
	err := s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`
			UPDATE outbox SET last_error = ''
			 WHERE last_error <> '' AND request_id IN (
			       SELECT id FROM help_requests WHERE NOT anonymised AND updated_at < ?)`), cutoff.Unix()); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, tx.Rebind(`
			UPDATE help_requests
			   SET student_name = '', student_email = '', need = '', times = '', token_hash = '', anonymised = TRUE
			 WHERE NOT anonymised AND updated_at < ?`), cutoff.Unix())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: anonymise requests: %w", dbErr(err))
	}
	return int(n), nil
}

// RequestsByEmail lists the requests made with the e-mail address, in
// any case, oldest first: what a student's request for access or erasure
// concerns.
func (s *Store) RequestsByEmail(ctx context.Context, email string) ([]booking.HelpRequest, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return nil, fmt.Errorf("store: requests of an empty e-mail address: %w", booking.ErrInvalid)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []requestRow
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT `+requestColumns+` FROM help_requests
		WHERE lower(student_email) = lower(?) ORDER BY created_at, id`), email); err != nil {
		return nil, fmt.Errorf("store: requests of an e-mail address: %w", dbErr(err))
	}
	out := make([]booking.HelpRequest, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.request())
	}
	return out, nil
}

// EraseRequests removes the student's details from every request of the
// e-mail address (GDPR Art. 17): a request still waiting is closed by
// the admin with the reason given, as nobody can answer it any more. It
// returns how many requests it erased.
func (s *Store) EraseRequests(ctx context.Context, email string, by int64, reason string, now time.Time) (int, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return 0, fmt.Errorf("store: erase requests of an empty e-mail address: %w", booking.ErrInvalid)
	}
	var n int64
	err := s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`
			UPDATE outbox SET last_error = ''
			 WHERE last_error <> '' AND request_id IN (SELECT id FROM help_requests WHERE lower(student_email) = lower(?))`), email); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`
			UPDATE help_requests SET state = 'closed', closed_by = ?, close_reason = ?, updated_at = ?,
			       answered_at = COALESCE(answered_at, ?)
			 WHERE lower(student_email) = lower(?) AND state NOT IN ('booked', 'closed')`),
			nullID(by), reason, now.Unix(), now.Unix(), email); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, tx.Rebind(`
			UPDATE help_requests
			   SET student_name = '', student_email = '', need = '', times = '', token_hash = '', anonymised = TRUE
			 WHERE lower(student_email) = lower(?)`), email)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: erase requests: %w", dbErr(err))
	}
	return int(n), nil
}

// TagTopics returns the admins' mapping of free-text tags to topics.
func (s *Store) TagTopics(ctx context.Context) (map[string]int64, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []struct {
		Tag     string `db:"tag"`
		TopicID int64  `db:"topic_id"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT tag, topic_id FROM tag_topics ORDER BY tag`); err != nil {
		return nil, fmt.Errorf("store: tag topics: %w", dbErr(err))
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Tag] = r.TopicID
	}
	return out, nil
}

// MapTag says that inquiries tagged tag (lower case, as booking.ParseTags
// makes it) are about the topic; mapping a tag again moves it. topicID 0
// removes the mapping. booking.ErrNotFound for an unknown topic.
func (s *Store) MapTag(ctx context.Context, tag string, topicID, by int64) error {
	tags, err := booking.ParseTags(tag)
	if err != nil || len(tags) != 1 {
		return fmt.Errorf("store: map tag %q: %w", tag, &booking.FieldError{Field: "tag", Code: "invalid"})
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	if topicID == 0 {
		_, err = s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM tag_topics WHERE tag = ?`), tags[0])
	} else {
		_, err = s.db.ExecContext(ctx, s.db.Rebind(`
			INSERT INTO tag_topics (tag, topic_id, mapped_by, mapped_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (tag) DO UPDATE SET topic_id = excluded.topic_id, mapped_by = excluded.mapped_by, mapped_at = excluded.mapped_at`),
			tags[0], topicID, nullID(by), s.now().Unix())
	}
	if err != nil {
		return fmt.Errorf("store: map tag %q: %w", tag, dbErr(err))
	}
	return nil
}
