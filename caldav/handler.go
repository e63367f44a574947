// Package caldav serves each staff user's calendars over CalDAV (RFC 4791)
// with WebDAV sync (RFC 6578), extended MKCOL (RFC 5689) and the
// calendarserver.org getctag property that Apple clients poll.
//
// go-webdav's server lacks MKCALENDAR, PROPPATCH, sync-collection,
// free-busy-query, conditional requests and most of the properties real
// clients ask for, and its PUT answers 201 for updates and re-encodes what
// the client sent. So this package owns the whole request cycle and uses
// go-webdav's types (conditional matches, precondition names) and go-ical
// for parsing; see the notes in README.md.
package caldav

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/veileder/veileder/booking"
)

// Config configures a Handler.
type Config struct {
	Store Store
	// Prefix is the path the CalDAV tree is mounted at, such as "/dav".
	Prefix string
	// Location evaluates floating times and all-day events.
	Location *time.Location
	// MaxResourceSize bounds a calendar object's size in bytes.
	MaxResourceSize int64
	// MaxInstances bounds the instances one object may expand to in a
	// REPORT (advertised as CALDAV:max-instances); zero means
	// DefaultMaxInstances.
	MaxInstances int
	// MaxReportBytes bounds the body of one REPORT answer; zero means
	// DefaultMaxReportBytes. An answer that would grow past it is cut and
	// says so (report.go, truncate).
	MaxReportBytes int64
	Logger         *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ClientAddr is the client's address, for throttling failed log-ins;
	// nil means the request's RemoteAddr (no proxy in front).
	ClientAddr func(*http.Request) string
}

// Handler is the CalDAV server.
type Handler struct {
	store   Store
	prefix  string
	loc     *time.Location
	maxSize int64
	// maxInstances and maxReportBytes bound REPORT answers (Config).
	maxInstances   int
	maxReportBytes int64
	logger         *slog.Logger
	now            func() time.Time
	hrefs          hrefs
	auth           *authCache

	clientAddr func(*http.Request) string
	epoch      epochCache
	// parseCache holds decoded objects by ETag for calendar-query's
	// filter (report.go).
	parseCache *lru.Cache[string, *ical.Calendar]
}

// DefaultMaxResourceSize is advertised as CALDAV:max-resource-size.
const DefaultMaxResourceSize = 1 << 20

// DefaultMaxInstances is advertised as CALDAV:max-instances (RFC 4791
// §5.2.8): ten years of a daily event, five of a weekday one.
const DefaultMaxInstances = 3660

// DefaultMaxReportBytes bounds one REPORT answer: a year of a busy
// calendar with its data is a few MiB.
const DefaultMaxReportBytes = 64 << 20

// maxShapedBytes bounds the calendar data one object expands to in one
// answer, whatever its instance count: each instance repeats the object's
// text, so a 50 KB object may give far fewer instances than a small one
// before the answer is cut.
const maxShapedBytes = 2 << 20

// maxXMLBody bounds request bodies of PROPFIND, REPORT and friends.
const maxXMLBody = 1 << 20

