package app

import (
	"context"
	"time"
)

// DefaultSyncLogRetention is how long the calendars' change log keeps an
// entry: a calendar app that has not synced for longer syncs in full.
const DefaultSyncLogRetention = 90 * 24 * time.Hour

// syncLogLease names the change-log pruning's job lease.
const syncLogLease = "sync-log"

// syncLogBatch is how many entries one statement deletes, so that SQLite's
// single writer is not held for long.
const syncLogBatch = 1000

// PruneSyncLog deletes the change-log entries older than the sync-log
// retention (store.PruneChangeLog), if holder gets the job's lease, and
// returns how many it deleted. Clients whose sync token is older than
// what is kept get valid-sync-token and sync in full.
func (a *App) PruneSyncLog(ctx context.Context, holder string) (int, error) {
	const ttl = 10 * time.Minute
	ok, err := a.Store.AcquireLease(ctx, syncLogLease, holder, ttl)
	if err != nil || !ok {
		return 0, err
	}
	defer func() {
		// Released even when ctx was cancelled at shutdown.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := a.Store.ReleaseLease(ctx, syncLogLease, holder); err != nil {
			a.cfg.Logger.Warn("app: release sync-log lease", "err", err)
		}
	}()
	retention := a.cfg.SyncLogRetention
	if retention <= 0 {
		retention = DefaultSyncLogRetention
	}
	now := time.Now
	if a.cfg.Now != nil {
		now = a.cfg.Now
	}
	cutoff := now().Add(-retention)
	total := 0
	for {
		n, err := a.Store.PruneChangeLog(ctx, cutoff, syncLogBatch)
		total += n
		if err != nil || n < syncLogBatch {
			return total, err
		}
		if ok, err := a.Store.AcquireLease(ctx, syncLogLease, holder, ttl); err != nil || !ok {
			return total, err
		}
	}
}
