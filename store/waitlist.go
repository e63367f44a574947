package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/veileder/veileder/booking"
)

// The waitlist (migrations/*/00019_waitlist.sql): entries of students
// waiting for a topic, and the offers that hold a time for one of them.

type waitlistEntryRow struct {
	ID          int64         `db:"id"`
	TopicID     int64         `db:"topic_id"`
	Name        string        `db:"name"`
	Email       string        `db:"email"`
	Mode        string        `db:"mode"`
	Language    string        `db:"language"`
	Weekdays    string        `db:"weekdays"`
	TimesOfDay  string        `db:"times_of_day"`
	LibrarianID sql.NullInt64 `db:"librarian_id"`
	Locale      string        `db:"locale"`
	UID         string        `db:"uid"`
	TokenHash   string        `db:"token_hash"`
	Status      string        `db:"status"`
	CreatedAt   int64         `db:"created_at"`
	ExpiresAt   int64         `db:"expires_at"`
	EndedAt     sql.NullInt64 `db:"ended_at"`
}

const waitlistEntryColumns = `id, topic_id, name, email, mode, language, weekdays, times_of_day,
	librarian_id, locale, uid, token_hash, status, created_at, expires_at, ended_at`

func (r waitlistEntryRow) entry() booking.WaitlistEntry {
	e := booking.WaitlistEntry{
		ID: r.ID, TopicID: r.TopicID, Name: r.Name, Email: r.Email,
		Mode: booking.Mode(r.Mode), Language: r.Language, LibrarianID: r.LibrarianID.Int64,
		Locale: r.Locale, UID: r.UID, TokenHash: r.TokenHash, Status: booking.WaitlistStatus(r.Status),
		CreatedAt: fromUnix(r.CreatedAt), ExpiresAt: fromUnix(r.ExpiresAt), EndedAt: fromUnixOrZero(r.EndedAt),
	}
	for _, d := range splitList(r.Weekdays) {
		if n, err := strconv.Atoi(d); err == nil {
			e.Weekdays = append(e.Weekdays, time.Weekday(n))
		}
	}
	e.TimesOfDay = splitList(r.TimesOfDay)
	return e
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func weekdayList(ds []time.Weekday) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = strconv.Itoa(int(d))
	}
	return strings.Join(parts, ",")
}

type waitlistOfferRow struct {
	ID          int64         `db:"id"`
	EntryID     int64         `db:"entry_id"`
	TopicID     int64         `db:"topic_id"`
	LibrarianID int64         `db:"librarian_id"`
	StartAt     int64         `db:"start_at"`
	EndAt       int64         `db:"end_at"`
	Online      bool          `db:"online"`
	Location    string        `db:"location"`
	UID         string        `db:"uid"`
	TokenHash   string        `db:"token_hash"`
	Status      string        `db:"status"`
	OfferedAt   int64         `db:"offered_at"`
	ExpiresAt   int64         `db:"expires_at"`
	BookingID   sql.NullInt64 `db:"booking_id"`
}

const waitlistOfferColumns = `id, entry_id, topic_id, librarian_id, start_at, end_at, online, location,
	uid, token_hash, status, offered_at, expires_at, booking_id`

func (r waitlistOfferRow) offer() booking.WaitlistOffer {
	return booking.WaitlistOffer{
		ID: r.ID, EntryID: r.EntryID, TopicID: r.TopicID, LibrarianID: r.LibrarianID,
		Start: fromUnix(r.StartAt), End: fromUnix(r.EndAt), Online: r.Online, Location: r.Location,
		UID: r.UID, TokenHash: r.TokenHash, Status: booking.OfferStatus(r.Status),
		OfferedAt: fromUnix(r.OfferedAt), ExpiresAt: fromUnix(r.ExpiresAt), BookingID: r.BookingID.Int64,
	}
}

// MaxWaitlistEntries is how many topics one e-mail address may wait for
// at once.
const MaxWaitlistEntries = 5

