package app

import (
	"context"
	"time"
)

// WaitlistConfig configures the waitlist.
type WaitlistConfig struct {
	// Hold is how long an offered time is held for the student; zero
	// means booking.DefaultOfferHold (30 minutes).
	Hold time.Duration
	// MaxWait is how long an entry waits at most; zero means the topic's
	// booking horizon.
	MaxWait time.Duration
	// Interval is how often the matching job runs; zero means
	// DefaultWaitlistInterval.
	Interval time.Duration
}

// DefaultWaitlistInterval is how often freed and new times are offered to
// the waitlists: often enough that a cancelled time reaches the next
// student within a minute, cheap because the job does nothing when no one
// waits.
const DefaultWaitlistInterval = time.Minute

// runWaitlist runs the waitlist's matching job until ctx ends. Every
// replica runs it; the job's lease lets one at a time do the work.
func (a *App) runWaitlist(ctx context.Context) {
	every := a.cfg.Waitlist.Interval
	if every <= 0 {
		every = DefaultWaitlistInterval
	}
	log := a.cfg.Logger.With("component", "waitlist")
	holder := jobHolder()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := a.Waitlist.RunMatching(ctx, holder); err != nil {
			if ctx.Err() == nil {
				log.Error("waitlist matching", "err", err)
			}
		} else if n > 0 {
			log.Info("waitlist offers made", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
