package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/veileder/veileder/booking"
)

// bookingRow is a row of bookings.
type bookingRow struct {
	ID           int64          `db:"id"`
	TopicID      int64          `db:"topic_id"`
	LibrarianID  int64          `db:"librarian_id"`
	StartAt      int64          `db:"start_at"`
	EndAt        int64          `db:"end_at"`
	Online       bool           `db:"online"`
	Location     string         `db:"location"`
	StudentName  string         `db:"student_name"`
	StudentEmail string         `db:"student_email"`
	Question     string         `db:"question"`
	Programme    string         `db:"programme"`
	StudyLevel   string         `db:"study_level"`
	Language     string         `db:"language"`
	Locale       string         `db:"locale"`
	Status       string         `db:"status"`
	CancelledBy  string         `db:"cancelled_by"`
	Sequence     int            `db:"sequence"`
	EventUID     string         `db:"event_uid"`
	EventName    string         `db:"event_name"`
	TokenHash    sql.NullString `db:"token_hash"`
	CreatedAt    int64          `db:"created_at"`
	UpdatedAt    int64          `db:"updated_at"`
	Anonymised   bool           `db:"anonymised"`
	BookedBy     sql.NullInt64  `db:"booked_by"`
	InquiryID    sql.NullInt64  `db:"inquiry_id"`
	RequestID    sql.NullInt64  `db:"request_id"`
	Identity     sql.NullString `db:"student_identity"`
}

// bookingColumns is the column list of every booking query, in
// bookingRow's order.
const bookingColumns = `id, topic_id, librarian_id, start_at, end_at, online, location,
	student_name, student_email, question, programme, study_level, language, locale,
	status, cancelled_by, sequence, event_uid, event_name, token_hash,
	created_at, updated_at, anonymised, booked_by, inquiry_id, request_id, student_identity`

func (r bookingRow) booking() booking.Booking {
	return booking.Booking{
		ID:           r.ID,
		TopicID:      r.TopicID,
		LibrarianID:  r.LibrarianID,
		Start:        fromUnix(r.StartAt),
		End:          fromUnix(r.EndAt),
		Online:       r.Online,
		Location:     r.Location,
		StudentName:  r.StudentName,
		StudentEmail: r.StudentEmail,
		Question:     r.Question,
		Programme:    r.Programme,
		StudyLevel:   r.StudyLevel,
		Language:     r.Language,
		Locale:       r.Locale,
		Status:       booking.Status(r.Status),
		CancelledBy:  booking.Party(r.CancelledBy),
		Sequence:     r.Sequence,
		EventUID:     r.EventUID,
		EventName:    r.EventName,
		TokenHash:    r.TokenHash.String,
		CreatedAt:    fromUnix(r.CreatedAt),
		UpdatedAt:    fromUnix(r.UpdatedAt),
		Anonymised:   r.Anonymised,
		BookedBy:     r.BookedBy.Int64,
		InquiryID:    r.InquiryID.Int64,
		RequestID:    r.RequestID.Int64,

		StudentIdentity: r.Identity.String,
	}
}

func bookingsOf(rows []bookingRow) []booking.Booking {
	out := make([]booking.Booking, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.booking())
	}
	return out
}

