// Package scheduling is the application service between the student web
// front (and the librarians' CalDAV writes) and the store: it reads
// librarians' calendars into schedules for the booking engine, books,
// cancels and moves bookings, and writes the booking events into the
// librarians' bookings calendars in the same transaction as the booking.
package scheduling

import (
	"context"
	"fmt"
	"github.com/emersion/go-ical"
	lru "github.com/hashicorp/golang-lru/v2"
	"log/slog"
	"strings"
	"time"
	// The library's zone must load in minimal containers.
	_ "time/tzdata"

	"github.com/veileder/veileder/booking"
)

// DefaultLocation is the library's zone when Config.Location is nil.
const DefaultLocation = "Europe/Oslo"

// Config holds the service's dependencies.
type Config struct {
	Store Store
	// Location is the library's time zone: slots are cut on its wall clock
	// and floating and all-day events are read in it. Nil means
	// Europe/Oslo.
	Location *time.Location
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Defaults are the library's booking rules under every service's and
	// topic's overrides; the zero value means booking.DefaultRules().
	Defaults booking.Rules
	// Logger gets what is skipped (objects that do not parse) and failures
	// that do not fail a request; nil discards.
	Logger *slog.Logger
	// BaseURL is the public address of the web front, without a trailing
	// slash, for the manage link in the student's calendar file.
	BaseURL string
	// MaxConcurrentBookings bounds the bookings this service runs at once;
	// more wait their turn (as long as their context allows). Zero means
	// DefaultMaxConcurrentBookings.
	MaxConcurrentBookings int
	// TokenKey, when set, derives each booking's manage token from its
	// event UID (HMAC-SHA256), so that ManageURL can make the link again
	// for the e-mails sent later; only the token's hash is stored either
	// way. Replicas need the same key. Empty: random tokens, and e-mails
	// carry no manage link.
	TokenKey []byte
	// AvailabilityKeyword is the tag (without '#') that makes an event of
	// an external calendar an availability window for every topic; empty
	// means DefaultAvailabilityKeyword. Case does not matter.
	AvailabilityKeyword string
}

// DefaultAvailabilityKeyword is Config.AvailabilityKeyword's default: an
// Outlook user offers guidance with "Veiledning #veiledning" (or a topic's
// own tag, "#zotero").
const DefaultAvailabilityKeyword = "veiledning"

// DefaultMaxConcurrentBookings is Config.MaxConcurrentBookings' default.
// A booking takes a librarian's lock, and transactions waiting for a lock
// hold pooled connections: a burst of hundreds at once (term start) would
// exhaust the pool and time out reads that queue behind them. Queueing
// here instead costs nothing, as bookings of one librarian are serial
// anyway; on SQLite, whose single writer is polled by sleeping waiters,
// it also keeps waits short.
const DefaultMaxConcurrentBookings = 8

// Service is the scheduling service. It is safe for concurrent use.
type Service struct {
	store    Store
	loc      *time.Location
	now      func() time.Time
	defaults booking.Rules
	log      *slog.Logger
	baseURL  string
	bookGate chan struct{}
	tokenKey []byte
	// keyword is the availability keyword, lower case, without '#'.
	keyword string
	// parseCache holds decoded calendar objects by ETag (schedule.go).
	parseCache *lru.Cache[string, *ical.Calendar]
	// calCache holds librarians' calendars expanded, by calendar id, under
	// the position they were read at (schedcache.go); noScheduleCache
	// reads every search from the calendars instead, for tests that
	// compare the two.
	calCache        *lru.Cache[int64, *cachedCalendar]
	noScheduleCache bool
}

// parseCacheSize bounds the decoded objects kept: a few searches' worth of
// windows and busy events (each a few kilobytes decoded).
const parseCacheSize = 20000

