package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
)

// How the web front fails. A handler is a func(*gin.Context) error; handle
// turns it into a gin.HandlerFunc and answers the error it returns in the
// one place below: an error page for the pages, the JSON shape of API.md
// under /api. What the client may see (a status, the error page's message,
// an API code and field) is kept apart from what is logged (the error's
// text, manage token cut out), as Tailscale's tsweb.HTTPError does.
//
// A form that fails validation is not an error here. Its handler renders
// the form again, with what was typed and a message tied to each field at
// fault, and returns nil: only the handler has the rest of the page (the
// slot, the topic list, the user being edited), so an error type carrying
// the field errors would still need the handler to draw the page around
// them. The same holds for a domain error that one field explains (a slug
// that is taken, a slot that is gone): the handler that knows the field
// checks for it before it returns the error.

// httpError is a failure as the client may see it, with the detail for
// the log.
type httpError struct {
	// status is the HTTP status.
	status int
	// code is the API's error code (API.md); empty means the status's.
	code string
	// field names the input to blame, for the API.
	field string
	// err is the detail, for the log only; nil means nothing to log.
	err error
}

func (e *httpError) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return http.StatusText(e.status)
}

func (e *httpError) Unwrap() error { return e.err }

// errStatus fails with status and nothing worth logging: a page that does
// not exist, a form whose CSRF token is stale.
func errStatus(status int) error { return &httpError{status: status} }

// errAPI fails an API request with one of API.md's codes; with a field,
// the message is the field's.
func errAPI(status int, code, field string) error {
	return &httpError{status: status, code: code, field: field}
}

// withToken marks err as possibly holding a manage token, which is cut
// out of its text before it is logged: the service's errors are not ours
// to trust with it. The token in the path is cut out in any case.
func withToken(err error, token string) error {
	if err == nil || token == "" {
		return err
	}
	return &tokenError{err: err, token: token}
}

type tokenError struct {
	err   error
	token string
}

func (e *tokenError) Error() string { return strings.ReplaceAll(e.err.Error(), e.token, "REDACTED") }
func (e *tokenError) Unwrap() error { return e.err }

// domainErrors maps booking's domain errors to what the client sees: the
// error page's status, and the API's status and code. Pages say 409 for
// bad input that reaches the service, since their own forms have checked
// every field by then: what is left is a change the booking's state
// refuses (cancelling a meeting that has begun).
var domainErrors = []struct {
	err     error
	page    int
	api     int
	apiCode string
}{
	{booking.ErrNotFound, http.StatusNotFound, http.StatusNotFound, "not_found"},
	{booking.ErrSlotTaken, http.StatusConflict, http.StatusConflict, "slot_taken"},
	{booking.ErrLimitReached, http.StatusConflict, http.StatusConflict, "limit_reached"},
	{booking.ErrConflict, http.StatusConflict, http.StatusConflict, "conflict"},
	{booking.ErrPreconditionFailed, http.StatusConflict, http.StatusConflict, "conflict"},
	{booking.ErrInvalid, http.StatusConflict, http.StatusUnprocessableEntity, "invalid"},
	// A service we depend on (the sign-in provider) is down; the sign-in
	// pages say so themselves, this is for anything else.
	{booking.ErrUnavailable, http.StatusServiceUnavailable, http.StatusServiceUnavailable, "unavailable"},
}

// statusCodes are the API's codes for the statuses handlers fail with by
// themselves (API.md, "Errors").
var statusCodes = map[int]string{
	http.StatusBadRequest:            "bad_request",
	http.StatusNotFound:              "not_found",
	http.StatusConflict:              "conflict",
	http.StatusRequestEntityTooLarge: "too_large",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusTooManyRequests:       "rate_limited",
	http.StatusInternalServerError:   "internal",
}

// answer is what the client is told of an error.
type answer struct {
	page        int    // the error page's status
	api         int    // the API's status
	code, field string // the API's code and field
	level       slog.Level
	log         bool
}

// pageKey is the key of the error page's message: "error.404" gives
// "error.404.title" and "error.404.text". The API's message key is
// "api."+code, or the field's message.
func (a answer) pageKey() string { return "error." + strconv.Itoa(a.page) }

