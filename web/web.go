// Package web is Veileder's web front: the student pages and the JSON API,
// served with Gin on the same port as CalDAV. The pages are rendered on the
// server and work without JavaScript, in Norwegian Bokmål and English.
package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/style.css
var styleCSS []byte

// Booker is what the web front needs from the scheduling service.
type Booker interface {
	Catalog(ctx context.Context) (booking.Catalog, error)
	Slots(ctx context.Context, s booking.SlotSearch) ([]booking.Slot, error)
	// Book returns the booking and the plain manage token, which only the
	// student gets to know.
	Book(ctx context.Context, r booking.Request) (booking.View, string, error)
	Booking(ctx context.Context, token string) (booking.View, error)
	Cancel(ctx context.Context, token string) (booking.View, error)
	StudentICS(ctx context.Context, token string) ([]byte, error)
	// Move moves the booking of a manage token to another free time
	// (move.go).
	Move(ctx context.Context, token string, r booking.MoveRequest) (booking.View, error)
}

// Config configures the web front.
type Config struct {
	// BaseURL is the public address, without a final slash; it makes the
	// API's manage_url absolute. Empty means the request's own host.
	BaseURL string
	Logger  *slog.Logger
	Booker  Booker
	// FollowUp, when set, serves the pages the follow-up e-mails link to
	// (followup.go).
	FollowUp FollowUp
	// Location is the library's time zone, in which times are shown;
	// nil means Europe/Oslo.
	Location *time.Location
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// SecureCookies marks cookies Secure (and names the CSRF cookie with
	// the __Host- prefix); set it when the site is served over HTTPS.
	SecureCookies bool
	// CSRFKey signs the CSRF tokens. Nil means a random key, which only
	// works with a single replica: replicas behind one load balancer must
	// share the key, or a form served by one is refused by another.
	CSRFKey []byte
	// TrustedProxies are the addresses or CIDRs of the reverse proxies
	// whose X-Forwarded-For names the client, for the rate limit. Nil
	// trusts none, so that clients cannot pick their own address.
	TrustedProxies []string
	// BookingLimit booking attempts per client address per BookingWindow
	// are allowed; zero means DefaultBookingLimit an hour. A campus behind
	// one NAT (eduroam) is one address, so this is a ceiling against a
	// flood, not a limit on students: those are EmailLimit and the
	// domain's active bookings per e-mail. Only real attempts count (a form
	// with a typo does not). Each replica counts on its own, so the
	// effective limit grows with the number of replicas.
	BookingLimit  int
	BookingWindow time.Duration
	// EmailLimit booking attempts per student e-mail address per
	// EmailWindow are allowed; zero means DefaultEmailLimit an hour.
	EmailLimit  int
	EmailWindow time.Duration

	// Staff configures the staff and admin pages (staff.go); they are
	// served when Staff.Store and Staff.Service are set.
	Staff StaffConfig
	// SignIn configures sign-in with an OpenID Connect provider
	// (signin.go); nothing of it is served unless it is set.
	SignIn SignInConfig
	// Ready reports whether the service can serve (the database answers),
	// for /readyz; nil is always ready.
	Ready func(context.Context) error
	// Metrics, when set, is served at /metrics.
	Metrics http.Handler
	// Observe, when set, is told of every request: its route pattern,
	// method, status and duration (staff_ops.go).
	Observe func(route, method string, status int, d time.Duration)
	// DropIn serves the drop-in page, widget, session files and feeds
	// (dropin.go); nil answers them with 404.
	DropIn DropIn
	// Privacy is what the privacy notice says about who is responsible
	// and how long data is kept (privacy.go).
	Privacy PrivacyNotice
	// Waitlist, when set, serves the waitlist's pages and API, and the
	// topic page with no free time offers it (waitlist.go).
	Waitlist Waitlist
}

// Server holds the web front's dependencies; handlers are its methods.
type Server struct {
	cfg     Config
	logger  *slog.Logger
	booker  Booker
	loc     *time.Location
	now     func() time.Time
	pages   map[string]*template.Template
	engine  *gin.Engine
	csrfKey []byte
	// limiter counts booking attempts per client address, emailLimiter per
	// student e-mail address (Config.BookingLimit, EmailLimit).
	limiter      *rateLimiter
	emailLimiter *rateLimiter
	staff        staffDeps
}

// The default booking limits (Config.BookingLimit, EmailLimit), per hour.
const (
	DefaultBookingLimit = 600
	DefaultEmailLimit   = 10
)

// maxFormBytes bounds a form or JSON body: the longest question in
// percent-encoded four-byte characters fits well within it.
const maxFormBytes = 128 << 10

