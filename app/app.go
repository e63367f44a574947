// Package app wires Veileder together: the store, the CalDAV server and the
// web front, on one port. cmd/veileder reads the configuration and runs it;
// tests start the same wiring on a real socket.
package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the library's zone must resolve on hosts without tzdata

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/caldav"
	"github.com/veileder/veileder/external"
	"github.com/veileder/veileder/feeds"
	"github.com/veileder/veileder/notify"
	"github.com/veileder/veileder/ops"
	"github.com/veileder/veileder/scheduling"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/web"
)

// Config is the whole service's configuration.
type Config struct {
	// DatabaseURL is a postgres:// URL; empty means the embedded SQLite
	// file in DataDir.
	DatabaseURL string
	DataDir     string
	// BaseURL is the public address, used in links and shown to users.
	BaseURL  string
	TimeZone string
	Logger   *slog.Logger
	// CSRFKey signs the web forms' CSRF tokens; replicas behind one load
	// balancer need the same key. Empty: a random key per process.
	CSRFKey []byte
	// TrustedProxies are the load balancers whose X-Forwarded-For the web
	// front and the CalDAV server believe, for the per-address booking
	// limit and sign-in throttle.
	TrustedProxies []string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Mail configures the e-mails (app/mail.go).
	Mail MailConfig
	// SecretKey derives the manage links that e-mails carry; replicas
	// need the same. Empty: a random key made once and kept in the
	// database.
	SecretKey []byte
	// RequestResponseDays is the response target of a request in working
	// days; zero means booking.DefaultResponseDays (2). It is a flag, not
	// an admin setting: a service-level promise that changes with the
	// library's policy, not from day to day, and each request keeps the
	// target it was filed with (its due time), so a change never rewrites
	// the history the competence page counts.
	RequestResponseDays int
	// Retention is how long after the meeting a booking keeps the
	// student's personal data; zero means DefaultRetention (90 days).
	Retention time.Duration
	// JobInterval is how often RunJobs runs the periodic jobs; zero means
	// DefaultJobInterval.
	JobInterval time.Duration
	// PrivacyController and PrivacyContact are the data controller and
	// the address for privacy questions that the privacy page names.
	PrivacyController, PrivacyContact string
	// BookingLimit and EmailLimit are the booking attempts an hour per
	// client address and per student e-mail address (web.Config); zero
	// means the web front's defaults.
	BookingLimit, EmailLimit int
	// BodyDeadline is the time a request body may take to arrive, before
	// the allowance for its size (app/server.go); zero means
	// DefaultBodyDeadline.
	BodyDeadline time.Duration
	// SyncLogRetention is how long the calendars' change log keeps an
	// entry; zero means DefaultSyncLogRetention (90 days).
	SyncLogRetention time.Duration
	// External configures the external calendars (app/external.go).
	External ExternalConfig
	// Waitlist configures the waitlist (app/waitlist.go).
	Waitlist WaitlistConfig
	// SignIn configures sign-in with an OpenID Connect provider
	// (app/signin.go); empty means none.
	SignIn SignInConfig
	// Store, when set, is used as the store configuration as it is
	// (tests use it for a private PostgreSQL schema and a cheap password
	// hash); DatabaseURL and DataDir are then ignored.
	Store *store.Config
}

func (c Config) storeConfig() store.Config {
	if c.Store != nil {
		return *c.Store
	}
	return store.Config{DatabaseURL: c.DatabaseURL, DataDir: c.DataDir, Logger: c.Logger}
}

// App is a running Veileder: its store and its HTTP handler.
type App struct {
	Store      *store.Store
	Handler    http.Handler
	CalDAV     *caldav.Handler
	Scheduling *scheduling.Service
	Location   *time.Location
	// Mailer sends the outbox's e-mails and Reminders queues reminders,
	// once Start runs them (app/mail.go).
	Mailer    *notify.Sender
	Reminders *notify.ReminderJob
	// FollowUps queues the e-mails after each meeting; nil when
	// MailConfig.NoFollowUp turns them off.
	FollowUps *notify.FollowUpJob
	// Privacy runs the retention job and the GDPR requests
	// (app/staff.go); Metrics is served at /metrics.
	Privacy *scheduling.Privacy
	Metrics *ops.Metrics
	// Waitlist offers freed times to the students waiting, once Start
	// runs its job (app/waitlist.go).
	Waitlist *scheduling.Waitlist
	// External refreshes the external calendars once Start runs it;
	// Links serves the private bookings links (app/external.go).
	External *external.Service
	Links    *external.Links
	cfg      Config

	bgMu   sync.Mutex
	bgStop context.CancelFunc
	bg     sync.WaitGroup
}

