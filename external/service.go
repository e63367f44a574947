package external

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/veileder/veileder/booking"
)

// Store is what the external calendars need from persistence.
type Store interface {
	AddExternalCalendar(ctx context.Context, c booking.ExternalCalendar) (booking.ExternalCalendar, error)
	ExternalCalendars(ctx context.Context, userID int64) ([]booking.ExternalCalendar, error)
	ExternalCalendar(ctx context.Context, id int64) (booking.ExternalCalendar, error)
	RemoveExternalCalendar(ctx context.Context, userID, id int64) error
	// ClaimDueExternalCalendars leases due calendars to holder (one
	// replica each); ClaimExternalCalendar leases one whether due or not.
	ClaimDueExternalCalendars(ctx context.Context, now time.Time, lease time.Duration, holder string, limit int) ([]booking.ExternalCalendar, error)
	ClaimExternalCalendar(ctx context.Context, id int64, now time.Time, lease time.Duration, holder string) (booking.ExternalCalendar, bool, error)
	// SaveExternalFetch records a fetch's outcome and ends the lease.
	SaveExternalFetch(ctx context.Context, id int64, holder string, f booking.ExternalFetch) error
	// EnqueueExternalFailing queues the day's failing-feed e-mail, if the
	// librarian opted in and it is not queued yet.
	EnqueueExternalFailing(ctx context.Context, calendarID int64, day int, now time.Time) (bool, error)
	ExternalFeedCounts(ctx context.Context, flaggedBefore time.Time) (map[booking.ExternalState]int64, int64, error)
}

// Defaults for Config's zero fields.
const (
	DefaultRefresh      = 15 * time.Minute
	DefaultHorizon      = 400 * 24 * time.Hour
	DefaultMaxInstances = 50000
	DefaultMaxReadTime  = 5 * time.Second
	DefaultFlagAfter    = 6 * time.Hour
	DefaultTick         = time.Minute
	DefaultParallel     = 4
)

// Config configures a Service.
type Config struct {
	Store Store
	// Location is the library's zone, in which all-day and floating times
	// are read; nil means Europe/Oslo.
	Location *time.Location
	// Refresh is how often a feed without its own hint is fetched; zero
	// means DefaultRefresh. A feed's X-PUBLISHED-TTL or REFRESH-INTERVAL
	// wins, within [MinRefresh, MaxRefresh].
	Refresh time.Duration
	// AllowPrivate lets feeds live on private, loopback and link-local
	// addresses, and on plain http: for tests and on-premises Exchange.
	AllowPrivate bool
	// Timeout bounds one fetch, body included; zero means DefaultTimeout.
	Timeout time.Duration
	// MaxBytes bounds a feed's (unpacked) size; zero means DefaultMaxBytes.
	MaxBytes int64
	// MaxRedirects bounds the redirects followed; zero means
	// DefaultMaxRedirects.
	MaxRedirects int
	// Horizon is how far ahead a feed's events are expanded and stored:
	// it must exceed every booking horizon. Zero means DefaultHorizon.
	Horizon time.Duration
	// MaxInstances bounds a feed's stored instances over the horizon;
	// zero means DefaultMaxInstances. MaxReadTime bounds the expansion;
	// zero means DefaultMaxReadTime.
	MaxInstances int
	MaxReadTime  time.Duration
	// FlagAfter is how long a feed fails before it is flagged (pages,
	// /metrics, the daily e-mail); zero means DefaultFlagAfter.
	FlagAfter time.Duration
	// Tick is how often Run looks for due calendars; zero means
	// DefaultTick. Parallel bounds the fetches at once; zero means
	// DefaultParallel.
	Tick     time.Duration
	Parallel int
	// Holder names this process in the calendars' leases.
	Holder string
	Now    func() time.Time
	Logger *slog.Logger
}

// Service adds, removes and refreshes external calendars. It is safe for
// concurrent use, and to run in every replica.
type Service struct {
	cfg   Config
	store Store
	fetch *fetcher
	read  reader
	now   func() time.Time
	log   *slog.Logger
	lease time.Duration
}

