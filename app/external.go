package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/external"
	"github.com/veileder/veileder/store"
)

// ExternalConfig configures the external calendars (package external).
type ExternalConfig struct {
	// Refresh is how often a feed without its own refresh hint is
	// fetched; zero means external.DefaultRefresh (15 minutes).
	Refresh time.Duration
	// AllowPrivate lets feeds live on private, loopback and link-local
	// addresses and plain http (tests, on-premises Exchange).
	AllowPrivate bool
	// Keyword is the availability keyword, without '#'; empty means
	// scheduling.DefaultAvailabilityKeyword ("veiledning").
	Keyword string
	// FlagAfter is how long a feed fails before it is flagged; zero means
	// external.DefaultFlagAfter.
	FlagAfter time.Duration
	// Tick is how often the refresh job looks for due calendars; zero
	// means external.DefaultTick.
	Tick time.Duration
}

// newExternal builds the refresh job and the bookings links. key is the
// service's secret key, which derives the links' tokens as it does the
// manage links.
func newExternal(cfg Config, st *store.Store, loc *time.Location, now func() time.Time, key []byte) (*external.Service, *external.Links, error) {
	log := cfg.Logger.With("component", "external")
	ext, err := external.New(external.Config{
		Store:        st,
		Location:     loc,
		Refresh:      cfg.External.Refresh,
		AllowPrivate: cfg.External.AllowPrivate,
		FlagAfter:    cfg.External.FlagAfter,
		Tick:         cfg.External.Tick,
		Holder:       jobHolder(),
		Now:          now,
		Logger:       log,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("app: %w", err)
	}
	links, err := external.NewLinks(external.LinksConfig{
		Store: st, Key: derive(key, "veileder bookings links"), BaseURL: cfg.BaseURL, Now: now, Logger: log,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("app: %w", err)
	}
	return ext, links, nil
}

// derive is a key of its own for one purpose, from the secret key, so
// that a bookings link token and a manage token are never the same MAC.
func derive(secret []byte, purpose string) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(purpose))
	return mac.Sum(nil)
}

// withBookingsLinks serves the bookings links before the web front.
func withBookingsLinks(links *external.Links, front http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, external.BookingsPath) {
			links.ServeHTTP(w, r)
			return
		}
		front.ServeHTTP(w, r)
	})
}

// externalFeeds gives /metrics the external calendars' counts.
type externalFeeds struct{ svc *external.Service }

func (f externalFeeds) ExternalFeedCounts(ctx context.Context) (map[string]int64, int64, error) {
	byState, flagged, err := f.svc.FeedCounts(ctx)
	out := make(map[string]int64, len(byState))
	for s, n := range byState {
		out[string(s)] = n
	}
	return out, flagged, err
}

// externalPages is the external calendars as the staff pages declare
// them (web.ExternalCalendars): the service, the store's preferences and
// the bookings links.
type externalPages struct {
	svc   *external.Service
	st    *store.Store
	links *external.Links
}

func (p externalPages) AddExternal(ctx context.Context, userID int64, rawURL, name string) (booking.ExternalCalendar, error) {
	return p.svc.Add(ctx, userID, rawURL, name)
}

func (p externalPages) RemoveExternal(ctx context.Context, userID, id int64) error {
	return p.svc.Remove(ctx, userID, id)
}

func (p externalPages) ExternalCalendars(ctx context.Context, userID int64) ([]booking.ExternalCalendar, error) {
	return p.svc.List(ctx, userID)
}

// RefreshExternal waits for the fetches; their outcomes are recorded with
// each calendar, which the page shows.
func (p externalPages) RefreshExternal(ctx context.Context, userID int64) error {
	_, err := p.svc.RefreshNow(ctx, userID)
	return err
}

func (p externalPages) ExternalPrefs(ctx context.Context, userID int64) (booking.ExternalPrefs, error) {
	return p.st.ExternalPrefs(ctx, userID)
}

func (p externalPages) SetExternalPrefs(ctx context.Context, userID int64, prefs booking.ExternalPrefs) error {
	return p.st.SetExternalPrefs(ctx, userID, prefs)
}

func (p externalPages) FlagAfter() time.Duration { return p.svc.FlagAfter() }

func (p externalPages) BookingsLink(ctx context.Context, userID int64) (string, error) {
	return p.links.Current(ctx, userID)
}

func (p externalPages) RenewBookingsLink(ctx context.Context, userID int64) (string, error) {
	return p.links.Renew(ctx, userID)
}

func (p externalPages) RevokeBookingsLink(ctx context.Context, userID int64) error {
	return p.links.Revoke(ctx, userID)
}