// bookingRowOf checks b and turns it into a row. Times are whole seconds,
// as every time in the store; a booking's times are on the slot grid.
func bookingRowOf(b booking.Booking) (bookingRow, error) {
	switch {
	case b.Start.IsZero() || b.End.IsZero() || !b.End.After(b.Start):
		return bookingRow{}, fmt.Errorf("booking must end after it starts: %w", booking.ErrInvalid)
	case b.Status != booking.StatusConfirmed && b.Status != booking.StatusCancelled:
		return bookingRow{}, fmt.Errorf("booking status %q: %w", b.Status, booking.ErrInvalid)
	}
	switch b.CancelledBy {
	case "", booking.PartyStudent, booking.PartyLibrarian, booking.PartyAdmin, booking.PartySystem:
	default:
		return bookingRow{}, fmt.Errorf("booking cancelled by %q: %w", b.CancelledBy, booking.ErrInvalid)
	}
	for _, f := range []string{b.Location, b.StudentName, b.StudentEmail, b.Question, b.Programme,
		b.StudyLevel, b.Language, b.Locale, b.EventUID, b.EventName, b.TokenHash, b.StudentIdentity} {
		// PostgreSQL refuses these in TEXT; SQLite must refuse them too.
		if !utf8.ValidString(f) || strings.ContainsRune(f, 0) {
			return bookingRow{}, fmt.Errorf("booking field is not UTF-8 text: %w", booking.ErrInvalid)
		}
	}
	return bookingRow{
		ID:           b.ID,
		TopicID:      b.TopicID,
		LibrarianID:  b.LibrarianID,
		StartAt:      b.Start.Unix(),
		EndAt:        b.End.Unix(),
		Online:       b.Online,
		Location:     b.Location,
		StudentName:  b.StudentName,
		StudentEmail: b.StudentEmail,
		Question:     b.Question,
		Programme:    b.Programme,
		StudyLevel:   b.StudyLevel,
		Language:     b.Language,
		Locale:       b.Locale,
		Status:       string(b.Status),
		CancelledBy:  string(b.CancelledBy),
		Sequence:     b.Sequence,
		EventUID:     b.EventUID,
		EventName:    b.EventName,
		TokenHash:    sql.NullString{String: b.TokenHash, Valid: b.TokenHash != ""},
		CreatedAt:    b.CreatedAt.Unix(),
		UpdatedAt:    b.UpdatedAt.Unix(),
		Anonymised:   b.Anonymised,
		BookedBy:     nullID(b.BookedBy),
		InquiryID:    nullID(b.InquiryID),
		RequestID:    nullID(b.RequestID),
		Identity:     sql.NullString{String: b.StudentIdentity, Valid: b.StudentIdentity != ""},
	}, nil
}

// InsertBooking stores a new booking and returns it with its ID. An empty
// Status means confirmed; zero CreatedAt and UpdatedAt mean now.
// booking.ErrSlotTaken when a confirmed booking of the librarian overlaps
// (the database refuses it, whatever the caller checked);
// booking.ErrConflict when the token hash or the event UID is taken;
// booking.ErrNotFound when the topic or the librarian does not exist.
//
// A booking made at the desk from an inquiry (b.InquiryID) marks that
// inquiry booked in the same transaction, so that the log says "booked"
// exactly when the booking exists; booking.ErrNotFound when the inquiry is
// not b.BookedBy's.
func (t *Tx) InsertBooking(ctx context.Context, b booking.Booking) (booking.Booking, error) {
	now := t.s.now()
	if b.Status == "" {
		b.Status = booking.StatusConfirmed
	}
	if b.CreatedAt.IsZero() {
		b.CreatedAt = now
	}
	if b.UpdatedAt.IsZero() {
		b.UpdatedAt = now
	}
	row, err := bookingRowOf(b)
	if err != nil {
		return booking.Booking{}, fmt.Errorf("store: insert booking: %w", err)
	}
	var stored bookingRow
	err = t.tx.GetContext(ctx, &stored, t.tx.Rebind(`
		INSERT INTO bookings (topic_id, librarian_id, start_at, end_at, online, location,
		                      student_name, student_email, question, programme, study_level, language, locale,
		                      status, cancelled_by, sequence, event_uid, event_name, token_hash,
		                      created_at, updated_at, anonymised, booked_by, inquiry_id, request_id, student_identity)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING `+bookingColumns),
		row.TopicID, row.LibrarianID, row.StartAt, row.EndAt, row.Online, row.Location,
		row.StudentName, row.StudentEmail, row.Question, row.Programme, row.StudyLevel, row.Language, row.Locale,
		row.Status, row.CancelledBy, row.Sequence, row.EventUID, row.EventName, row.TokenHash,
		row.CreatedAt, row.UpdatedAt, row.Anonymised, row.BookedBy, row.InquiryID, row.RequestID, row.Identity)
	if err != nil {
		return booking.Booking{}, fmt.Errorf("store: insert booking: %w", dbErr(err))
	}
	if b.InquiryID != 0 {
		if err := t.markInquiryBooked(ctx, stored.ID, b.InquiryID, b.BookedBy); err != nil {
			return booking.Booking{}, err
		}
	}
	if b.RequestID != 0 {
		if err := t.markRequestBooked(ctx, stored.ID, b.RequestID); err != nil { // requests.go
			return booking.Booking{}, err
		}
	}
	if err := insertAnswers(ctx, t.tx, stored.ID, b.Answers); err != nil {
		return booking.Booking{}, err
	}
	out := stored.booking()
	out.Answers = b.Answers
	return out, nil
}