// InsertWaitlistEntry stores a new entry, in the queue behind everyone
// who joined before. booking.ErrConflict when the address already waits
// for the topic; booking.ErrLimitReached when it waits for
// MaxWaitlistEntries topics.
func (s *Store) InsertWaitlistEntry(ctx context.Context, e booking.WaitlistEntry) (booking.WaitlistEntry, error) {
	var out booking.WaitlistEntry
	err := s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		// An entry whose time ran out no longer counts, even before the
		// job marks it (the index waitlist_entries_one_wait would).
		if _, err := tx.ExecContext(ctx, tx.Rebind(`
			UPDATE waitlist_entries SET status = 'expired', ended_at = ?
			WHERE lower(email) = lower(?) AND status = 'waiting' AND expires_at <= ?
			  AND NOT EXISTS (SELECT 1 FROM waitlist_offers o WHERE o.entry_id = waitlist_entries.id AND o.status = 'open')`),
			e.CreatedAt.Unix(), e.Email, e.CreatedAt.Unix()); err != nil {
			return dbErr(err)
		}
		var n []int64
		err := tx.SelectContext(ctx, &n, tx.Rebind(`
			SELECT topic_id FROM waitlist_entries
			WHERE lower(email) = lower(?) AND status = 'waiting' AND expires_at > ?`), e.Email, e.CreatedAt.Unix())
		if err != nil {
			return dbErr(err)
		}
		if slices.Contains(n, e.TopicID) {
			return fmt.Errorf("the address waits for the topic already: %w", booking.ErrConflict)
		}
		if len(n) >= MaxWaitlistEntries {
			return fmt.Errorf("the address waits for %d topics: %w", len(n), booking.ErrLimitReached)
		}
		var row waitlistEntryRow
		err = tx.GetContext(ctx, &row, tx.Rebind(`
			INSERT INTO waitlist_entries (topic_id, name, email, mode, language, weekdays, times_of_day,
			                              librarian_id, locale, uid, token_hash, status, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'waiting', ?, ?)
			RETURNING `+waitlistEntryColumns),
			e.TopicID, e.Name, e.Email, string(e.Mode), e.Language, weekdayList(e.Weekdays), strings.Join(e.TimesOfDay, ","),
			sql.NullInt64{Int64: e.LibrarianID, Valid: e.LibrarianID != 0}, e.Locale, e.UID, e.TokenHash,
			e.CreatedAt.Unix(), e.ExpiresAt.Unix())
		if err != nil {
			return dbErr(err)
		}
		out = row.entry()
		return nil
	})
	if err != nil {
		return booking.WaitlistEntry{}, fmt.Errorf("store: insert waitlist entry: %w", err)
	}
	return out, nil
}

// WaitlistEntryByTokenHash finds the entry of a "leave the waitlist" link.
func (s *Store) WaitlistEntryByTokenHash(ctx context.Context, hash string) (booking.WaitlistEntry, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row waitlistEntryRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`SELECT `+waitlistEntryColumns+` FROM waitlist_entries WHERE token_hash = ?`), hash)
	if err != nil {
		return booking.WaitlistEntry{}, fmt.Errorf("store: waitlist entry by token: %w", dbErr(err))
	}
	return row.entry(), nil
}

// WaitlistOfferByTokenHash finds the offer of an offer link.
func (s *Store) WaitlistOfferByTokenHash(ctx context.Context, hash string) (booking.WaitlistOffer, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row waitlistOfferRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`SELECT `+waitlistOfferColumns+` FROM waitlist_offers WHERE token_hash = ?`), hash)
	if err != nil {
		return booking.WaitlistOffer{}, fmt.Errorf("store: waitlist offer by token: %w", dbErr(err))
	}
	return row.offer(), nil
}

