package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// The sync epoch names this database's life between restores. CalDAV
// sync tokens and CTags carry it beside the calendar's change-log
// position, because a restored backup reuses positions: a client whose
// token is from after the backup would be told "nothing changed" while
// the calendar went on differently. A new epoch makes every older token
// invalid, and clients sync again in full (RFC 6578 section 3.2). It is a
// random value kept in the secrets table, made the first time it is asked
// for, so every replica shares it.

// syncEpochName names the epoch's row in secrets.
const syncEpochName = "sync-epoch"

func newSyncEpoch() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// SyncEpoch returns the database's sync epoch, making it the first time.
func (s *Store) SyncEpoch(ctx context.Context) (string, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(`
		INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO NOTHING`),
		syncEpochName, newSyncEpoch(), s.now().Unix()); err != nil {
		return "", fmt.Errorf("store: sync epoch: %w", dbErr(err))
	}
	var epoch string
	if err := s.db.GetContext(ctx, &epoch, s.db.Rebind(`SELECT value FROM secrets WHERE name = ?`), syncEpochName); err != nil {
		return "", fmt.Errorf("store: sync epoch: %w", dbErr(err))
	}
	return epoch, nil
}

// RenewSyncEpoch gives the database a new sync epoch, after a restore,
// and returns it: every sync token and CTag handed out before is then
// stale.
func (s *Store) RenewSyncEpoch(ctx context.Context) (string, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	epoch := newSyncEpoch()
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(`
		INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, created_at = excluded.created_at`),
		syncEpochName, epoch, s.now().Unix()); err != nil {
		return "", fmt.Errorf("store: renew sync epoch: %w", dbErr(err))
	}
	return epoch, nil
}