// UpdateBooking stores every field of the booking b.ID but its topic and
// creation time (a booking moved to another librarian changes librarian). A zero UpdatedAt means now. Errors as
// InsertBooking's, and booking.ErrNotFound when there is no such booking.
func (t *Tx) UpdateBooking(ctx context.Context, b booking.Booking) error {
	if b.UpdatedAt.IsZero() {
		b.UpdatedAt = t.s.now()
	}
	if b.CreatedAt.IsZero() {
		b.CreatedAt = b.UpdatedAt // not stored; keeps bookingRowOf happy
	}
	row, err := bookingRowOf(b)
	if err != nil {
		return fmt.Errorf("store: update booking %d: %w", b.ID, err)
	}
	res, err := t.tx.ExecContext(ctx, t.tx.Rebind(`
		UPDATE bookings
		SET librarian_id = ?, start_at = ?, end_at = ?, online = ?, location = ?,
		    student_name = ?, student_email = ?, question = ?, programme = ?, study_level = ?,
		    language = ?, locale = ?, status = ?, cancelled_by = ?, sequence = ?,
		    event_uid = ?, event_name = ?, token_hash = ?, updated_at = ?, anonymised = ?,
		    student_identity = ?
		WHERE id = ?`),
		row.LibrarianID, row.StartAt, row.EndAt, row.Online, row.Location,
		row.StudentName, row.StudentEmail, row.Question, row.Programme, row.StudyLevel,
		row.Language, row.Locale, row.Status, row.CancelledBy, row.Sequence,
		row.EventUID, row.EventName, row.TokenHash, row.UpdatedAt, row.Anonymised,
		row.Identity, row.ID)
	if err == nil {
		err = oneRow(res)
	}
	if err != nil {
		return fmt.Errorf("store: update booking %d: %w", b.ID, dbErr(err))
	}
	// The answers never change but with the student's other data: an
	// anonymised booking has none. (Other updates leave them alone, so a
	// booking read without them cannot lose them.)
	if b.Anonymised {
		return deleteAnswers(ctx, t.tx, b.ID)
	}
	return nil
}

// BookingByID returns one booking, in the transaction.
func (t *Tx) BookingByID(ctx context.Context, id int64) (booking.Booking, error) {
	return bookingByID(ctx, t.tx, id)
}

// BookingByID returns one booking.
func (s *Store) BookingByID(ctx context.Context, id int64) (booking.Booking, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	return bookingByID(ctx, s.db, id)
}

func bookingByID(ctx context.Context, q querier, id int64) (booking.Booking, error) {
	var row bookingRow
	err := sqlx.GetContext(ctx, q, &row, q.Rebind(`SELECT `+bookingColumns+` FROM bookings WHERE id = ?`), id)
	if err != nil {
		return booking.Booking{}, fmt.Errorf("store: booking %d: %w", id, dbErr(err))
	}
	return withAnswers(ctx, q, row.booking())
}

// BookingByEvent finds the booking whose event has this UID in the
// librarian's bookings calendar.
func (t *Tx) BookingByEvent(ctx context.Context, librarianID int64, eventUID string) (booking.Booking, error) {
	if eventUID == "" {
		return booking.Booking{}, fmt.Errorf("store: booking of an event without UID: %w", booking.ErrNotFound)
	}
	var row bookingRow
	err := t.tx.GetContext(ctx, &row, t.tx.Rebind(`
		SELECT `+bookingColumns+`
		FROM bookings
		WHERE librarian_id = ? AND event_uid = ?`), librarianID, eventUID)
	if err != nil {
		return booking.Booking{}, fmt.Errorf("store: booking of event %q of librarian %d: %w", eventUID, librarianID, dbErr(err))
	}
	return withAnswers(ctx, t.tx, row.booking())
}