// NewHandler builds a Handler.
func NewHandler(cfg Config) *Handler {
	h := &Handler{
		store:          cfg.Store,
		prefix:         strings.TrimSuffix(cfg.Prefix, "/"),
		loc:            cfg.Location,
		maxSize:        cfg.MaxResourceSize,
		maxInstances:   cfg.MaxInstances,
		maxReportBytes: cfg.MaxReportBytes,
		logger:         cfg.Logger,
		now:            cfg.Now,

		clientAddr: cfg.ClientAddr,
	}
	h.parseCache, _ = lru.New[string, *ical.Calendar](parseCacheSize) // errs only for a size <= 0
	if h.loc == nil {
		h.loc = time.UTC
	}
	if h.maxSize <= 0 {
		h.maxSize = DefaultMaxResourceSize
	}
	if h.maxInstances <= 0 {
		h.maxInstances = DefaultMaxInstances
	}
	if h.maxReportBytes <= 0 {
		h.maxReportBytes = DefaultMaxReportBytes
	}
	if h.logger == nil {
		h.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.clientAddr == nil {
		h.clientAddr = remoteAddr
	}
	h.hrefs = hrefs{prefix: h.prefix}
	h.auth = newAuthCache(time.Minute, 10000, h.now)
	return h
}

// Prefix is where the tree is mounted.
func (h *Handler) Prefix() string { return h.prefix }

type ctxKey struct{}

// userFrom returns the authenticated user of a request.
func userFrom(ctx context.Context) booking.User {
	u, _ := ctx.Value(ctxKey{}).(booking.User)
	return u
}

// ServeHTTP implements http.Handler. It answers /.well-known/caldav too, so
// the caller may route that path here.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		// A bug must not take the server down nor leak a stack trace.
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.writeError(w, r, fmt.Errorf("panic serving %s %s: %v", r.Method, r.URL.Path, v))
		}
	}()
	// calendar-auto-schedule (RFC 6638 §2): the server schedules, so
	// Apple Calendar and Thunderbird send no invitations of their own.
	w.Header().Set("DAV", "1, 3, calendar-access, calendar-auto-schedule, extended-mkcol")

	if r.URL.Path == "/.well-known/caldav" || r.URL.Path == "/.well-known/caldav/" {
		// RFC 6764 §5. 301 rather than go-webdav's 308: iOS mishandles 308,
		// and python-requests turns PROPFIND into GET on 302/303.
		http.Redirect(w, r, h.hrefs.root(), http.StatusMovedPermanently)
		return
	}
	if r.Method == http.MethodOptions {
		h.serveOptions(w, r)
		return
	}

	user, err := h.authenticate(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, user))

	p, err := parsePath(h.prefix, r.URL.EscapedPath())
	if err != nil {
		h.writeError(w, r, &httpError{status: http.StatusNotFound, message: "no such resource", cause: err})
		return
	}
	// A collection's canonical URL ends in a slash; answer the slash-less
	// form as if the slash were there (clients differ, and go-webdav answers
	// an empty 207 here).
	if err := h.dispatch(w, r, p); err != nil {
		h.writeError(w, r, err)
	}
}

func (h *Handler) dispatch(w http.ResponseWriter, r *http.Request, p davPath) error {
	switch r.Method {
	case "PROPFIND":
		return h.servePropfind(w, r, p)
	case "PROPPATCH":
		return h.serveProppatch(w, r, p)
	case "REPORT":
		return h.serveReport(w, r, p)
	case "MKCALENDAR", "MKCOL":
		return h.serveMkcalendar(w, r, p)
	case http.MethodGet, http.MethodHead:
		return h.serveGet(w, r, p)
	case http.MethodPut:
		return h.servePut(w, r, p)
	case http.MethodDelete:
		return h.serveDelete(w, r, p)
	case http.MethodPost:
		if p.kind == kindOutbox {
			return h.serveOutboxPost(w, r, p)
		}
		w.Header().Set("Allow", allowFor(p.kind))
		return newError(http.StatusMethodNotAllowed, "method not supported here")
	case "COPY", "MOVE", "LOCK", "UNLOCK", "ACL", http.MethodPatch:
		w.Header().Set("Allow", allowFor(p.kind))
		return newError(http.StatusMethodNotAllowed, "method not supported here")
	}
	w.Header().Set("Allow", allowFor(p.kind))
	return newError(http.StatusNotImplemented, "unknown method")
}

func allowFor(k resourceKind) string {
	switch k {
	case kindObject:
		return "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT"
	case kindCalendar:
		return "OPTIONS, GET, HEAD, DELETE, PROPFIND, PROPPATCH, REPORT, MKCALENDAR, MKCOL"
	case kindHome:
		return "OPTIONS, PROPFIND, PROPPATCH, REPORT, MKCALENDAR, MKCOL"
	case kindInbox:
		return "OPTIONS, PROPFIND, REPORT"
	case kindInboxItem:
		return "OPTIONS, GET, HEAD, DELETE, PROPFIND"
	case kindOutbox:
		return "OPTIONS, PROPFIND, POST"
	}
	return "OPTIONS, PROPFIND, REPORT"
}

func (h *Handler) serveOptions(w http.ResponseWriter, r *http.Request) {
	p, err := parsePath(h.prefix, r.URL.EscapedPath())
	kind := kindRoot
	if err == nil {
		kind = p.kind
	}
	w.Header().Set("Allow", allowFor(kind))
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}