// New parses the embedded templates (a broken or missing one fails start)
// and sets up the routes.
func New(cfg Config) (*Server, error) {
	if cfg.Booker == nil {
		return nil, errors.New("web: no Booker configured")
	}
	pages, err := parsePages(templateFS)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, booker: cfg.Booker, pages: pages, logger: cfg.Logger, loc: cfg.Location, now: cfg.Now, csrfKey: cfg.CSRFKey}
	if s.logger == nil {
		s.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.loc == nil {
		if s.loc, err = time.LoadLocation("Europe/Oslo"); err != nil {
			return nil, fmt.Errorf("web: time zone: %w", err)
		}
	}
	if s.now == nil {
		s.now = time.Now
	}
	if len(s.csrfKey) == 0 {
		s.csrfKey = make([]byte, 32)
		if _, err := rand.Read(s.csrfKey); err != nil {
			return nil, fmt.Errorf("web: csrf key: %w", err)
		}
	}
	limit, window := cfg.BookingLimit, cfg.BookingWindow
	if limit <= 0 {
		limit = DefaultBookingLimit
	}
	if window <= 0 {
		window = time.Hour
	}
	s.limiter = newRateLimiter(limit, window)
	limit, window = cfg.EmailLimit, cfg.EmailWindow
	if limit <= 0 {
		limit = DefaultEmailLimit
	}
	if window <= 0 {
		window = time.Hour
	}
	s.emailLimiter = newRateLimiter(limit, window)
	if err := s.initStaff(); err != nil {
		return nil, err
	}

	gin.SetMode(gin.ReleaseMode)
	s.engine = gin.New()
	if err := s.engine.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("web: trusted proxies: %w", err)
	}
	s.engine.Use(s.logRequests, s.observe, s.recover, securityHeaders)
	s.routes()
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// parsePages parses the layout and partials once, then each page on a clone
// of them, so that every page fills the same "title" and "content" blocks.
func parsePages(fsys fs.FS) (map[string]*template.Template, error) {
	base, err := template.New("layout.html").ParseFS(fsys, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: list templates: %w", err)
	}
	pages := make(map[string]*template.Template)
	for _, file := range names {
		name := path.Base(file)
		if name == "layout.html" || name == "partials.html" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", name, err)
		}
		pages[strings.TrimSuffix(name, ".html")] = t
	}
	for _, want := range pageNames {
		if pages[want] == nil {
			return nil, fmt.Errorf("web: template %s.html is missing", want)
		}
	}
	return pages, nil
}

// pageNames are the templates the handlers render.
var pageNames = []string{"home", "topic", "book", "booking", "cancel", "privacy", "error", "dropin", "dropin_widget", "request", "request_offers", "signin_failed", "my_bookings"}

// render executes a page into a buffer first, so that a template error
// gives a clean error page instead of half a page.
func (s *Server) render(c *gin.Context, status int, name string, data any) error {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
	return nil
}

// securityHeaders sets the headers every response carries. The policy
// allows no script at all: the pages need none. Referrers are never sent,
// since manage pages carry the booking's token in their address.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Next()
}

// noStore keeps personal pages (a booking, its calendar file) out of
// shared caches and the browser's disk cache.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// limitBody bounds the request body of forms and API calls.
func limitBody(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxFormBytes)
	c.Next()
}

// logRequests logs each request with the manage token cut out of its path.
// The query string is left out: it is never needed to follow a request.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	level := slog.LevelInfo
	if c.Request.URL.Path == "/healthz" {
		level = slog.LevelDebug // probes every few seconds would drown the rest
	}
	s.logger.Log(c.Request.Context(), level, "request",
		"method", c.Request.Method,
		"path", redactPath(c.Request.URL.Path),
		"status", c.Writer.Status(),
		"bytes", c.Writer.Size(),
		"duration", time.Since(start),
	)
}

// recover turns a panic into a 500 page. Gin's own Recovery would log the
// whole request, token and cookies included.
func (s *Server) recover(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.logger.Error("panic", "path", redactPath(c.Request.URL.Path), "panic", fmt.Sprint(v))
			if !c.Writer.Written() {
				s.failPage(c, http.StatusInternalServerError, "error.500")
			}
			c.Abort()
		}
	}()
	c.Next()
}

// tokenPrefixes are the paths whose next segment is a manage token.
var tokenPrefixes = []string{"/booking/", "/api/bookings/", "/feedback/", "/attendance/"}

// redactPath replaces the manage token in a path, so that logs never hold
// the key to a student's booking.
func redactPath(p string) string {
	for _, prefix := range tokenPrefixes {
		if rest, ok := strings.CutPrefix(p, prefix); ok && rest != "" {
			_, tail, _ := strings.Cut(rest, "/")
			if tail != "" {
				tail = "/" + tail
			}
			return prefix + "REDACTED" + tail
		}
	}
	return p
}

// baseURL is the public address for absolute links.
func (s *Server) baseURL(c *gin.Context) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimSuffix(s.cfg.BaseURL, "/")
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}