// New returns a service with cfg's zero fields set to their defaults.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("external: no store")
	}
	if cfg.Holder == "" {
		return nil, errors.New("external: no lease holder name")
	}
	if cfg.Location == nil {
		loc, err := time.LoadLocation("Europe/Oslo")
		if err != nil {
			return nil, fmt.Errorf("external: %w", err)
		}
		cfg.Location = loc
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.Refresh, DefaultRefresh)
	def(&cfg.Timeout, DefaultTimeout)
	def(&cfg.Horizon, DefaultHorizon)
	def(&cfg.MaxReadTime, DefaultMaxReadTime)
	def(&cfg.FlagAfter, DefaultFlagAfter)
	def(&cfg.Tick, DefaultTick)
	if cfg.Refresh < MinRefresh && !cfg.AllowPrivate {
		return nil, fmt.Errorf("external: refresh interval %s is below the least, %s", cfg.Refresh, MinRefresh)
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.MaxRedirects <= 0 {
		cfg.MaxRedirects = DefaultMaxRedirects
	}
	if cfg.MaxInstances <= 0 {
		cfg.MaxInstances = DefaultMaxInstances
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = DefaultParallel
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{
		cfg: cfg, store: cfg.Store, now: cfg.Now, log: cfg.Logger,
		fetch: newFetcher(cfg.Timeout, cfg.MaxBytes, cfg.MaxRedirects, cfg.AllowPrivate),
		read:  reader{loc: cfg.Location, maxInstances: cfg.MaxInstances, maxTime: cfg.MaxReadTime},
		// A lease outlasts a fetch and its reading, so that a slow fetch
		// is not taken over and fetched twice; a replica that dies
		// mid-fetch leaves the calendar to others after it.
		lease: 2*(cfg.Timeout+cfg.MaxReadTime) + time.Minute,
	}, nil
}

// FlagAfter is how long a feed fails before it is flagged.
func (s *Service) FlagAfter() time.Duration { return s.cfg.FlagAfter }

// Add checks the address, fetches and reads the feed once, and only if
// that works stores the calendar with its events: a librarian who pasted
// the wrong link (the web page instead of the ICS link) hears so at once,
// and nothing is stored. Errors: a *FeedError (booking.ErrInvalid) for the
// address or the feed; booking.ErrConflict for a link the user has.
func (s *Service) Add(ctx context.Context, userID int64, rawURL, name string) (booking.ExternalCalendar, error) {
	u, err := NormalizeURL(rawURL, s.cfg.AllowPrivate)
	if err != nil {
		return booking.ExternalCalendar{}, fmt.Errorf("external: add: %w", err)
	}
	now := s.now()
	res, ferr := s.fetchAndRead(ctx, booking.ExternalCalendar{URL: u}, now)
	if ferr != nil {
		var fe *FeedError
		if !errors.As(ferr, &fe) {
			fe = &FeedError{Reason: ReasonUnreachable, Msg: res.Err}
		}
		return booking.ExternalCalendar{}, fmt.Errorf("external: add: %w", fe)
	}
	c, err := s.store.AddExternalCalendar(ctx, booking.ExternalCalendar{UserID: userID, Name: name, URL: u})
	if err != nil {
		return booking.ExternalCalendar{}, fmt.Errorf("external: add: %w", err)
	}
	if _, ok, err := s.store.ClaimExternalCalendar(ctx, c.ID, now, s.lease, s.cfg.Holder); err != nil || !ok {
		// Stored but not yet read: the job reads it when due (now).
		return c, nil
	}
	if err := s.store.SaveExternalFetch(ctx, c.ID, s.cfg.Holder, res); err != nil {
		return c, fmt.Errorf("external: add: %w", err)
	}
	s.log.Info("external: calendar added", "calendar", c.ID, "user", userID, "host", c.URLHint, "events", len(res.Events))
	return s.store.ExternalCalendar(ctx, c.ID)
}

// Remove removes a user's external calendar and its events.
func (s *Service) Remove(ctx context.Context, userID, id int64) error {
	if err := s.store.RemoveExternalCalendar(ctx, userID, id); err != nil {
		return fmt.Errorf("external: remove: %w", err)
	}
	return nil
}

// List lists a user's external calendars, or everyone's for userID 0.
func (s *Service) List(ctx context.Context, userID int64) ([]booking.ExternalCalendar, error) {
	cs, err := s.store.ExternalCalendars(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("external: list: %w", err)
	}
	return cs, nil
}

// fetchAndRead fetches a calendar and reads it into the outcome to store;
// the error, when the fetch failed, is the one whose text res.Err holds.
func (s *Service) fetchAndRead(ctx context.Context, c booking.ExternalCalendar, now time.Time) (booking.ExternalFetch, error) {
	res := booking.ExternalFetch{At: now, NextFetch: now.Add(s.cfg.Refresh)}
	resp, err := s.fetch.fetch(ctx, c.URL, c.ETag, c.LastModified)
	if err != nil {
		res.Err, res.Reason, res.ReasonArg = failure(err)
		return res, err
	}
	if resp.notModified {
		res.NotModified, res.Refresh = true, c.Refresh
		res.NextFetch = now.Add(interval(c.Refresh, s.cfg.Refresh))
		return res, nil
	}
	// From a day back, so that an instance that began before the fetch
	// and still runs counts.
	lo := now.Add(-24 * time.Hour)
	rd, err := s.read.read(resp.body, lo, now.Add(s.cfg.Horizon))
	if err != nil {
		res.Err, res.Reason, res.ReasonArg = failure(err)
		return res, err
	}
	if rd.skipped > 0 {
		s.log.Warn("external: events that could not be read were left out", "calendar", c.ID, "host", c.URLHint, "skipped", rd.skipped)
	}
	res.ETag, res.LastModified, res.Events, res.Refresh = resp.etag, resp.lastModified, rd.events, rd.refresh
	res.NextFetch = now.Add(interval(rd.refresh, s.cfg.Refresh))
	return res, nil
}

// failure is what to store for a failure: a FeedError's text, reason and
// value, else a plain text (the detail may hold the URL) without a reason.
func failure(err error) (msg, reason, arg string) {
	var fe *FeedError
	if errors.As(err, &fe) {
		return fe.Msg, string(fe.Reason), fe.Arg
	}
	return "the calendar could not be read", "", ""
}

// Outcome is what one refresh did.
type Outcome struct {
	Calendar booking.ExternalCalendar // as stored after the refresh
	// Busy is set when another process was fetching the calendar.
	Busy bool
	Err  string
}

// refresh fetches one leased calendar and records the outcome.
func (s *Service) refresh(ctx context.Context, c booking.ExternalCalendar) Outcome {
	res, _ := s.fetchAndRead(ctx, c, s.now())
	log := s.log.With("calendar", c.ID, "user", c.UserID, "host", c.URLHint)
	if res.Err != "" && ctx.Err() != nil {
		// Stopped by shutdown, not by the feed: the calendar is not
		// failing. Its lease runs out and a replica fetches it again.
		log.Info("external: fetch stopped by shutdown")
		return Outcome{Calendar: c, Err: res.Err}
	}
	// The outcome is recorded even when ctx ended at shutdown, so that
	// the lease is not left to run out.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := s.store.SaveExternalFetch(sctx, c.ID, s.cfg.Holder, res); err != nil {
		log.Error("external: record fetch", "err", err)
		return Outcome{Calendar: c, Err: "the outcome could not be stored"}
	}
	switch {
	case res.Err != "":
		log.Warn("external: fetch failed; the last good events still count", "reason", res.Err)
	case res.NotModified:
		log.Debug("external: calendar unchanged")
	default:
		log.Info("external: calendar fetched", "events", len(res.Events), "next", res.NextFetch)
	}
	cur, err := s.store.ExternalCalendar(sctx, c.ID)
	if err != nil {
		cur = c
	}
	return Outcome{Calendar: cur, Err: res.Err}
}