// answerOf decides what the client is told of err: the one place where
// the web front maps errors.
func answerOf(err error) answer {
	var he *httpError
	if errors.As(err, &he) {
		code := he.code
		if code == "" {
			code = statusCodes[he.status]
		}
		level := slog.LevelInfo
		if he.status >= 500 {
			level = slog.LevelError
		}
		return answer{page: he.status, api: he.status, code: code, field: he.field, level: level, log: he.err != nil}
	}
	// A field the service refused: the API names it; a page has checked
	// its fields already, so this is the 409 of ErrInvalid.
	var fe *booking.FieldError
	if errors.As(err, &fe) {
		return answer{page: http.StatusConflict, api: http.StatusUnprocessableEntity, code: fe.Code, field: fe.Field, level: slog.LevelInfo, log: true}
	}
	for _, d := range domainErrors {
		if errors.Is(err, d.err) {
			// A thing that is not there is not worth a line in the log.
			return answer{page: d.page, api: d.api, code: d.apiCode, level: slog.LevelInfo, log: d.page != http.StatusNotFound}
		}
	}
	return answer{page: http.StatusInternalServerError, api: http.StatusInternalServerError, code: "internal", level: slog.LevelError, log: true}
}

// handle turns a handler that returns an error into a Gin handler. A
// middleware may be one too: it calls c.Next itself, and an error stops
// the chain.
func (s *Server) handle(h func(c *gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.fail(c, err)
			c.Abort()
		}
	}
}

// fail answers err, as an error page or, under /api, as API.md's JSON,
// and logs its detail with the manage token cut out.
func (s *Server) fail(c *gin.Context, err error) {
	a := answerOf(err)
	if a.log {
		msg := "request refused"
		if a.level >= slog.LevelError {
			msg = "request failed"
		}
		text := err.Error()
		if token := c.Param("token"); token != "" {
			text = strings.ReplaceAll(text, token, "REDACTED")
		}
		s.logger.Log(c.Request.Context(), a.level, msg, "path", redactPath(c.Request.URL.Path), "err", text)
	}
	if c.Writer.Written() {
		return // too late for an answer of its own; the log has it
	}
	if isAPI(c.Request.URL.Path) {
		lang := s.lang(c)
		msg := T(lang, "api."+a.code)
		if a.field != "" {
			msg = fieldMessage(lang, a.field, a.code)
		}
		c.JSON(a.api, apiErrorBody{apiError{Code: a.code, Message: msg, Field: a.field}})
		return
	}
	s.failPage(c, a.page, a.pageKey())
}

// isAPI tells the API's paths from the pages'.
func isAPI(path string) bool { return path == "/api" || strings.HasPrefix(path, "/api/") }

// errorPage is the page for a status the user cannot fix on the spot.
type errorPage struct {
	page
	// Key is the message's key: Key+".title" and Key+".text".
	Key string
}

// failPage renders the error page for status, with the message of key in
// the user's language. A page that cannot be rendered leaves a plain 500.
func (s *Server) failPage(c *gin.Context, status int, key string) {
	p := errorPage{page: s.newPage(c, nil), Key: key}
	if err := s.render(c, status, "error", p); err != nil {
		s.logger.Error("render", "template", "error", "path", redactPath(c.Request.URL.Path), "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("500 internal server error\n"))
	}
}

// feedReason is the error of an external calendar's address or feed that
// was refused (external.FeedError): the reason names an i18n text
// ("staff.external.error."+reason), arg the one value it shows.
type feedReason interface {
	error
	FeedReason() (reason, arg string)
}

// feedMessage says in lang why an external calendar was refused, when err
// is such a refusal.
func feedMessage(lang string, err error) (string, bool) {
	var fr feedReason
	if !errors.As(err, &fr) {
		return "", false
	}
	reason, arg := fr.FeedReason()
	if msg, ok := reasonText(lang, reason, arg); ok {
		return msg, true
	}
	return T(lang, "staff.external.error.unreachable"), true
}

// reasonText is the text in lang of a feed refusal's reason, if it has one.
func reasonText(lang, reason, arg string) (string, bool) { return i18n.FeedReason(lang, reason, arg) }
