package caldav

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/recurrence"
)

// httpError is what the client is told: a status, an optional precondition
// element (RFC 4918 §16, RFC 4791 §1.3) and a short message. The cause goes
// to the log only, so that no SQL or internal detail reaches a client.
type httpError struct {
	status       int
	precondition xml.Name // zero for none
	message      string
	cause        error
}

func (e *httpError) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%d %s: %v", e.status, e.message, e.cause)
	}
	return fmt.Sprintf("%d %s", e.status, e.message)
}

func (e *httpError) Unwrap() error { return e.cause }

func newError(status int, message string) *httpError {
	return &httpError{status: status, message: message}
}

func preconditionError(status int, pre xml.Name, message string) *httpError {
	return &httpError{status: status, precondition: pre, message: message}
}

// asHTTPError maps any error to what the client sees. Domain errors map to
// their one status each; anything else is a 500 whose text stays in the log.
func asHTTPError(err error) *httpError {
	var he *httpError
	if errors.As(err, &he) {
		return he
	}
	var ie *recurrence.InvalidError
	if errors.As(err, &ie) {
		// RFC 4791 §5.3.2.1: a PUT of a body that is not a calendar
		// object resource the calendar takes.
		pre, status := cal("valid-calendar-data"), http.StatusForbidden
		switch {
		case errors.Is(ie, recurrence.ErrInvalidObject):
			pre = cal("valid-calendar-object-resource")
		case errors.Is(ie, recurrence.ErrUnsupportedComponent):
			pre = cal("supported-calendar-component")
		case errors.Is(ie, recurrence.ErrUnsupportedData):
			pre, status = cal("supported-calendar-data"), http.StatusUnsupportedMediaType
		}
		return &httpError{status: status, precondition: pre, message: ie.Reason, cause: err}
	}
	switch {
	case errors.Is(err, booking.ErrNotFound):
		return &httpError{status: http.StatusNotFound, message: "not found", cause: err}
	case errors.Is(err, booking.ErrPreconditionFailed):
		return &httpError{status: http.StatusPreconditionFailed, message: "precondition failed", cause: err}
	case errors.Is(err, booking.ErrSlotTaken):
		// A librarian dragged a booking onto another booking: two
		// confirmed bookings never overlap.
		return &httpError{status: http.StatusConflict, message: "this would overlap another booking", cause: err}
	case errors.Is(err, booking.ErrConflict):
		return &httpError{status: http.StatusConflict, message: "conflict", cause: err}
	case errors.Is(err, booking.ErrForbidden):
		return &httpError{status: http.StatusForbidden, message: "forbidden", cause: err}
	case errors.Is(err, booking.ErrUnauthenticated):
		return &httpError{status: http.StatusUnauthorized, message: "authentication required", cause: err}
	case errors.Is(err, booking.ErrInvalid):
		return &httpError{status: http.StatusBadRequest, message: "invalid request", cause: err}
	}
	return &httpError{status: http.StatusInternalServerError, message: "internal server error", cause: err}
}

func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	he := asHTTPError(err)
	level := slog.LevelInfo
	if he.status >= 500 {
		level = slog.LevelError
	}
	h.logger.Log(r.Context(), level, "caldav request failed",
		"method", r.Method, "path", r.URL.Path, "status", he.status, "err", err)
	if he.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="Veileder", charset="UTF-8"`)
	}
	if he.precondition.Local != "" {
		var b bytes.Buffer
		b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
		if err := xml.NewEncoder(&b).Encode(errorBody{precondition: he.precondition, description: he.message}); err != nil {
			h.logger.Error("caldav: encode error body", "err", err)
		}
		b.WriteString("\n")
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		w.WriteHeader(he.status)
		_, _ = w.Write(shortEmpty(b.Bytes()))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(he.status)
	_, _ = fmt.Fprintln(w, he.message)
}

// errorBody is DAV:error (RFC 4918 §16): the precondition or
// postcondition element, and a description for people.
type errorBody struct {
	precondition xml.Name
	description  string
}

// errorNamespaces are the prefixes an error body uses.
var errorNamespaces = rootNamespaces[:2]

func (b errorBody) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	root := xml.StartElement{Name: xml.Name{Local: "D:error"}, Attr: errorNamespaces}
	pre := startOf(b.precondition)
	for _, t := range []xml.Token{root, pre, pre.End()} {
		if err := e.EncodeToken(t); err != nil {
			return err
		}
	}
	if err := e.EncodeElement(b.description, xml.StartElement{Name: xml.Name{Local: "D:responsedescription"}}); err != nil {
		return err
	}
	return e.EncodeToken(root.End())
}
