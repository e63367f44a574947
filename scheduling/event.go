package scheduling

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
	"github.com/veileder/veileder/recurrence"
)

// ProductID is the PRODID of what Veileder writes.
const ProductID = "-//Veileder//Booking//NB"

// eventInput is what the booking event in the librarian's calendar shows.
type eventInput struct {
	Booking        booking.Booking
	Topic          booking.Topic
	LibrarianName  string
	LibrarianEmail string
	Stamp          time.Time // DTSTAMP, CREATED, LAST-MODIFIED
}

// bookingEvent renders the booking's event for the librarian's bookings
// calendar with go-ical, the library CalDAV storage is read with (never
// golang-ical: see docs/ICALENDAR.md). Times are UTC, so that no VTIMEZONE is
// needed and no client can read them in another zone.
func bookingEvent(in eventInput) ([]byte, error) {
	b := in.Booking
	ev := ical.NewComponent(ical.CompEvent)
	ev.Props.SetText(ical.PropUID, b.EventUID)
	ev.Props.SetDateTime(ical.PropDateTimeStamp, in.Stamp.UTC().Truncate(time.Second))
	ev.Props.SetDateTime(ical.PropCreated, in.Stamp.UTC().Truncate(time.Second))
	ev.Props.SetDateTime(ical.PropLastModified, in.Stamp.UTC().Truncate(time.Second))
	ev.Props.SetDateTime(ical.PropDateTimeStart, b.Start.UTC())
	ev.Props.SetDateTime(ical.PropDateTimeEnd, b.End.UTC())
	seq := ical.NewProp(ical.PropSequence)
	seq.Value = strconv.Itoa(b.Sequence)
	ev.Props.Set(seq)
	ev.Props.SetText(ical.PropStatus, "CONFIRMED")
	ev.Props.SetText(ical.PropTransparency, "OPAQUE")
	ev.Props.SetText(ical.PropSummary, oneLine(i18n.T(i18n.NB, "event.summary.librarian", in.Topic.Name(i18n.NB), b.StudentName)))
	ev.Props.SetText(ical.PropDescription, librarianDescription(b))
	if loc := oneLine(b.Location); loc != "" {
		ev.Props.SetText(ical.PropLocation, loc)
	}
	if b.Online && recurrence.IsWebURL(b.Location) {
		u := ical.NewProp(ical.PropURL)
		u.SetValueType(ical.ValueURI)
		u.Value = strings.TrimSpace(b.Location)
		ev.Props.Set(u)
		// RFC 7986 §5.11: how to join, which calendar apps show as a
		// "join" button.
		// go-ical leaves out a VALUE it thinks the default, but RFC 7986
		// gives CONFERENCE none: VALUE=URI is required.
		conf := ical.NewProp(ical.PropConference)
		conf.Params.Set(ical.ParamValue, string(ical.ValueURI))
		conf.Params.Set(ical.ParamFeature, "VIDEO")
		conf.Value = u.Value
		ev.Props.Set(conf)
	}
	if addr := calAddress(in.LibrarianEmail); addr != "" {
		org := ical.NewProp(ical.PropOrganizer)
		org.Value = addr
		if cn := paramText(in.LibrarianName); cn != "" {
			org.Params.Set(ical.ParamCommonName, cn)
		}
		ev.Props.Set(org)
	}
	att := ical.NewProp(ical.PropAttendee)
	att.Value = calAddress(b.StudentEmail)
	if cn := paramText(b.StudentName); cn != "" {
		att.Params.Set(ical.ParamCommonName, cn)
	}
	att.Params.Set(ical.ParamRole, "REQ-PARTICIPANT")
	att.Params.Set(ical.ParamParticipationStatus, "ACCEPTED")
	att.Params.Set(ical.ParamRSVP, "FALSE")
	ev.Props.Set(att)
	cat := ical.NewProp(ical.PropCategories)
	cat.SetTextList([]string{in.Topic.Slug})
	ev.Props.Set(cat)

	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, ProductID)
	cal.Children = append(cal.Children, ev)
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, fmt.Errorf("encode booking event: %w", err)
	}
	return fold(buf.Bytes()), nil
}