// New opens the store (applying migrations) and builds the handler.
func New(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.TimeZone == "" {
		cfg.TimeZone = "Europe/Oslo"
	}
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("app: time zone %q: %w", cfg.TimeZone, err)
	}
	st, err := store.OpenWith(ctx, cfg.storeConfig())
	if err != nil {
		return nil, fmt.Errorf("app: open store: %w", err)
	}
	davClient, err := clientAddr(cfg.TrustedProxies)
	if err != nil {
		st.Close()
		return nil, err
	}
	dav := caldav.NewHandler(caldav.Config{
		Store:      st,
		Prefix:     "/dav",
		Location:   loc,
		Logger:     cfg.Logger.With("component", "caldav"),
		ClientAddr: davClient,
	})
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	key, err := tokenKey(ctx, cfg, st)
	if err != nil {
		st.Close()
		return nil, err
	}
	// The sync epoch exists from the first start, so that a backup holds
	// the one its tokens were made with (store/epoch.go).
	if _, err := st.SyncEpoch(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("app: %w", err)
	}
	svc := scheduling.New(scheduling.Config{
		TokenKey:              key,
		Store:                 schedulingStore{st},
		Location:              loc,
		Now:                   now,
		Logger:                cfg.Logger.With("component", "scheduling"),
		BaseURL:               cfg.BaseURL,
		MaxConcurrentBookings: maxConcurrentBookings(st),
		AvailabilityKeyword:   cfg.External.Keyword,
	})
	metrics := ops.New(st, cfg.Logger.With("component", "metrics"))
	ext, links, err := newExternal(cfg, st, loc, now, key)
	if err != nil {
		st.Close()
		return nil, err
	}
	metrics.WatchExternal(externalFeeds{ext}, cfg.Logger.With("component", "metrics"))
	mailer, reminders, err := newMail(cfg, st, svc, now, metrics.Registerer())
	if err != nil {
		st.Close()
		return nil, err
	}
	followUps, err := newFollowUps(cfg, st, now)
	if err != nil {
		st.Close()
		return nil, err
	}
	dropin, err := feeds.New(feeds.Config{
		Store: st, Location: loc, BaseURL: cfg.BaseURL, Now: now,
		Logger: cfg.Logger.With("component", "feeds"),
	})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("app: feeds: %w", err)
	}
	// A librarian deleting, cancelling or moving a booking's event in their
	// calendar app changes the booking in the same transaction; a session
	// leaving the drop-in calendar leaves a tombstone for the feeds in it.
	st.SetObjectHook(func(ctx context.Context, tx *store.Tx, c booking.Calendar, before, after *booking.CalendarObject) error {
		if c.Kind == booking.KindDropIn {
			return dropin.OnObject(ctx, tx, c, before, after)
		}
		return svc.OnBookingEvent(ctx, tx, c, before, after)
	})
	privacy := svc.Privacy(st)
	requests := svc.Requests(st, cfg.RequestResponseDays)
	waitlist := svc.Waitlist(st, scheduling.WaitlistConfig{Hold: cfg.Waitlist.Hold, MaxWait: cfg.Waitlist.MaxWait})
	signIn, err := newSignIn(cfg, st, svc, now)
	if err != nil {
		st.Close()
		return nil, err
	}
	front, err := web.New(web.Config{
		BaseURL:        cfg.BaseURL,
		Logger:         cfg.Logger.With("component", "web"),
		Booker:         svc,
		Location:       loc,
		Now:            now,
		SecureCookies:  strings.HasPrefix(cfg.BaseURL, "https://"),
		CSRFKey:        csrfKey(cfg.CSRFKey, key),
		TrustedProxies: cfg.TrustedProxies,
		BookingLimit:   cfg.BookingLimit,
		EmailLimit:     cfg.EmailLimit,
		Privacy:        web.PrivacyNotice{Controller: cfg.PrivacyController, Contact: cfg.PrivacyContact, Retention: cfg.Retention},
		FollowUp:       svc,
		Staff: web.StaffConfig{
			Store:      st,
			Service:    svc,
			Privacy:    privacy,
			CalDAVPath: dav.Prefix(),
			Outbox:     st,
			DropInTags: dropin,
			External:   externalPages{svc: ext, st: st, links: links},
			Hours:      svc,
			Questions:  st,
			DeviceKey:  derivedKey(key, "veileder device cookie"),
			Desk:       st,
			DeskSlots:  svc,
			Competence: st,
			Tokens:     st,
			// Requests (staff_requests.go, request.go); offered hours on
			// the competence page.
			Requests:     requests,
			RequestStore: st,
			Offered:      svc,
		},
		Ready:    st.Ping,
		Metrics:  metrics.Handler(),
		Observe:  metrics.ObserveHTTP,
		DropIn:   dropin,
		Waitlist: waitlist,
		SignIn:   signIn,
	})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("app: web: %w", err)
	}
	a := &App{Store: st, CalDAV: dav, Scheduling: svc, Location: loc, Mailer: mailer, Reminders: reminders, FollowUps: followUps,
		Privacy: privacy, Metrics: metrics, External: ext, Links: links, Waitlist: waitlist, cfg: cfg}
	a.Handler = secureHeaders(cfg.BaseURL, bodyDeadline(cfg.BodyDeadline, route(dav.Prefix(), metrics.CalDAV(dav), withBookingsLinks(links, front))))
	return a, nil
}

