package calquery

import (
	"errors"
	"fmt"
)

// Sentinel errors of request parsing. Every parse error satisfies
// errors.Is(err, ErrBadRequest); the narrower ones name the CalDAV
// precondition (RFC 4791 §1.3, §7.8, §7.9) the handler should report, so it
// checks them first:
//
//	ErrUnsupportedCollation     403 <C:supported-collation/>      RFC 4791 §7.8, example §7.8.10
//	ErrInvalidFilter            403 <C:valid-filter/>             RFC 4791 §7.8
//	ErrUnsupportedCalendarData  403 <C:supported-calendar-data/>  RFC 4791 §7.8
//	ErrInvalidCalendarData      403 <C:valid-calendar-data/>      RFC 4791 §7.8 (a bad CALDAV:timezone)
//	ErrBadRequest               400
var (
	ErrBadRequest              = errors.New("bad request")
	ErrUnsupportedCollation    = errors.New("unsupported collation")
	ErrInvalidFilter           = errors.New("invalid filter")
	ErrUnsupportedCalendarData = errors.New("unsupported calendar data")
	// ErrInstanceLimit: an expand asked for more instances than the
	// options allow (MaxInstances or MaxDuration); the shaped object would
	// be incomplete, so there is none.
	ErrInstanceLimit       = errors.New("calquery: expansion over the instance limit")
	ErrInvalidCalendarData = errors.New("invalid calendar data")
)

// parseError carries a message and one or two sentinels.
type parseError struct {
	kinds []error
	msg   string
}

func (e *parseError) Error() string {
	return "calquery: " + e.msg
}

func (e *parseError) Unwrap() []error { return e.kinds }

// badRequest returns an error that wraps ErrBadRequest and, when kind is not
// nil, kind too.
func badRequest(kind error, format string, args ...any) error {
	kinds := []error{ErrBadRequest}
	if kind != nil {
		kinds = []error{kind, ErrBadRequest}
	}
	return &parseError{kinds: kinds, msg: fmt.Sprintf(format, args...)}
}

func invalidFilter(format string, args ...any) error {
	return badRequest(ErrInvalidFilter, format, args...)
}
