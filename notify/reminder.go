package notify

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// ReminderStore is what the reminder job needs from the store.
type ReminderStore interface {
	// EnqueueReminders queues a reminder for each confirmed booking that
	// starts in (now, now+before] and has none for its sequence yet, and
	// returns how many it queued. Safe to run on several replicas at once.
	EnqueueReminders(ctx context.Context, now time.Time, before time.Duration) (int, error)
}

// DefaultReminderBefore is how long before a meeting its reminder goes out.
const DefaultReminderBefore = 24 * time.Hour

// DefaultReminderInterval is how often the reminder job looks.
const DefaultReminderInterval = time.Minute

// ReminderConfig configures a ReminderJob.
type ReminderConfig struct {
	Store ReminderStore
	// Before is how long before the meeting the reminder is sent; zero
	// means DefaultReminderBefore.
	Before time.Duration
	// Interval is how often the job looks for meetings to remind of;
	// zero means DefaultReminderInterval.
	Interval time.Duration
	Now      func() time.Time
	Logger   *slog.Logger
	Metrics  *Metrics
}

// ReminderJob queues each meeting's reminder once, Before it starts. It
// only queues: the Sender sends. Every replica may run one; the database
// keeps the reminders unique.
type ReminderJob struct {
	cfg ReminderConfig
}

// NewReminderJob returns a job with cfg's zero fields set to defaults.
func NewReminderJob(cfg ReminderConfig) (*ReminderJob, error) {
	if cfg.Store == nil {
		return nil, errors.New("notify: reminder job without a store")
	}
	if cfg.Before < 0 {
		return nil, errors.New("notify: negative reminder time")
	}
	if cfg.Before == 0 {
		cfg.Before = DefaultReminderBefore
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultReminderInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	return &ReminderJob{cfg: cfg}, nil
}

// RunOnce queues the reminders that are due now and returns how many.
func (j *ReminderJob) RunOnce(ctx context.Context) (int, error) {
	n, err := j.cfg.Store.EnqueueReminders(ctx, j.cfg.Now(), j.cfg.Before)
	if err != nil {
		return 0, err
	}
	if n > 0 {
		j.cfg.Metrics.reminders.Add(float64(n))
		j.cfg.Logger.Info("notify: reminders queued", "count", n)
	}
	return n, nil
}

// Run queues reminders every Interval until ctx is done.
func (j *ReminderJob) Run(ctx context.Context) {
	t := time.NewTicker(j.cfg.Interval)
	defer t.Stop()
	for {
		if _, err := j.RunOnce(ctx); err != nil && ctx.Err() == nil {
			j.cfg.Logger.Error("notify: queue reminders", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