// librarianDescription is the event's DESCRIPTION: what the librarian
// needs to prepare, in Norwegian like the rest of the staff side.
func librarianDescription(b booking.Booking) string {
	var sb strings.Builder
	line := func(key, value string) {
		if value = strings.TrimSpace(value); value != "" {
			fmt.Fprintf(&sb, "%s: %s\n", i18n.T(i18n.NB, key), value)
		}
	}
	if q := multiLine(b.Question); q != "" {
		sb.WriteString(i18n.T(i18n.NB, "event.question") + ":\n" + q + "\n\n")
	}
	line("event.programme", oneLine(b.Programme))
	line("event.level", oneLine(i18n.StudyLevel(i18n.NB, b.StudyLevel)))
	for _, a := range b.Answers {
		// The library's own questions, as the student was asked them; a
		// long answer keeps its lines under its question.
		if a.Kind == booking.QuestionLongText {
			if v := multiLine(a.Text(i18n.NB)); v != "" {
				sb.WriteString(oneLine(a.Label(i18n.NB)) + ":\n" + v + "\n")
			}
			continue
		}
		if v := oneLine(a.Text(i18n.NB)); v != "" {
			fmt.Fprintf(&sb, "%s: %s\n", oneLine(a.Label(i18n.NB)), v)
		}
	}
	line("event.language", oneLine(i18n.LanguageName(i18n.NB, b.Language)))
	if b.Online {
		line("event.online", oneLine(b.Location))
	} else {
		line("event.place", oneLine(b.Location))
	}
	line("event.student", oneLine(b.StudentName)+" <"+b.StudentEmail+">")
	sb.WriteString("\n" + i18n.T(i18n.NB, "event.booked"))
	return sb.String()
}

// oneLine, paramText, calAddress and fold are recurrence's RFC 5545 text
// helpers (OneLine, ParamText, CalAddress, Fold) under the short names this
// package's event builders use.
func oneLine(s string) string        { return recurrence.OneLine(s) }
func paramText(s string) string      { return recurrence.ParamText(s) }
func calAddress(email string) string { return recurrence.CalAddress(email) }
func fold(data []byte) []byte        { return recurrence.Fold(data) }

// multiLine keeps line breaks (as LF; go-ical escapes them as \n) and tabs,
// and drops every other control character, CR included: go-ical refuses a
// raw CR.
func multiLine(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r':
			return '\n'
		case unicode.IsControl(r) || r == utf8.RuneError:
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// newUID is a fresh event UID: 128 random bits, hex, "@veileder".
func newUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:]) + "@veileder"
}

// tokenBytes is the length of a manage token before encoding.
const tokenBytes = 32

// newToken is a fresh manage token: 32 random bytes, base64url without
// padding, and the SHA-256 hex that is stored in its place.
func newToken() (token, hash string) {
	var b [tokenBytes]byte
	_, _ = rand.Read(b[:])
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, tokenHash(token)
}

// newToken is the manage token of a booking whose event has uid: derived
// from uid under Config.TokenKey when there is one, so that the e-mails
// sent later can carry the link while only its hash is stored; random
// otherwise.
func (s *Service) newToken(uid string) (token, hash string) {
	if len(s.tokenKey) == 0 {
		return newToken()
	}
	token = derivedToken(s.tokenKey, uid)
	return token, tokenHash(token)
}

// derivedToken is HMAC-SHA256(key, uid): 32 bytes that nobody without the
// key can tell from random ones, base64url like a random token.
func derivedToken(key []byte, uid string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("veileder manage token\x00" + uid))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// ManageURL is the student's manage link for the booking, made again from
// Config.TokenKey, for the e-mails about it; "" when there is no key or
// the booking's token was not derived from it (a booking made before the
// key was set), so that no message carries a link that does not work.
func (s *Service) ManageURL(b booking.Booking) string {
	if len(s.tokenKey) == 0 || b.EventUID == "" || b.TokenHash == "" {
		return ""
	}
	token := derivedToken(s.tokenKey, b.EventUID)
	if !hmac.Equal([]byte(tokenHash(token)), []byte(b.TokenHash)) {
		return ""
	}
	return s.manageURL(token)
}

// tokenHash is the stored form of a manage token.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// validToken reports whether s can be a manage token at all, so that junk
// in a URL does not reach the database.
func validToken(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == tokenBytes
}