// RefreshDue refreshes every calendar that is due, a few at a time, and
// returns how many it refreshed. Replicas calling it at once share the
// work: each due calendar is leased to one of them.
func (s *Service) RefreshDue(ctx context.Context) (int, error) {
	done := 0
	for ctx.Err() == nil {
		cs, err := s.store.ClaimDueExternalCalendars(ctx, s.now(), s.lease, s.cfg.Holder, s.cfg.Parallel)
		if err != nil {
			return done, err
		}
		if len(cs) == 0 {
			break
		}
		var wg sync.WaitGroup
		for _, c := range cs {
			wg.Go(func() { s.refresh(ctx, c) })
		}
		wg.Wait()
		done += len(cs)
	}
	if err := s.notifyFailing(ctx); err != nil {
		return done, err
	}
	return done, ctx.Err()
}

// RefreshNow fetches a user's calendars (every user's for 0) now, whether
// due or not, waits, and returns the outcomes. A calendar another process
// is fetching is reported Busy.
func (s *Service) RefreshNow(ctx context.Context, userID int64) ([]Outcome, error) {
	cs, err := s.store.ExternalCalendars(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("external: refresh: %w", err)
	}
	out := make([]Outcome, len(cs))
	sem := make(chan struct{}, s.cfg.Parallel)
	var wg sync.WaitGroup
	for i, c := range cs {
		c, ok, err := s.store.ClaimExternalCalendar(ctx, c.ID, s.now(), s.lease, s.cfg.Holder)
		switch {
		case err != nil:
			out[i] = Outcome{Calendar: cs[i], Err: "the calendar could not be leased"}
			continue
		case !ok:
			out[i] = Outcome{Calendar: cs[i], Busy: true}
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			out[i] = s.refresh(ctx, c)
		})
	}
	wg.Wait()
	return out, nil
}

// notifyFailing queues the day's e-mail for each flagged calendar (the
// store keeps it to one per calendar and day, and to librarians who opted
// in).
func (s *Service) notifyFailing(ctx context.Context) error {
	cs, err := s.store.ExternalCalendars(ctx, 0)
	if err != nil {
		return err
	}
	now := s.now()
	local := now.In(s.cfg.Location)
	day := int(time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400)
	for _, c := range cs {
		if !c.Flagged(now, s.cfg.FlagAfter) {
			continue
		}
		if ok, err := s.store.EnqueueExternalFailing(ctx, c.ID, day, now); err != nil {
			return err
		} else if ok {
			s.log.Info("external: failing-feed e-mail queued", "calendar", c.ID, "user", c.UserID, "failing_since", c.FailingSince)
		}
	}
	return nil
}

// Run refreshes due calendars every Tick until ctx ends.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	for {
		if _, err := s.RefreshDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("external: refresh due calendars", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// FeedCounts counts the calendars by state, and the flagged ones, for
// /metrics.
func (s *Service) FeedCounts(ctx context.Context) (map[booking.ExternalState]int64, int64, error) {
	return s.store.ExternalFeedCounts(ctx, s.now().Add(-s.cfg.FlagAfter))
}
