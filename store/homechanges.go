package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/veileder/veileder/booking"
)

// logHomeChange records, in the transaction, that the calendar of slug in
// the home of ownerID (0: a shared calendar, in every home) was created,
// changed or (deleted) removed, for sync-collection on the home
// (migration 00011). Bumping users.home_sync_seq takes the home's row
// lock, so the positions of one home are handed out in commit order.
func logHomeChange(ctx context.Context, q querier, ownerID int64, slug string, deleted bool, now int64) error {
	if _, err := q.ExecContext(ctx, q.Rebind(`
		UPDATE users SET home_sync_seq = home_sync_seq + 1 WHERE id = ? OR ? = 0`), ownerID, ownerID); err != nil {
		return fmt.Errorf("log home change of %s: %w", slug, dbErr(err))
	}
	if _, err := q.ExecContext(ctx, q.Rebind(`
		INSERT INTO home_changes (user_id, seq, slug, deleted, changed_at)
		SELECT id, home_sync_seq, ?, ?, ? FROM users WHERE id = ? OR ? = 0`), slug, deleted, now, ownerID, ownerID); err != nil {
		return fmt.Errorf("log home change of %s: %w", slug, dbErr(err))
	}
	return nil
}

// HomeSyncSeq is the position of the user's calendar home in its change
// log, the number in the home's sync token.
func (s *Store) HomeSyncSeq(ctx context.Context, userID int64) (int64, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var seq int64
	err := s.db.GetContext(ctx, &seq, s.db.Rebind(`SELECT home_sync_seq FROM users WHERE id = ?`), userID)
	if err != nil {
		return 0, fmt.Errorf("store: home sync position of user %d: %w", userID, dbErr(err))
	}
	return seq, nil
}

// HomeChangesSince returns the latest change of each calendar (by slug) of
// the user's home changed after seq, oldest first, and the home's current
// position. booking.ErrInvalid when seq is older than the kept log or
// newer than the home, as ChangesSince does for a calendar.
func (s *Store) HomeChangesSince(ctx context.Context, userID int64, seq int64) ([]booking.Change, int64, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var cur struct {
		SyncSeq int64         `db:"home_sync_seq"`
		Oldest  sql.NullInt64 `db:"oldest"`
	}
	err := s.db.GetContext(ctx, &cur, s.db.Rebind(`
		SELECT home_sync_seq,
		       (SELECT MIN(seq) FROM home_changes WHERE user_id = users.id) AS oldest
		FROM users
		WHERE id = ?`), userID)
	if err != nil {
		return nil, 0, fmt.Errorf("store: home changes of user %d: %w", userID, dbErr(err))
	}
	if seq < 0 || seq > cur.SyncSeq || (cur.Oldest.Valid && seq < cur.Oldest.Int64-1) {
		return nil, 0, fmt.Errorf("store: home changes of user %d since %d (now %d): %w", userID, seq, cur.SyncSeq, booking.ErrInvalid)
	}
	var rows []changeRow
	err = s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT c.slug AS name, c.seq, c.deleted
		FROM home_changes c
		WHERE c.user_id = ? AND c.seq > ? AND c.seq <= ?
		  AND NOT EXISTS (
		      SELECT 1 FROM home_changes later
		      WHERE later.user_id = c.user_id AND later.slug = c.slug
		        AND later.seq > c.seq AND later.seq <= ?)
		ORDER BY c.seq`), userID, seq, cur.SyncSeq, cur.SyncSeq)
	if err != nil {
		return nil, 0, fmt.Errorf("store: home changes of user %d: %w", userID, dbErr(err))
	}
	changes := make([]booking.Change, 0, len(rows))
	for _, r := range rows {
		changes = append(changes, booking.Change{Name: r.Name, Seq: r.Seq, Deleted: r.Deleted})
	}
	return changes, cur.SyncSeq, nil
}
