package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"text/template"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
	"github.com/veileder/veileder/recurrence"
)

// The messages for librarians with an external calendar (package
// external): their own iMIP invitation for each booking, move and
// cancellation, so that Outlook and Gmail put the booking into the
// calendar Veileder reads, and the daily e-mail while such a calendar
// fails. Their text is in templates/external.*.txt.

// ExternalStore is the part of Store these messages need.
type ExternalStore interface {
	// MessageExternalCalendar returns an external calendar with its
	// librarian and the languages of their profile; booking.ErrNotFound
	// when it was removed.
	MessageExternalCalendar(ctx context.Context, calendarID int64) (booking.ExternalCalendar, booking.User, []string, error)
	// MessageLibrarian returns a librarian with the languages of their
	// profile; booking.ErrNotFound when the account is gone.
	MessageLibrarian(ctx context.Context, id int64) (booking.User, []string, error)
}

var externalTemplates = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, lang := range i18n.Languages() {
		out[lang] = template.Must(template.New(lang).ParseFS(templateFS, "templates/external."+lang+".txt"))
		for _, name := range []string{"invite.subject", "invite", "invite.calendar", "release.subject", "release", "failing.subject", "failing"} {
			if out[lang].Lookup(name) == nil {
				panic(fmt.Sprintf("notify: templates/external.%s.txt has no %q", lang, name))
			}
		}
	}
	return out
}()

// inviteData is what the invitation's templates see.
type inviteData struct {
	mailData
	Cancelled, Moved bool
}

// composeExternal renders the messages of this file; compose hands them
// over by kind.
func (s *Sender) composeExternal(ctx context.Context, m booking.Message) (*outgoing, string, error) {
	switch m.Kind {
	case booking.MessageLibrarianInvite:
		return s.composeInvite(ctx, m)
	case booking.MessageLibrarianRelease:
		return s.composeRelease(ctx, m)
	case booking.MessageExternalFailing:
		return s.composeFailing(ctx, m)
	}
	return nil, "", permanentError{fmt.Errorf("unknown message kind %q", m.Kind)}
}

// composeInvite renders the librarian's iMIP invitation (RFC 6047) for
// the booking as it is now: METHOD:REQUEST while it stands (a higher
// SEQUENCE replaces the earlier one, RFC 5546 §2.1.4), METHOD:CANCEL once
// it is cancelled (§3.2.5). UID and SEQUENCE are those of the event in the
// librarian's bookings calendar, so that the copy in their own calendar
// is the same event; the external calendar's feed brings it back under
// that UID, and the store drops it there so that it never counts twice.
// The library's address is the ORGANIZER and the librarian the ATTENDEE:
// Veileder, not the librarian's mail program, owns the meeting.
func (s *Sender) composeInvite(ctx context.Context, m booking.Message) (*outgoing, string, error) {
	if m.BookingID == 0 {
		return nil, "the booking is gone", nil
	}
	v, err := s.store.MessageBooking(ctx, m.BookingID)
	switch {
	case errors.Is(err, booking.ErrNotFound):
		return nil, "the booking is gone", nil
	case err != nil:
		return nil, "", err
	case v.Anonymised:
		return nil, "the booking was anonymised", nil
	case v.LibrarianMail == "":
		return nil, "the librarian has no e-mail address", nil
	case v.Sequence > m.Sequence:
		return nil, "the booking changed again since; that change has its own invitation", nil
	}
	b := v.Booking
	lang := librarianLang(v.LibrarianLanguages)
	d := inviteData{mailData: s.data(v, m.Kind, lang), Cancelled: !b.Active(), Moved: b.Active() && m.Sequence > 0}
	t := externalTemplates[lang]
	var subject, text, calText bytes.Buffer
	if err := t.ExecuteTemplate(&subject, "invite.subject", d); err != nil {
		return nil, "", permanentError{fmt.Errorf("render subject: %w", err)}
	}
	if err := t.ExecuteTemplate(&text, "invite", d); err != nil {
		return nil, "", permanentError{fmt.Errorf("render text: %w", err)}
	}
	if err := t.ExecuteTemplate(&calText, "invite.calendar", d); err != nil {
		return nil, "", permanentError{fmt.Errorf("render calendar text: %w", err)}
	}
	d.CalendarText = strings.TrimSpace(calText.String())
	d.Summary = oneLine(subject.String())
	if d.Cancelled {
		d.Summary = strings.TrimSpace(strings.SplitN(d.Summary, ":", 2)[1])
	}

	local := fmt.Sprintf("booking-%d-%s-%d", m.BookingID, m.Kind, m.Sequence)
	out, err := s.newMessage(local, v.LibrarianName, v.LibrarianMail, lang, oneLine(subject.String()), text.String())
	if err != nil {
		return nil, "", err
	}
	if a, err := mail.ParseAddress(b.StudentEmail); err == nil && a.Address == b.StudentEmail {
		// A plain reply reaches the student; an iTIP reply goes to the
		// ORGANIZER, which ignores it.
		out.msg.ReplyToMailAddress(&mail.Address{Name: oneLine(b.StudentName), Address: b.StudentEmail})
	}
	cal, method := s.librarianInvitation(d, s.now())
	ct := gomail.ContentType("text/calendar; method=" + method)
	// As for the student's invitation: the inline alternative that mail
	// programs act on (RFC 6047 §2.4), and an attachment for those that
	// only show files.
	out.msg.AddAlternativeString(ct, string(cal))
	name := "invite.ics"
	if method == "CANCEL" {
		name = "cancel.ics"
	}
	if err := out.msg.AttachReader(name, bytes.NewReader(cal), gomail.WithFileContentType(ct)); err != nil {
		return nil, "", fmt.Errorf("attach invitation: %w", err)
	}
	return out, "", nil
}

