package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"time"
)

// FollowUpStore is what the follow-up job needs from the store.
type FollowUpStore interface {
	// EnqueueFollowUps queues the follow-ups of the meetings that ended
	// at least after ago (once per booking) and returns how many.
	EnqueueFollowUps(ctx context.Context, now time.Time, after time.Duration) (int, error)
	// AcquireLease and ReleaseLease give one replica at a time the job.
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
}

// DefaultFollowUpAfter is how long after a meeting's end its follow-up
// goes out: time for the librarian to mark a no-show first, which keeps
// the student who did not come from being asked.
const DefaultFollowUpAfter = 2 * time.Hour

// DefaultFollowUpInterval is how often the follow-up job looks.
const DefaultFollowUpInterval = 5 * time.Minute

// followUpLease names the job's lease.
const followUpLease = "followup"

// FollowUpConfig configures a FollowUpJob.
type FollowUpConfig struct {
	Store FollowUpStore
	// After is how long after the meeting the follow-up is sent; zero
	// means DefaultFollowUpAfter.
	After time.Duration
	// Interval is how often the job looks; zero means
	// DefaultFollowUpInterval.
	Interval time.Duration
	Now      func() time.Time
	Logger   *slog.Logger
}

// FollowUpJob queues each meeting's follow-up e-mails once, After it
// ends, under a lease so that of several replicas one does the work at a
// time (the database keeps them unique besides). It only queues: the
// Sender sends, through the outbox.
type FollowUpJob struct {
	cfg    FollowUpConfig
	holder string
}

// NewFollowUpJob returns a job with cfg's zero fields set to defaults.
func NewFollowUpJob(cfg FollowUpConfig) (*FollowUpJob, error) {
	if cfg.Store == nil {
		return nil, errors.New("notify: follow-up job without a store")
	}
	if cfg.After < 0 {
		return nil, errors.New("notify: negative follow-up time")
	}
	if cfg.After == 0 {
		cfg.After = DefaultFollowUpAfter
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultFollowUpInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &FollowUpJob{cfg: cfg, holder: "followup-" + hex.EncodeToString(b[:])}, nil
}

// RunOnce queues the follow-ups that are due now, if this replica gets
// the lease, and returns how many it queued.
func (j *FollowUpJob) RunOnce(ctx context.Context) (int, error) {
	ok, err := j.cfg.Store.AcquireLease(ctx, followUpLease, j.holder, 2*j.cfg.Interval)
	if err != nil || !ok {
		return 0, err
	}
	defer func() {
		// Released even when ctx was cancelled at shutdown.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := j.cfg.Store.ReleaseLease(ctx, followUpLease, j.holder); err != nil {
			j.cfg.Logger.Warn("notify: release follow-up lease", "err", err)
		}
	}()
	n, err := j.cfg.Store.EnqueueFollowUps(ctx, j.cfg.Now(), j.cfg.After)
	if err != nil {
		return 0, err
	}
	if n > 0 {
		j.cfg.Logger.Info("notify: follow-ups queued", "count", n)
	}
	return n, nil
}

// Run queues follow-ups every Interval until ctx is done.
func (j *FollowUpJob) Run(ctx context.Context) {
	t := time.NewTicker(j.cfg.Interval)
	defer t.Stop()
	for {
		if _, err := j.RunOnce(ctx); err != nil && ctx.Err() == nil {
			j.cfg.Logger.Error("notify: queue follow-ups", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
