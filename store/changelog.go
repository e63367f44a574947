package store

import (
	"context"
	"fmt"
	"time"
)

// PruneChangeLog deletes, in one batch of at most limit entries, the
// calendars' change-log entries (calendar_changes) logged before cutoff,
// and returns how many it deleted; the caller repeats while it deletes a
// full batch. What is left of each calendar's log stays a run without
// gaps up to its newest entry, which is always kept, so that ChangesSince
// still tells a token older than the kept log (it gets valid-sync-token,
// and the client syncs in full) from one it can serve: an entry is
// deleted only if every entry of its calendar up to and including one
// logged before cutoff goes too. Keeping the newest entry also keeps a
// calendar idle for longer than the retention able to answer the tokens
// of its current position.
func (s *Store) PruneChangeLog(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	if limit <= 0 {
		limit = 1000
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`
		DELETE FROM calendar_changes
		WHERE (calendar_id, seq) IN (
		    SELECT c.calendar_id, c.seq
		    FROM calendar_changes c
		    JOIN (SELECT calendar_id, MAX(seq) AS upto FROM calendar_changes
		          WHERE changed_at < ? GROUP BY calendar_id) old ON old.calendar_id = c.calendar_id
		    WHERE c.seq <= old.upto
		      AND c.seq < (SELECT MAX(last.seq) FROM calendar_changes last WHERE last.calendar_id = c.calendar_id)
		    ORDER BY c.calendar_id, c.seq
		    LIMIT ?)`), cutoff.Unix(), limit)
	if err != nil {
		return 0, fmt.Errorf("store: prune change log: %w", dbErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: prune change log: %w", err)
	}
	return int(n), nil
}
