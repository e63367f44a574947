package caldav

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// epochCache keeps the database's sync epoch (store/epoch.go) for a few
// seconds, as every calendar PROPFIND and sync REPORT needs it. A replica
// whose copy is stale for those seconds after the epoch changed only
// sends a client through one more full sync.
type epochCache struct {
	mu      sync.Mutex
	value   string
	fetched time.Time
}

const epochTTL = 5 * time.Second

// syncEpoch is the database's sync epoch.
func (h *Handler) syncEpoch(ctx context.Context) (string, error) {
	h.epoch.mu.Lock()
	defer h.epoch.mu.Unlock()
	if h.epoch.value != "" && h.now().Sub(h.epoch.fetched) < epochTTL {
		return h.epoch.value, nil
	}
	v, err := h.store.SyncEpoch(ctx)
	if err != nil {
		return "", fmt.Errorf("caldav: %w", err)
	}
	h.epoch.value, h.epoch.fetched = v, h.now()
	return v, nil
}

// restoreDetected renews the sync epoch: a client presented a token of the
// current epoch for a change-log position the calendar has not reached,
// which only a database restored from a backup can cause (the client saw
// changes the backup lacks). Every client then syncs again in full, not
// only this one, since the others may hold tokens for positions the
// restored calendars reuse. The operator is told, as a restore should
// also be followed by "veileder after-restore".
func (h *Handler) restoreDetected(ctx context.Context, calendarID, tokenSeq, calendarSeq int64) {
	epoch, err := h.store.RenewSyncEpoch(ctx)
	if err != nil {
		h.logger.Error("caldav: renew sync epoch after a sync token from ahead of the database", "err", err)
		return
	}
	h.epoch.mu.Lock()
	h.epoch.value, h.epoch.fetched = epoch, h.now()
	h.epoch.mu.Unlock()
	h.logger.Warn("caldav: a sync token is ahead of its calendar: the database was restored from a backup? "+
		"Sync epoch renewed, so every calendar app syncs again in full; after a restore, run veileder after-restore",
		"calendar", calendarID, "token_seq", tokenSeq, "calendar_seq", calendarSeq)
}