// WaitingEntries lists the entries still waiting at now that hold no open
// offer, per topic first come first served (topic, joined, id).
func (s *Store) WaitingEntries(ctx context.Context, now time.Time) ([]booking.WaitlistEntry, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []waitlistEntryRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT `+waitlistEntryColumns+` FROM waitlist_entries e
		WHERE status = 'waiting' AND expires_at > ?
		  AND NOT EXISTS (SELECT 1 FROM waitlist_offers o WHERE o.entry_id = e.id AND o.status = 'open')
		ORDER BY topic_id, created_at, id`), now.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: waiting entries: %w", dbErr(err))
	}
	out := make([]booking.WaitlistEntry, len(rows))
	for i, r := range rows {
		out[i] = r.entry()
	}
	return out, nil
}

// OffersOfEntry lists the times offered to an entry, oldest first.
func (s *Store) OffersOfEntry(ctx context.Context, entryID int64) ([]booking.WaitlistOffer, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	return offersOfEntry(ctx, s.db, entryID)
}

func offersOfEntry(ctx context.Context, q querier, entryID int64) ([]booking.WaitlistOffer, error) {
	var rows []waitlistOfferRow
	err := sqlx.SelectContext(ctx, q, &rows, q.Rebind(`
		SELECT `+waitlistOfferColumns+` FROM waitlist_offers WHERE entry_id = ? ORDER BY offered_at, id`), entryID)
	if err != nil {
		return nil, fmt.Errorf("store: offers of waitlist entry %d: %w", entryID, dbErr(err))
	}
	out := make([]booking.WaitlistOffer, len(rows))
	for i, r := range rows {
		out[i] = r.offer()
	}
	return out, nil
}

// HoldsOfLibrarian lists the open offers of a librarian that still hold
// their time at now and overlap [start, end): busy time for slot search.
func (s *Store) HoldsOfLibrarian(ctx context.Context, librarianID int64, start, end, now time.Time) ([]booking.WaitlistOffer, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	return holdsOfLibrarian(ctx, s.db, librarianID, start, end, now)
}

// HoldsOfLibrarian is Store.HoldsOfLibrarian in the transaction.
func (t *Tx) HoldsOfLibrarian(ctx context.Context, librarianID int64, start, end, now time.Time) ([]booking.WaitlistOffer, error) {
	return holdsOfLibrarian(ctx, t.tx, librarianID, start, end, now)
}

func holdsOfLibrarian(ctx context.Context, q querier, librarianID int64, start, end, now time.Time) ([]booking.WaitlistOffer, error) {
	lo, hi := openRange(start, end)
	var rows []waitlistOfferRow
	err := sqlx.SelectContext(ctx, q, &rows, q.Rebind(`
		SELECT `+waitlistOfferColumns+` FROM waitlist_offers
		WHERE librarian_id = ? AND status = 'open' AND expires_at > ? AND start_at < ? AND end_at > ?
		ORDER BY start_at, id`), librarianID, now.Unix(), hi, lo)
	if err != nil {
		return nil, fmt.Errorf("store: holds of librarian %d: %w", librarianID, dbErr(err))
	}
	out := make([]booking.WaitlistOffer, len(rows))
	for i, r := range rows {
		out[i] = r.offer()
	}
	return out, nil
}

// WaitlistEntry reads an entry in the transaction; on PostgreSQL it locks
// the row until the transaction ends, so that leaving and accepting do not
// cross.
func (t *Tx) WaitlistEntry(ctx context.Context, id int64) (booking.WaitlistEntry, error) {
	query := `SELECT ` + waitlistEntryColumns + ` FROM waitlist_entries WHERE id = ?`
	if t.s.dialect == Postgres {
		query += ` FOR UPDATE`
	}
	var row waitlistEntryRow
	if err := t.tx.GetContext(ctx, &row, t.tx.Rebind(query), id); err != nil {
		return booking.WaitlistEntry{}, fmt.Errorf("store: waitlist entry %d: %w", id, dbErr(err))
	}
	return row.entry(), nil
}

// WaitlistOffer reads an offer in the transaction, locking it on
// PostgreSQL as WaitlistEntry does.
func (t *Tx) WaitlistOffer(ctx context.Context, id int64) (booking.WaitlistOffer, error) {
	query := `SELECT ` + waitlistOfferColumns + ` FROM waitlist_offers WHERE id = ?`
	if t.s.dialect == Postgres {
		query += ` FOR UPDATE`
	}
	var row waitlistOfferRow
	if err := t.tx.GetContext(ctx, &row, t.tx.Rebind(query), id); err != nil {
		return booking.WaitlistOffer{}, fmt.Errorf("store: waitlist offer %d: %w", id, dbErr(err))
	}
	return row.offer(), nil
}

// InsertWaitlistOffer stores an open offer, which holds its time from the
// moment the transaction commits. booking.ErrConflict when the entry has
// an open offer already (one at a time, 00019_waitlist.sql).
func (t *Tx) InsertWaitlistOffer(ctx context.Context, o booking.WaitlistOffer) (booking.WaitlistOffer, error) {
	var row waitlistOfferRow
	err := t.tx.GetContext(ctx, &row, t.tx.Rebind(`
		INSERT INTO waitlist_offers (entry_id, topic_id, librarian_id, start_at, end_at, online, location,
		                             uid, token_hash, status, offered_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)
		RETURNING `+waitlistOfferColumns),
		o.EntryID, o.TopicID, o.LibrarianID, o.Start.Unix(), o.End.Unix(), o.Online, o.Location,
		o.UID, o.TokenHash, o.OfferedAt.Unix(), o.ExpiresAt.Unix())
	if err != nil {
		return booking.WaitlistOffer{}, fmt.Errorf("store: insert waitlist offer for entry %d: %w", o.EntryID, dbErr(err))
	}
	return row.offer(), nil
}

// SetWaitlistOffer records what became of an offer: accepted (with its
// booking), expired or withdrawn. Only an open offer changes;
// booking.ErrConflict otherwise.
func (t *Tx) SetWaitlistOffer(ctx context.Context, id int64, status booking.OfferStatus, bookingID int64) error {
	res, err := t.tx.ExecContext(ctx, t.tx.Rebind(`
		UPDATE waitlist_offers SET status = ?, booking_id = ? WHERE id = ? AND status = 'open'`),
		string(status), sql.NullInt64{Int64: bookingID, Valid: bookingID != 0}, id)
	if err != nil {
		return fmt.Errorf("store: set waitlist offer %d: %w", id, dbErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("store: set waitlist offer %d: not open: %w", id, booking.ErrConflict)
	}
	return nil
}

// EndWaitlistEntry takes a waiting entry out of the queue (booked, left
// or expired) at now and withdraws its open offer, which frees the time
// the offer held. An entry that ended already is left alone.
func (t *Tx) EndWaitlistEntry(ctx context.Context, id int64, status booking.WaitlistStatus, now time.Time) error {
	if _, err := t.tx.ExecContext(ctx, t.tx.Rebind(`
		UPDATE waitlist_entries SET status = ?, ended_at = ? WHERE id = ? AND status = 'waiting'`),
		string(status), now.Unix(), id); err != nil {
		return fmt.Errorf("store: end waitlist entry %d: %w", id, dbErr(err))
	}
	if _, err := t.tx.ExecContext(ctx, t.tx.Rebind(`
		UPDATE waitlist_offers SET status = 'withdrawn' WHERE entry_id = ? AND status = 'open'`), id); err != nil {
		return fmt.Errorf("store: withdraw offers of waitlist entry %d: %w", id, dbErr(err))
	}
	return nil
}

// EndWaitlistOf takes the address's waiting entry for the topic, if any,
// out of the queue as booked, and withdraws its open offer: a student who
// booked a time of the topic no longer waits for one.
func (t *Tx) EndWaitlistOf(ctx context.Context, email string, topicID int64, now time.Time) error {
	var ids []int64
	if err := t.tx.SelectContext(ctx, &ids, t.tx.Rebind(`
		SELECT id FROM waitlist_entries WHERE lower(email) = lower(?) AND topic_id = ? AND status = 'waiting'`), email, topicID); err != nil {
		return fmt.Errorf("store: waitlist of a booking's address: %w", dbErr(err))
	}
	for _, id := range ids {
		if err := t.EndWaitlistEntry(ctx, id, booking.WaitlistBooked, now); err != nil {
			return err
		}
	}
	return nil
}

// ExpireWaitlist marks the open offers whose hold ran out by now expired
// (their time is free again, for the next in the queue) and the entries
// whose waiting time is over expired. Several replicas may run it at
// once: each row changes once.
func (s *Store) ExpireWaitlist(ctx context.Context, now time.Time) (offers, entries int, err error) {
	err = s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(`
			UPDATE waitlist_offers SET status = 'expired' WHERE status = 'open' AND expires_at <= ?`), now.Unix())
		if err != nil {
			return dbErr(err)
		}
		n, _ := res.RowsAffected()
		offers = int(n)
		res, err = tx.ExecContext(ctx, tx.Rebind(`
			UPDATE waitlist_entries SET status = 'expired', ended_at = ?
			WHERE status = 'waiting' AND expires_at <= ?
			  AND NOT EXISTS (SELECT 1 FROM waitlist_offers o WHERE o.entry_id = waitlist_entries.id AND o.status = 'open')`),
			now.Unix(), now.Unix())
		if err != nil {
			return dbErr(err)
		}
		n, _ = res.RowsAffected()
		entries = int(n)
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store: expire waitlist: %w", err)
	}
	return offers, entries, nil
}

// enqueueWaitlistOffer queues the e-mail of an offer, once per offer.
func (t *Tx) enqueueWaitlistOffer(ctx context.Context, m booking.Message) error {
	if m.WaitlistOfferID == 0 {
		return fmt.Errorf("store: enqueue %s without an offer: %w", m.Kind, booking.ErrInvalid)
	}
	now := t.s.now()
	if m.SendAfter.IsZero() {
		m.SendAfter = now
	}
	_, err := t.tx.ExecContext(ctx, t.tx.Rebind(`
		INSERT INTO outbox (kind, waitlist_offer_id, sequence, send_after, created_at, attempts, status, last_error)
		VALUES (?, ?, 0, ?, ?, 0, 'pending', '')`),
		string(m.Kind), m.WaitlistOfferID, m.SendAfter.Unix(), now.Unix())
	if err != nil {
		return fmt.Errorf("store: enqueue %s for waitlist offer %d: %w", m.Kind, m.WaitlistOfferID, dbErr(err))
	}
	return nil
}

// MessageWaitlistOffer returns an offer with its entry, topic and
// librarian, for its e-mail; booking.ErrNotFound when it is gone (the
// entry was erased or purged).
func (s *Store) MessageWaitlistOffer(ctx context.Context, offerID int64) (booking.OfferView, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var o waitlistOfferRow
	err := s.db.GetContext(ctx, &o, s.db.Rebind(`SELECT `+waitlistOfferColumns+` FROM waitlist_offers WHERE id = ?`), offerID)
	if err != nil {
		return booking.OfferView{}, fmt.Errorf("store: waitlist offer %d: %w", offerID, dbErr(err))
	}
	var e waitlistEntryRow
	err = s.db.GetContext(ctx, &e, s.db.Rebind(`SELECT `+waitlistEntryColumns+` FROM waitlist_entries WHERE id = ?`), o.EntryID)
	if err != nil {
		return booking.OfferView{}, fmt.Errorf("store: entry of waitlist offer %d: %w", offerID, dbErr(err))
	}
	v := booking.OfferView{Offer: o.offer(), Entry: e.entry()}
	if v.Topic, err = s.TopicByID(ctx, o.TopicID); err != nil && !errors.Is(err, booking.ErrNotFound) {
		return booking.OfferView{}, err
	}
	u, err := s.UserByID(ctx, o.LibrarianID)
	switch {
	case err == nil:
		v.LibrarianName = u.Name()
	case !errors.Is(err, booking.ErrNotFound):
		return booking.OfferView{}, err
	}
	return v, nil
}

// WaitlistEntriesByEmail lists an address's entries, in any case, oldest
// first, with the offers made to each: what a GDPR request concerns.
func (s *Store) WaitlistEntriesByEmail(ctx context.Context, email string) ([]booking.WaitlistEntry, [][]booking.WaitlistOffer, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return nil, nil, fmt.Errorf("store: waitlist of an empty e-mail address: %w", booking.ErrInvalid)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []waitlistEntryRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT `+waitlistEntryColumns+` FROM waitlist_entries WHERE lower(email) = lower(?) ORDER BY created_at, id`), email)
	if err != nil {
		return nil, nil, fmt.Errorf("store: waitlist of an e-mail address: %w", dbErr(err))
	}
	entries := make([]booking.WaitlistEntry, len(rows))
	offers := make([][]booking.WaitlistOffer, len(rows))
	for i, r := range rows {
		entries[i] = r.entry()
		if offers[i], err = offersOfEntry(ctx, s.db, r.ID); err != nil {
			return nil, nil, err
		}
	}
	return entries, offers, nil
}