// BookingByTokenHash finds the booking of a manage link by the SHA-256 of
// its token.
func (s *Store) BookingByTokenHash(ctx context.Context, tokenHash string) (booking.Booking, error) {
	if tokenHash == "" {
		return booking.Booking{}, fmt.Errorf("store: booking by empty token: %w", booking.ErrNotFound)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row bookingRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`
		SELECT `+bookingColumns+`
		FROM bookings
		WHERE token_hash = ?`), tokenHash)
	if err != nil {
		// The hash is not logged: it is as good as the link to whoever
		// reads the log and the database.
		return booking.Booking{}, fmt.Errorf("store: booking by token: %w", dbErr(err))
	}
	return withAnswers(ctx, s.db, row.booking())
}

// BookingsOfLibrarian lists a librarian's confirmed bookings that overlap
// [start, end), by start; a zero start or end is open.
func (s *Store) BookingsOfLibrarian(ctx context.Context, librarianID int64, start, end time.Time) ([]booking.Booking, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	return bookingsOfLibrarian(ctx, s.db, librarianID, start, end)
}

// BookingsOfLibrarian is Store.BookingsOfLibrarian in the transaction.
func (t *Tx) BookingsOfLibrarian(ctx context.Context, librarianID int64, start, end time.Time) ([]booking.Booking, error) {
	return bookingsOfLibrarian(ctx, t.tx, librarianID, start, end)
}

func bookingsOfLibrarian(ctx context.Context, q querier, librarianID int64, start, end time.Time) ([]booking.Booking, error) {
	lo, hi := openRange(start, end)
	var rows []bookingRow
	err := sqlx.SelectContext(ctx, q, &rows, q.Rebind(`
		SELECT `+bookingColumns+`
		FROM bookings
		WHERE librarian_id = ? AND status = 'confirmed' AND start_at < ? AND end_at > ?
		ORDER BY start_at, id`), librarianID, hi, lo)
	if err != nil {
		return nil, fmt.Errorf("store: bookings of librarian %d: %w", librarianID, dbErr(err))
	}
	return bookingsOf(rows), nil
}

// openRange turns [start, end) into Unix seconds that cover it (start
// rounded down, end up: a wider range is safe), with open (zero) sides at
// the extremes of int64, so that one SQL text serves every case.
func openRange(start, end time.Time) (lo, hi int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	if !start.IsZero() {
		lo = start.Unix()
	}
	if !end.IsZero() {
		hi = unixCeilOrNull(end).Int64
	}
	return lo, hi
}

// ActiveBookingsByEmail counts the confirmed bookings of a student e-mail
// address, in any case, that end after now.
//
// Two requests from one student may run at once for different librarians,
// so the librarian's lock does not serialise them. On PostgreSQL the count
// therefore first takes a transaction-level advisory lock on the address,
// held until commit, so that the second request counts the first's
// booking; on SQLite the write lock taken at BEGIN does the same.
func (t *Tx) ActiveBookingsByEmail(ctx context.Context, email string, now time.Time) (int, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return 0, fmt.Errorf("store: active bookings of an empty e-mail address: %w", booking.ErrInvalid)
	}
	if t.s.dialect == Postgres {
		if _, err := t.tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext(lower($1)))`, email); err != nil {
			return 0, fmt.Errorf("store: lock bookings of a student: %w", dbErr(err))
		}
	}
	var n int
	err := t.tx.GetContext(ctx, &n, t.tx.Rebind(`
		SELECT COUNT(*) FROM bookings
		WHERE lower(student_email) = lower(?) AND status = 'confirmed' AND end_at > ?`), email, now.Unix())
	if err != nil {
		return 0, fmt.Errorf("store: active bookings of a student: %w", dbErr(err))
	}
	return n, nil
}

// markInquiryBooked sets the outcome of the inquiry staff member byID
// booked bookingID from.
func (t *Tx) markInquiryBooked(ctx context.Context, bookingID, inquiryID, byID int64) error {
	res, err := t.tx.ExecContext(ctx, t.tx.Rebind(`
		UPDATE inquiries SET outcome = 'booked', booking_id = ?, updated_at = ?
		 WHERE id = ? AND user_id = ?`),
		bookingID, t.s.now().Unix(), inquiryID, byID)
	if err != nil {
		return fmt.Errorf("store: mark inquiry %d booked: %w", inquiryID, dbErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("store: inquiry %d of user %d: %w", inquiryID, byID, booking.ErrNotFound)
	}
	return nil
}
