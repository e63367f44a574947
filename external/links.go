package external

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/recurrence"
)

// The private, read-only ICS link to a librarian's bookings calendar, for
// calendar apps that can only subscribe (Outlook's "subscribe from web",
// Google's "from URL"). The token is the secret: whoever has the link
// reads the bookings, students' names included, so it is long, random,
// revocable, and never in a log.

// LinkStore is what the bookings links need from persistence.
type LinkStore interface {
	BookingsFeedNonce(ctx context.Context, userID int64) (string, error)
	SetBookingsFeedLink(ctx context.Context, userID int64, nonce, tokenHash string) error
	RevokeBookingsFeedLink(ctx context.Context, userID int64) error
	UserByBookingsFeedToken(ctx context.Context, tokenHash string) (int64, error)
	Calendars(ctx context.Context, userID int64) ([]booking.Calendar, error)
	ObjectsOverlapping(ctx context.Context, calendarID int64, component string, start, end time.Time) ([]booking.CalendarObject, error)
}

// BookingsPath is where the links are served: BookingsPath + token + ".ics".
const BookingsPath = "/ics/bookings/"

// bookingsPast is how far back the feed reaches: a subscribing app keeps
// what it has seen, and the feed need not carry years of meetings.
const bookingsPast = 90 * 24 * time.Hour

// LinksConfig configures Links.
type LinksConfig struct {
	Store LinkStore
	// Key derives the tokens from their nonces, so that a link can be
	// shown again; replicas need the same key.
	Key []byte
	// BaseURL is the public address, without a trailing slash.
	BaseURL string
	Now     func() time.Time
	Logger  *slog.Logger
}

// Links makes, shows, revokes and serves the bookings links.
type Links struct {
	cfg LinksConfig
}

// NewLinks returns the links over cfg.
func NewLinks(cfg LinksConfig) (*Links, error) {
	if cfg.Store == nil || len(cfg.Key) == 0 {
		return nil, errors.New("external: bookings links need a store and a key")
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Links{cfg: cfg}, nil
}

// token derives a link's token from its nonce: HMAC-SHA256 under the
// service's key, so that the database alone (a backup) does not give the
// links away, and the nonce can be replaced to revoke.
func (l *Links) token(nonce string) string {
	mac := hmac.New(sha256.New, l.cfg.Key)
	mac.Write([]byte("veileder bookings link\x00" + nonce))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (l *Links) url(token string) string { return l.cfg.BaseURL + BookingsPath + token + ".ics" }

// Current returns the user's link, or "" if they have none.
func (l *Links) Current(ctx context.Context, userID int64) (string, error) {
	nonce, err := l.cfg.Store.BookingsFeedNonce(ctx, userID)
	switch {
	case errors.Is(err, booking.ErrNotFound):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("external: bookings link: %w", err)
	}
	return l.url(l.token(nonce)), nil
}

// Link returns the user's link, making one if they have none.
func (l *Links) Link(ctx context.Context, userID int64) (string, error) {
	nonce, err := l.cfg.Store.BookingsFeedNonce(ctx, userID)
	if err == nil {
		return l.url(l.token(nonce)), nil
	}
	if !errors.Is(err, booking.ErrNotFound) {
		return "", fmt.Errorf("external: bookings link: %w", err)
	}
	return l.Renew(ctx, userID)
}

// Renew makes a new link for the user; the old one stops working.
func (l *Links) Renew(ctx context.Context, userID int64) (string, error) {
	nonce := rand.Text()
	tok := l.token(nonce)
	if err := l.cfg.Store.SetBookingsFeedLink(ctx, userID, nonce, tokenHash(tok)); err != nil {
		return "", fmt.Errorf("external: bookings link: %w", err)
	}
	return l.url(tok), nil
}

// Revoke removes the user's link.
func (l *Links) Revoke(ctx context.Context, userID int64) error {
	if err := l.cfg.Store.RevokeBookingsFeedLink(ctx, userID); err != nil {
		return fmt.Errorf("external: revoke bookings link: %w", err)
	}
	return nil
}

// ServeHTTP answers GET and HEAD of BookingsPath{token}.ics with the
// librarian's bookings calendar as one iCalendar file: the events as
// stored (with their VTIMEZONEs, once each), from bookingsPast ago on.
// An unknown or revoked token is 404, like any other unknown page. The
// answer carries an ETag of its bytes, so that a polling app gets 304.
func (l *Links) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	tok, ok := strings.CutPrefix(r.URL.Path, BookingsPath)
	tok, ok2 := strings.CutSuffix(tok, ".ics")
	if !ok || !ok2 || len(tok) != 43 || strings.ContainsAny(tok, "/.") {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	userID, err := l.cfg.Store.UserByBookingsFeedToken(ctx, tokenHash(tok))
	if errors.Is(err, booking.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		l.cfg.Logger.Error("external: bookings link", "err", err)
		http.Error(w, "the calendar cannot be read now", http.StatusServiceUnavailable)
		return
	}
	data, err := l.feed(ctx, userID)
	if err != nil {
		l.cfg.Logger.Error("external: bookings feed", "user", userID, "err", err)
		http.Error(w, "the calendar cannot be read now", http.StatusServiceUnavailable)
		return
	}
	sum := sha256.Sum256(data)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	// Private: the feed holds students' names; no shared cache may keep
	// it, and no page it is linked from may leak the token.
	h.Set("Cache-Control", "private, max-age=300")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	w.Write(data)
}

// feed joins the librarian's bookings calendar into one VCALENDAR.
func (l *Links) feed(ctx context.Context, userID int64) ([]byte, error) {
	cals, err := l.cfg.Store.Calendars(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := ical.NewCalendar()
	out.Props.SetText(ical.PropVersion, "2.0")
	out.Props.SetText(ical.PropProductID, "-//Veileder//Bookings//NB")
	out.Props.SetText("X-WR-CALNAME", "Veileder")
	out.Props.SetText("X-PUBLISHED-TTL", "PT15M")
	out.Props.SetText("REFRESH-INTERVAL", "PT15M")
	out.Props.Get("REFRESH-INTERVAL").Params.Set(ical.ParamValue, "DURATION")
	zones := map[string]bool{}
	for _, cal := range cals {
		if cal.OwnerID != userID || cal.Kind != booking.KindBookings {
			continue
		}
		objs, err := l.cfg.Store.ObjectsOverlapping(ctx, cal.ID, ical.CompEvent, l.cfg.Now().Add(-bookingsPast), time.Time{})
		if err != nil {
			return nil, err
		}
		for _, obj := range objs {
			c, err := recurrence.ParseCalendar(obj.Data)
			if err != nil {
				continue // validated when stored; one bad object must not hide the rest
			}
			for _, child := range c.Children {
				switch child.Name {
				case ical.CompTimezone:
					id := child.Props.Get(ical.PropTimezoneID)
					if id == nil || zones[id.Value] {
						continue
					}
					zones[id.Value] = true
					out.Children = append(out.Children, child)
				case ical.CompEvent:
					out.Children = append(out.Children, child)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