// maxConcurrentBookings is how many bookings the service runs at once.
// SQLite has one writer: more bookings in flight only wait in its busy
// handler. On PostgreSQL a booking's transaction holds one pooled
// connection, and half the pool leaves the other half to the reads of
// searches and pages meanwhile.
func maxConcurrentBookings(st *store.Store) int {
	if st.Dialect() == store.SQLite {
		return 2
	}
	return max(1, st.PoolSize()/2)
}

// schedulingStore is the store as the scheduling service declares it: the
// store's own methods, and its transactions handed to the service as
// scheduling.Tx. Store.Tx names the store's own transaction type, so that
// package store imports nothing of the service's; this is the one place
// the two meet.
type schedulingStore struct{ *store.Store }

var _ scheduling.Store = schedulingStore{}

func (s schedulingStore) Tx(ctx context.Context, lockLibrarianID int64, fn func(ctx context.Context, tx scheduling.Tx) error) error {
	return s.Store.Tx(ctx, lockLibrarianID, func(ctx context.Context, tx *store.Tx) error { return fn(ctx, tx) })
}

// TryTx runs fn in one of the store's transactions unless the librarian is
// locked.
func (s schedulingStore) TryTx(ctx context.Context, lockLibrarianID int64, fn func(ctx context.Context, tx scheduling.Tx) error) (bool, error) {
	return s.Store.TryTx(ctx, lockLibrarianID, func(ctx context.Context, tx *store.Tx) error { return fn(ctx, tx) })
}

// Close stops the background work Start began, then releases the store.
func (a *App) Close() error {
	a.stopBackground()
	return a.Store.Close()
}

// davMethods are the WebDAV methods a browser never sends; on the site's
// root they come from a calendar app looking for the server (Apple
// Calendar and DAVx5 PROPFIND "/" before trying .well-known).
var davMethods = map[string]bool{"PROPFIND": true, "PROPPATCH": true, "REPORT": true, "MKCALENDAR": true, "MKCOL": true}

// route sends the CalDAV tree and .well-known/caldav to the CalDAV server
// and everything else to the web front.
func route(prefix string, dav, front http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case p == prefix || strings.HasPrefix(p, prefix+"/"),
			strings.HasPrefix(p, "/.well-known/caldav"):
			dav.ServeHTTP(w, r)
		case (p == "/" || p == "") && davMethods[r.Method]:
			// Answer as the CalDAV root would, so that discovery from the
			// bare host name works.
			r2 := r.Clone(r.Context())
			r2.URL.Path, r2.URL.RawPath = prefix+"/", ""
			dav.ServeHTTP(w, r2)
		default:
			front.ServeHTTP(w, r)
		}
	})
}

// csrfKey is the configured CSRF key or, when none is, one derived from the
// secret key that every replica shares (kept in the database), so that a
// form served by one replica is accepted by another behind the same load
// balancer.
func csrfKey(configured, secret []byte) []byte {
	if len(configured) > 0 {
		return configured
	}
	return derivedKey(secret, "veileder csrf")
}

// derivedKey is a key for one purpose, derived from the secret key that
// every replica shares.
func derivedKey(secret []byte, purpose string) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(purpose))
	return mac.Sum(nil)
}

// clientAddr tells the CalDAV server the client's address, for its share
// of the sign-in throttle, as the web front's gin.Context.ClientIP does:
// the peer, or when the peer is one of the trusted proxies the nearest
// address in X-Forwarded-For that is not.
func clientAddr(trusted []string) (func(*http.Request) string, error) {
	var proxies []netip.Prefix
	for _, t := range trusted {
		p, err := netip.ParsePrefix(t)
		if err != nil {
			a, aerr := netip.ParseAddr(t)
			if aerr != nil {
				return nil, fmt.Errorf("app: trusted proxy %q: want an address or a CIDR", t)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		proxies = append(proxies, p)
	}
	isProxy := func(s string) bool {
		a, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil {
			return false
		}
		for _, p := range proxies {
			if p.Contains(a.Unmap()) || p.Contains(a) {
				return true
			}
		}
		return false
	}
	return func(r *http.Request) string {
		peer, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			peer = r.RemoteAddr
		}
		if !isProxy(peer) {
			return peer
		}
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop := strings.TrimSpace(hops[i])
			if _, err := netip.ParseAddr(hop); err != nil {
				break
			}
			if !isProxy(hop) || i == 0 {
				return hop
			}
		}
		return peer
	}, nil
}