// composeRelease renders the iMIP CANCEL that takes a booking out of the
// own calendar of the librarian it was with before it moved to another
// (m.UserID): the same UID, with the SEQUENCE of the move, so that
// it outranks the REQUEST they had (RFC 5546 §2.1.4). The text says the
// meeting went to a colleague and gives no new time, which is no longer
// theirs. Nothing is sent when the booking has come back to them, whose
// own invitation then replaces their copy.
func (s *Sender) composeRelease(ctx context.Context, m booking.Message) (*outgoing, string, error) {
	if m.BookingID == 0 || m.UserID == 0 {
		return nil, "the booking is gone", nil
	}
	v, err := s.store.MessageBooking(ctx, m.BookingID)
	switch {
	case errors.Is(err, booking.ErrNotFound):
		return nil, "the booking is gone", nil
	case err != nil:
		return nil, "", err
	case v.Anonymised:
		return nil, "the booking was anonymised", nil
	case v.LibrarianID == m.UserID:
		return nil, "the booking is with this librarian again; their invitation replaces the copy", nil
	}
	u, langs, err := s.store.MessageLibrarian(ctx, m.UserID)
	switch {
	case errors.Is(err, booking.ErrNotFound):
		return nil, "the librarian's account is gone", nil
	case err != nil:
		return nil, "", err
	case u.Email == "":
		return nil, "the librarian has no e-mail address", nil
	}
	lang := librarianLang(langs)
	d := inviteData{mailData: s.data(v, m.Kind, lang), Cancelled: true}
	d.Librarian, d.LibrarianMail, d.Sequence = u.Name(), u.Email, m.Sequence
	t := externalTemplates[lang]
	var subject, text bytes.Buffer
	if err := t.ExecuteTemplate(&subject, "release.subject", d); err != nil {
		return nil, "", permanentError{fmt.Errorf("render subject: %w", err)}
	}
	if err := t.ExecuteTemplate(&text, "release", d); err != nil {
		return nil, "", permanentError{fmt.Errorf("render text: %w", err)}
	}
	// The event's title is the subject without what happened to it.
	d.Summary = strings.TrimSpace(strings.SplitN(oneLine(subject.String()), ":", 2)[1])
	local := fmt.Sprintf("booking-%d-%s-%d", m.BookingID, m.Kind, m.Sequence)
	out, err := s.newMessage(local, d.Librarian, d.LibrarianMail, lang, oneLine(subject.String()), text.String())
	if err != nil {
		return nil, "", err
	}
	cal, method := s.librarianInvitation(d, s.now())
	ct := gomail.ContentType("text/calendar; method=" + method)
	out.msg.AddAlternativeString(ct, string(cal))
	if err := out.msg.AttachReader("cancel.ics", bytes.NewReader(cal), gomail.WithFileContentType(ct)); err != nil {
		return nil, "", fmt.Errorf("attach cancellation: %w", err)
	}
	return out, "", nil
}