// DeleteWaitlistEntries deletes entries and their offers (releasing any
// time an offer held) and clears the outbox's references to them; it
// returns how many entries it deleted. With email set it deletes every
// entry of the address (erasure); otherwise the entries that ended before
// cutoff (the retention purge).
func (s *Store) DeleteWaitlistEntries(ctx context.Context, email string, cutoff time.Time) (int, error) {
	where, arg := `status <> 'waiting' AND ended_at < ?`, any(cutoff.Unix())
	if email = strings.TrimSpace(email); email != "" {
		where, arg = `lower(email) = lower(?)`, email
	}
	var n int64
	err := s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		// SQLite's outbox column has no foreign key (00019).
		if _, err := tx.ExecContext(ctx, tx.Rebind(`
			UPDATE outbox SET waitlist_offer_id = NULL, last_error = ''
			WHERE waitlist_offer_id IN (SELECT id FROM waitlist_offers WHERE entry_id IN (
			    SELECT id FROM waitlist_entries WHERE `+where+`))`), arg); err != nil {
			return dbErr(err)
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`
			DELETE FROM waitlist_offers WHERE entry_id IN (SELECT id FROM waitlist_entries WHERE `+where+`)`), arg); err != nil {
			return dbErr(err)
		}
		res, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM waitlist_entries WHERE `+where), arg)
		if err != nil {
			return dbErr(err)
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: delete waitlist entries: %w", err)
	}
	return int(n), nil
}

// HoldsOfLibrarians is HoldsOfLibrarian for several librarians in one
// query per chunk, by librarian, for the slot search that reads them all.
func (s *Store) HoldsOfLibrarians(ctx context.Context, librarianIDs []int64, start, end, now time.Time) (map[int64][]booking.WaitlistOffer, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	lo, hi := openRange(start, end)
	out := make(map[int64][]booking.WaitlistOffer, len(librarianIDs))
	for chunk := range idChunks(librarianIDs) {
		query, args, err := sqlx.In(`
			SELECT `+waitlistOfferColumns+` FROM waitlist_offers
			WHERE librarian_id IN (?) AND status = 'open' AND expires_at > ? AND start_at < ? AND end_at > ?
			ORDER BY librarian_id, start_at, id`, chunk, now.Unix(), hi, lo)
		if err != nil {
			return nil, fmt.Errorf("store: holds of librarians: %w", err)
		}
		var rows []waitlistOfferRow
		if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(query), args...); err != nil {
			return nil, fmt.Errorf("store: holds of librarians: %w", dbErr(err))
		}
		for _, r := range rows {
			o := r.offer()
			out[o.LibrarianID] = append(out[o.LibrarianID], o)
		}
	}
	return out, nil
}