// New returns a service with cfg's zero fields set to their defaults.
func New(cfg Config) *Service {
	s := &Service{
		store:    cfg.Store,
		loc:      cfg.Location,
		now:      cfg.Now,
		defaults: cfg.Defaults,
		log:      cfg.Logger,
		baseURL:  strings.TrimRight(cfg.BaseURL, "/"),
		tokenKey: cfg.TokenKey,
		keyword:  strings.ToLower(strings.TrimPrefix(strings.TrimSpace(cfg.AvailabilityKeyword), "#")),
	}
	if s.keyword == "" {
		s.keyword = DefaultAvailabilityKeyword
	}
	s.parseCache, _ = lru.New[string, *ical.Calendar](parseCacheSize) // errs only for a size <= 0
	s.calCache, _ = lru.New[int64, *cachedCalendar](calendarCacheSize)
	if s.loc == nil {
		loc, err := time.LoadLocation(DefaultLocation)
		if err != nil { // cannot happen with time/tzdata linked in
			loc = time.UTC
		}
		s.loc = loc
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.defaults == (booking.Rules{}) {
		s.defaults = booking.DefaultRules()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	n := cfg.MaxConcurrentBookings
	if n <= 0 {
		n = DefaultMaxConcurrentBookings
	}
	s.bookGate = make(chan struct{}, n)
	return s
}

// Location is the library's time zone.
func (s *Service) Location() *time.Location { return s.loc }

// Catalog lists the services and topics students choose from.
func (s *Service) Catalog(ctx context.Context) (booking.Catalog, error) {
	services, err := s.store.Services(ctx)
	if err != nil {
		return booking.Catalog{}, fmt.Errorf("scheduling: catalog: %w", err)
	}
	topics, err := s.store.Topics(ctx)
	if err != nil {
		return booking.Catalog{}, fmt.Errorf("scheduling: catalog: %w", err)
	}
	questions, err := s.store.IntakeQuestions(ctx)
	if err != nil {
		return booking.Catalog{}, fmt.Errorf("scheduling: catalog: %w", err)
	}
	return booking.Catalog{Services: services, Topics: topics, Questions: questions}, nil
}

// Rules returns the rules in force for a topic: the defaults under its
// service's overrides and its own.
func (s *Service) Rules(ctx context.Context, t booking.Topic) (booking.Rules, error) {
	services, err := s.store.Services(ctx)
	if err != nil {
		return booking.Rules{}, fmt.Errorf("scheduling: rules for %q: %w", t.Slug, err)
	}
	svc := booking.Service{Slug: t.ServiceSlug}
	for _, x := range services {
		if x.Slug == t.ServiceSlug {
			svc = x
			break
		}
	}
	r, err := booking.EffectiveRules(s.defaults, svc, t)
	if err != nil {
		return booking.Rules{}, fmt.Errorf("scheduling: %w", err)
	}
	return r, nil
}

// topicSet is the set of topic slugs, lower case, that a window's hashtags
// and categories are matched against: a tag that names no topic ("#viktig",
// CATEGORIES:Work as Apple Calendar sets it) does not narrow the window.
type topicSet map[string]bool

func (s *Service) knownTopics(ctx context.Context) (topicSet, error) {
	topics, err := s.store.Topics(ctx)
	if err != nil {
		return nil, fmt.Errorf("scheduling: topics: %w", err)
	}
	set := make(topicSet, len(topics))
	for _, t := range topics {
		set[strings.ToLower(t.Slug)] = true
	}
	return set, nil
}

// Slots returns the bookable slots for a student's search. A search that
// finds none is recorded as unmet demand (topic, date and filters only).
func (s *Service) Slots(ctx context.Context, ss booking.SlotSearch) ([]booking.Slot, error) {
	topic, err := s.store.TopicBySlug(ctx, strings.TrimSpace(ss.TopicSlug))
	if err != nil {
		return nil, fmt.Errorf("scheduling: slots for %q: %w", ss.TopicSlug, err)
	}
	rules, err := s.Rules(ctx, topic)
	if err != nil {
		return nil, err
	}
	q := booking.SlotQuery{
		Topic:    topic,
		Language: normLang(ss.Language),
		Mode:     ss.Mode,
		Campus:   strings.TrimSpace(ss.Campus),
		Now:      s.now(),
		From:     ss.From,
		To:       ss.To,
	}
	libs, err := s.store.LibrariansForTopic(ctx, topic.ID)
	if err != nil {
		return nil, fmt.Errorf("scheduling: slots for %q: %w", topic.Slug, err)
	}
	known, err := s.knownTopics(ctx)
	if err != nil {
		return nil, err
	}
	rg := s.rangeFor(rules, q.Now, q.From, q.To)
	scheds, _, err := s.schedules(ctx, libs, rg, s.rangeFor(rules, q.Now, time.Time{}, time.Time{}), known)
	if err != nil {
		return nil, fmt.Errorf("scheduling: slots for %q: %w", topic.Slug, err)
	}
	slots, err := booking.FindSlots(q, rules, s.loc, scheds)
	if err != nil {
		return nil, fmt.Errorf("scheduling: slots for %q: %w", topic.Slug, err)
	}
	if len(slots) == 0 && ss.RecordUnmet {
		s.recordUnmet(ctx, q, rules, libs, known)
	}
	describeSlots(q, s.loc, slots, libs, scheds)
	return slots, nil
}

// recordUnmet records q as unmet demand unless a search of the whole
// horizon, with the same filters but without q's From and To, finds a
// slot. Statistics must not fail a search: errors are logged.
func (s *Service) recordUnmet(ctx context.Context, q booking.SlotQuery, rules booking.Rules, libs []booking.Librarian, known topicSet) {
	if !q.From.IsZero() || !q.To.IsZero() {
		whole := q
		whole.From, whole.To = time.Time{}, time.Time{}
		rg := s.rangeFor(rules, whole.Now, time.Time{}, time.Time{})
		scheds, _, err := s.schedules(ctx, libs, rg, rg, known)
		if err != nil {
			s.log.Error("scheduling: unmet demand: read schedules", "topic", q.Topic.Slug, "err", err)
			return
		}
		slots, err := booking.FindSlots(whole, rules, s.loc, scheds)
		if err != nil {
			s.log.Error("scheduling: unmet demand: find slots", "topic", q.Topic.Slug, "err", err)
			return
		}
		if len(slots) > 0 {
			return
		}
	}
	if err := s.store.RecordDemand(ctx, booking.NewDemandRecord(q, s.loc)); err != nil {
		s.log.Error("scheduling: record unmet demand", "topic", q.Topic.Slug, "err", err)
	}
}

// normLang lower-cases a language code; "" stays "any".
func normLang(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