// librarianInvitation is the iTIP object of composeInvite, made with
// golang-ical as the student's invitation is (ics.go).
func (s *Sender) librarianInvitation(d inviteData, now time.Time) (data []byte, method string) {
	orgName := s.from.Name
	if orgName == "" {
		orgName = "Veileder"
	}
	// The librarian offered the time: they have accepted, and no answer
	// is asked of them.
	return meeting{
		UID: d.UID, Sequence: d.Sequence, Start: d.Start, End: d.End,
		Summary: d.Summary, Location: d.Location, Description: d.CalendarText, Cancelled: d.Cancelled,
		OrganizerName: orgName, OrganizerAddr: recurrence.CalAddress(s.from.Address),
		AttendeeName: d.Librarian, AttendeeAddr: recurrence.CalAddress(d.LibrarianMail),
	}.invitation(now)
}

// failingData is what the failing-calendar e-mail's templates see.
type failingData struct {
	Librarian, Name, Host, Since, Error string
}

// composeFailing renders the day's e-mail about a failing external
// calendar, unless it works again or was removed meanwhile.
func (s *Sender) composeFailing(ctx context.Context, m booking.Message) (*outgoing, string, error) {
	if m.ExternalCalendarID == 0 {
		return nil, "the calendar is gone", nil
	}
	c, u, langs, err := s.store.MessageExternalCalendar(ctx, m.ExternalCalendarID)
	switch {
	case errors.Is(err, booking.ErrNotFound):
		return nil, "the calendar was removed", nil
	case err != nil:
		return nil, "", err
	case c.State != booking.ExternalFailing:
		return nil, "the calendar works again", nil
	case u.Email == "":
		return nil, "the librarian has no e-mail address", nil
	}
	lang := librarianLang(langs)
	name := strings.TrimSpace(u.DisplayName)
	if name == "" {
		name = u.Username
	}
	calName := c.Name
	if calName == "" {
		calName = c.URLHint
	}
	since := c.FailingSince.In(s.loc)
	reason := c.Error
	if text, ok := i18n.FeedReason(lang, c.Reason, c.ReasonArg); ok {
		reason = text
	}
	d := failingData{Librarian: name, Name: calName, Host: c.URLHint, Error: reason,
		Since: i18n.DateLong(lang, since) + " " + i18n.Clock(lang, since)}
	t := externalTemplates[lang]
	var subject, text bytes.Buffer
	if err := t.ExecuteTemplate(&subject, "failing.subject", d); err != nil {
		return nil, "", permanentError{fmt.Errorf("render subject: %w", err)}
	}
	if err := t.ExecuteTemplate(&text, "failing", d); err != nil {
		return nil, "", permanentError{fmt.Errorf("render text: %w", err)}
	}
	local := fmt.Sprintf("external-%d-%s-%d", c.ID, m.Kind, m.Sequence)
	out, err := s.newMessage(local, name, u.Email, lang, oneLine(subject.String()), text.String())
	if err != nil {
		return nil, "", err
	}
	return out, "", nil
}

// newMessage is a plain-text message to one person, with the headers
// every Veileder e-mail carries.
func (s *Sender) newMessage(local, toName, toAddr, lang, subject, text string) (*outgoing, error) {
	out := &outgoing{msg: gomail.NewMsg(gomail.WithNoDefaultUserAgent()), id: local + "@" + s.host, name: local}
	msg := out.msg
	msg.FromMailAddress(s.from)
	if a, err := mail.ParseAddress(toAddr); err != nil || a.Address != toAddr {
		return nil, permanentError{fmt.Errorf("recipient is not an e-mail address")}
	}
	msg.AddToMailAddress(&mail.Address{Name: oneLine(toName), Address: toAddr})
	msg.Subject(subject)
	msg.SetMessageIDWithValue(out.id)
	msg.SetDateWithValue(s.now().In(s.loc))
	msg.SetUserAgent("Veileder")
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetGenHeader(gomail.HeaderContentLang, lang)
	msg.SetBodyString(gomail.TypeTextPlain, text)
	return out, nil
}
