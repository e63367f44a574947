package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/veileder/veileder/notify"
	"github.com/veileder/veileder/scheduling"
	"github.com/veileder/veileder/store"
)

// MailConfig configures the e-mails to students and librarians.
type MailConfig struct {
	// SMTPURL is the mail server (see notify.Config.SMTPURL). Empty: each
	// message is written to Dir as an .eml file, and the log says where.
	SMTPURL string
	// From is the sender, "Name <address>"; empty means noreply at the
	// base URL's host.
	From string
	// Dir is the folder for .eml files when there is no SMTPURL; empty
	// means DataDir/mail.
	Dir string
	// ReminderBefore is how long before a meeting the student is
	// reminded; zero means notify.DefaultReminderBefore (24 h).
	ReminderBefore time.Duration
	// NoFollowUp turns off the e-mails after each meeting (the student's
	// rating, the librarian's held / no-show); they are on by default.
	NoFollowUp bool
	// FollowUpAfter is how long after a meeting's end they go out; zero
	// means notify.DefaultFollowUpAfter.
	FollowUpAfter time.Duration
	// PollInterval is how often the outbox is looked at; zero means
	// notify.DefaultPollInterval.
	PollInterval time.Duration
	// Registerer gets the mail metrics; nil means the registry the app
	// serves at /metrics (App.Metrics).
	Registerer prometheus.Registerer
}

// manageKeyName names the key, kept in the database, that derives the
// manage links when Config.SecretKey is empty.
const manageKeyName = "manage-token-key"

// tokenKey is the key the manage tokens are derived from: the configured
// one, else one the store keeps for every replica.
func tokenKey(ctx context.Context, cfg Config, st *store.Store) ([]byte, error) {
	if len(cfg.SecretKey) > 0 {
		return cfg.SecretKey, nil
	}
	key, err := st.Secret(ctx, manageKeyName, 32)
	if err != nil {
		return nil, fmt.Errorf("app: manage link key: %w", err)
	}
	return key, nil
}

// newMail builds the outbox sender and the reminder job; their counters
// go to cfg.Mail.Registerer, else to served.
func newMail(cfg Config, st *store.Store, svc *scheduling.Service, now func() time.Time, served prometheus.Registerer) (*notify.Sender, *notify.ReminderJob, error) {
	mc := cfg.Mail
	dir := mc.Dir
	if dir == "" && mc.SMTPURL == "" {
		base := cfg.DataDir
		if base == "" {
			base = filepath.Join(os.TempDir(), "veileder")
		}
		dir = filepath.Join(base, "mail")
	}
	metrics := notify.NewMetrics()
	reg := mc.Registerer
	if reg == nil {
		reg = served
	}
	if err := metrics.Register(reg); err != nil {
		return nil, nil, fmt.Errorf("app: mail metrics: %w", err)
	}
	log := cfg.Logger.With("component", "notify")
	sender, err := notify.New(notify.Config{
		Store:         st,
		SMTPURL:       mc.SMTPURL,
		From:          mc.From,
		Dir:           dir,
		BaseURL:       cfg.BaseURL,
		Location:      svc.Location(),
		ManageURL:     svc.ManageURL,
		RequestURL:    svc.Requests(st, 0).URL,
		WaitlistURLs:  svc.WaitlistURLs,
		FeedbackURL:   svc.FeedbackURL,
		AttendanceURL: svc.AttendanceURL,
		PollInterval:  mc.PollInterval,
		Now:           now,
		Logger:        log,
		Metrics:       metrics,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("app: %w", err)
	}
	reminders, err := notify.NewReminderJob(notify.ReminderConfig{
		Store: st, Before: mc.ReminderBefore, Now: now, Logger: log, Metrics: metrics,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("app: %w", err)
	}
	return sender, reminders, nil
}

// newFollowUps builds the job that queues the e-mails after each
// meeting; nil when they are turned off.
func newFollowUps(cfg Config, st *store.Store, now func() time.Time) (*notify.FollowUpJob, error) {
	if cfg.Mail.NoFollowUp {
		return nil, nil
	}
	j, err := notify.NewFollowUpJob(notify.FollowUpConfig{
		Store: st, After: cfg.Mail.FollowUpAfter, Now: now, Logger: cfg.Logger.With("component", "notify"),
	})
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	return j, nil
}

// Start runs the background work, the e-mail sender, the reminder job,
// the external calendars' refresh and the waitlist's matching, until ctx
// is done or Close is called. Calling it again does nothing.
func (a *App) Start(ctx context.Context) {
	a.bgMu.Lock()
	defer a.bgMu.Unlock()
	if a.bgStop != nil {
		return
	}
	ctx, a.bgStop = context.WithCancel(ctx)
	a.bg.Go(func() { a.Mailer.Run(ctx) })
	a.bg.Go(func() { a.Reminders.Run(ctx) })
	if a.FollowUps != nil {
		a.bg.Go(func() { a.FollowUps.Run(ctx) })
	}
	a.bg.Go(func() { a.External.Run(ctx) }) // app/external.go
	a.bg.Go(func() { a.runWaitlist(ctx) })  // app/waitlist.go
}

// stopBackground stops what Start started and waits for it: a message
// being sent is finished first.
func (a *App) stopBackground() {
	a.bgMu.Lock()
	stop := a.bgStop
	a.bgMu.Unlock()
	if stop != nil {
		stop()
		a.bg.Wait()
	}
}
