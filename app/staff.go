package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"time"

	"github.com/veileder/veileder/feeds"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/web"
)

// DefaultRetention is how long after the meeting a booking keeps the
// student's personal data (PRODUCT.md, "Privacy").
const DefaultRetention = 90 * 24 * time.Hour

// DefaultJobInterval is how often the retention job runs.
const DefaultJobInterval = time.Hour

// The store is what the web front's staff and e-mail pages read and
// write, as it is: the records they share are booking's.
var (
	_ web.StaffStore = (*store.Store)(nil)
	_ web.Outbox     = (*store.Store)(nil)
)

// The feeds service answers the admin's page on unknown drop-in tags as
// it is.
var _ web.DropInTags = (*feeds.Service)(nil)

// RunJobs runs the periodic jobs until ctx ends: the retention purge,
// which anonymises bookings whose meeting ended more than the retention
// period ago, the pruning of the calendars' change log, and the removal
// of expired staff sessions. It is safe to run in every replica: the
// retention and pruning jobs take leases in the database, so that one
// replica at a time does the work.
func (a *App) RunJobs(ctx context.Context) {
	every := a.cfg.JobInterval
	if every <= 0 {
		every = DefaultJobInterval
	}
	holder := jobHolder()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		a.runJobsOnce(ctx, holder)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (a *App) retention() time.Duration {
	if a.cfg.Retention > 0 {
		return a.cfg.Retention
	}
	return DefaultRetention
}

func (a *App) runJobsOnce(ctx context.Context, holder string) {
	log := a.cfg.Logger.With("component", "jobs")
	if n, err := a.Privacy.RunRetention(ctx, a.retention(), holder); err != nil {
		if ctx.Err() == nil {
			log.Error("retention job", "err", err)
		}
	} else if n > 0 {
		log.Info("retention job anonymised bookings", "count", n)
	}
	if n, err := a.PruneSyncLog(ctx, holder); err != nil {
		if ctx.Err() == nil {
			log.Error("prune calendar change log", "err", err)
		}
	} else if n > 0 {
		log.Info("pruned calendar change log", "entries", n)
	}
	if n, err := a.Store.PurgeExpiredSessions(ctx); err != nil {
		if ctx.Err() == nil {
			log.Error("purge expired sessions", "err", err)
		}
	} else if n > 0 {
		log.Debug("purged expired staff sessions", "count", n)
	}
	// Logins never finished and students' sessions: neither outlives its
	// expiry, so that nothing of a sign-in stays longer than it serves.
	if n, err := a.Store.PurgeSignIns(ctx); err != nil {
		if ctx.Err() == nil {
			log.Error("purge expired sign-ins", "err", err)
		}
	} else if n > 0 {
		log.Debug("purged expired sign-ins", "count", n)
	}
}

// jobHolder names this process in job leases: host, process and a random
// part, since two containers may share a host name and a pid.
func jobHolder() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), rand.Text()[:8])
}
