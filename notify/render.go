package notify

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
	"github.com/veileder/veileder/recurrence"
)

//go:embed templates/*.txt templates/*.html
var templateFS embed.FS

// kinds are the messages there are templates for.
var kinds = []booking.MessageKind{
	booking.MessageConfirmation, booking.MessageReminder, booking.MessageMoved,
	booking.MessageCancelled, booking.MessageLibrarianNew,
	booking.MessageFollowUp, booking.MessageLibrarianFollowUp,
}

// toLibrarian are the kinds sent to the librarian rather than the
// student, in the librarian's language, with no calendar part.
func toLibrarian(k booking.MessageKind) bool {
	return k == booking.MessageLibrarianNew || k == booking.MessageLibrarianFollowUp
}

// withInvitation are the kinds that carry the meeting as an iTIP object.
func withInvitation(k booking.MessageKind) bool {
	return k != booking.MessageFollowUp && !toLibrarian(k)
}

// templates holds, per language, the subject and plain text of each kind
// (text/template) and its HTML (html/template, which escapes what the
// student typed).
type templates struct {
	text map[string]*template.Template
	html map[string]*htmltemplate.Template
}

// parseTemplates parses the embedded templates once and checks that every
// kind has its subject, text and HTML in every language, so that a missing
// one fails start rather than a send.
func parseTemplates() (*templates, error) {
	t := &templates{text: map[string]*template.Template{}, html: map[string]*htmltemplate.Template{}}
	for _, lang := range i18n.Languages() {
		tt, err := template.New(lang).ParseFS(templateFS, "templates/"+lang+".txt")
		if err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
		ht, err := htmltemplate.New(lang).ParseFS(templateFS, "templates/layout.html", "templates/"+lang+".html")
		if err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
		for _, k := range kinds {
			for _, name := range []string{string(k) + ".subject", string(k)} {
				if tt.Lookup(name) == nil {
					return nil, fmt.Errorf("templates: %s.txt has no %q", lang, name)
				}
			}
			if ht.Lookup(string(k)) == nil {
				return nil, fmt.Errorf("templates: %s.html has no %q", lang, k)
			}
		}
		for _, name := range itipTemplates {
			for _, n := range []string{name + ".subject", name} {
				if tt.Lookup(n) == nil {
					return nil, fmt.Errorf("templates: %s.txt has no %q", lang, n)
				}
			}
		}
		t.text[lang], t.html[lang] = tt, ht
	}
	return t, nil
}

// mailData is what the templates see: the booking as it is at send time,
// written out in the message's language and the library's time zone.
type mailData struct {
	Lang string
	Kind booking.MessageKind

	StudentName, StudentEmail string
	Question                  string
	Programme, StudyLevel     string
	Language                  string // the meeting language, written out
	// Answers are the answers to the library's own questions.
	Answers []mailAnswer

	Topic                    string
	Librarian, LibrarianMail string

	Start, End time.Time
	Date       string // "tirsdag 10. mars 2026", "Tuesday 10 March 2026"
	Time       string // "10.00–10.45", "10:00–10:45"
	Zone       string // "CET", "CEST"

	Online     bool
	Location   string
	MeetingURL string // the location, when it is a web address

	// CancelledBy is who cancelled: student, librarian, admin or system.
	CancelledBy string
	// AtDesk says that library staff booked for the student at the desk;
	// ForRequest that the booking answers the student's request (and
	// ByLibrarian that the librarian booked it for them).
	AtDesk      bool
	ForRequest  bool
	ByLibrarian bool

	ManageURL string // the student's manage page, "" when unknown
	// Ratings are the follow-up's one-click rating links, 1 to 5;
	// AttendanceURL the librarian's held / no-show page.
	Ratings       []ratingLink
	AttendanceURL string
	AnotherURL    string // the topic's page, to book another time
	BaseURL       string

	// For the invitation.
	UID          string
	Sequence     int
	Summary      string
	CalendarText string
}

// ratingLink is one rating of the follow-up e-mail and its link.
type ratingLink struct {
	N   int
	URL string
}

// mailAnswer is one intake question and its answer, in the message's
// language.
type mailAnswer struct{ Label, Value string }

// outgoing is a composed message.
type outgoing struct {
	msg  *gomail.Msg
	id   string // Message-ID without brackets
	name string // a file name for it
}

// permanentError marks a message that cannot be composed however often it
// is tried (a stored address that is not one).
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// compose renders message m from its booking as it is now. It returns a
// reason instead when the message is not to be sent: the booking is gone
// or anonymised, or a later change made the message moot (that change
// queued a message of its own).
func (s *Sender) compose(ctx context.Context, m booking.Message) (*outgoing, string, error) {
	switch m.Kind {
	case booking.MessageLibrarianInvite, booking.MessageLibrarianRelease, booking.MessageExternalFailing:
		return s.composeExternal(ctx, m) // external.go
	case booking.MessageITIP:
		return s.composeITIP(m) // itip.go
	case booking.MessageRequestNew, booking.MessageRequestOffer:
		return s.composeRequest(ctx, m) // request.go
	case booking.MessageWaitlistOffer:
		return s.composeWaitlistOffer(ctx, m) // waitlist.go
	}
	if m.BookingID == 0 {
		return nil, "the booking is gone", nil
	}
	v, err := s.store.MessageBooking(ctx, m.BookingID)
	if errors.Is(err, booking.ErrNotFound) {
		return nil, "the booking is gone", nil
	}
	if err != nil {
		return nil, "", err
	}
	if v.Anonymised {
		return nil, "the booking was anonymised", nil
	}
	now := s.now()
	b := v.Booking
	switch m.Kind {
	case booking.MessageConfirmation:
		if !b.Active() {
			return nil, "the booking was cancelled before its confirmation went out", nil
		}
	case booking.MessageReminder:
		switch {
		case !b.Active():
			return nil, "the booking was cancelled", nil
		case b.Sequence != m.Sequence:
			return nil, "the meeting was moved; the new time has its own reminder", nil
		case !b.Start.After(now):
			return nil, "the meeting has begun", nil
		}
	case booking.MessageMoved:
		switch {
		case !b.Active():
			return nil, "the booking was cancelled since", nil
		case b.Sequence > m.Sequence:
			return nil, "the meeting was moved again since", nil
		}
	case booking.MessageCancelled:
	case booking.MessageLibrarianNew:
		if !b.Active() {
			return nil, "the booking was cancelled before the librarian was told", nil
		}
		if v.LibrarianMail == "" {
			return nil, "the librarian has no e-mail address", nil
		}
	case booking.MessageFollowUp:
		switch {
		case !b.Active():
			return nil, "the booking was cancelled", nil
		case s.cfg.FeedbackURL == nil || s.cfg.FeedbackURL(b) == "":
			return nil, "there is no rating link without a token key", nil
		}
	case booking.MessageLibrarianFollowUp:
		switch {
		case !b.Active():
			return nil, "the booking was cancelled", nil
		case v.LibrarianMail == "":
			return nil, "the librarian has no e-mail address", nil
		case s.cfg.AttendanceURL == nil || s.cfg.AttendanceURL(b) == "":
			return nil, "there is no attendance link without a token key", nil
		}
	default:
		return nil, "", permanentError{fmt.Errorf("unknown message kind %q", m.Kind)}
	}

	lang := "nb"
	switch {
	case toLibrarian(m.Kind):
		lang = librarianLang(v.LibrarianLanguages)
	case b.Locale == "en":
		lang = "en"
	}
	d := s.data(v, m.Kind, lang)
	var subject, text, html bytes.Buffer
	if err := s.tmpl.text[lang].ExecuteTemplate(&subject, string(m.Kind)+".subject", d); err != nil {
		return nil, "", permanentError{fmt.Errorf("render subject: %w", err)}
	}
	if err := s.tmpl.text[lang].ExecuteTemplate(&text, string(m.Kind), d); err != nil {
		return nil, "", permanentError{fmt.Errorf("render text: %w", err)}
	}
	if err := s.tmpl.html[lang].ExecuteTemplate(&html, string(m.Kind), d); err != nil {
		return nil, "", permanentError{fmt.Errorf("render html: %w", err)}
	}

	// A stable Message-ID, so that a message sent again after a crash is
	// recognisable as the same message (RFC 5322 §3.6.4).
	local := fmt.Sprintf("booking-%d-%s-%d", m.BookingID, m.Kind, m.Sequence)
	out := &outgoing{msg: gomail.NewMsg(gomail.WithNoDefaultUserAgent()), id: local + "@" + s.host, name: local}
	msg := out.msg
	msg.FromMailAddress(s.from)
	toName, toAddr, replyName, replyAddr := b.StudentName, b.StudentEmail, v.LibrarianName, v.LibrarianMail
	if toLibrarian(m.Kind) {
		toName, toAddr, replyName, replyAddr = v.LibrarianName, v.LibrarianMail, b.StudentName, b.StudentEmail
	}
	if a, err := mail.ParseAddress(toAddr); err != nil || a.Address != toAddr {
		return nil, "", permanentError{fmt.Errorf("recipient is not an e-mail address")}
	}
	// net/mail quotes and encodes the names; go-mail's *Format methods
	// would drop a quote character from them.
	msg.AddToMailAddress(&mail.Address{Name: oneLine(toName), Address: toAddr})
	if a, err := mail.ParseAddress(replyAddr); err == nil && a.Address == replyAddr {
		// A reply reaches the person, not a mailbox nobody reads.
		msg.ReplyToMailAddress(&mail.Address{Name: oneLine(replyName), Address: replyAddr})
	}
	msg.Subject(oneLine(subject.String()))
	msg.SetMessageIDWithValue(out.id)
	msg.SetDateWithValue(now.In(s.loc))
	msg.SetUserAgent("Veileder")
	// RFC 3834: no vacation replies to these.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	if m.Kind != booking.MessageConfirmation && m.Kind != booking.MessageLibrarianNew {
		// Thread the messages about one booking under its confirmation.
		first := fmt.Sprintf("<booking-%d-%s-0@%s>", m.BookingID, booking.MessageConfirmation, s.host)
		msg.SetGenHeader(gomail.HeaderInReplyTo, first)
		msg.SetGenHeader(gomail.HeaderReferences, first)
	}
	msg.SetGenHeader(gomail.HeaderContentLang, lang)
	msg.SetBodyString(gomail.TypeTextPlain, text.String())
	msg.AddAlternativeString(gomail.TypeTextHTML, html.String())
	if withInvitation(m.Kind) {
		cal, method := invitation(d, s.from.Address, now)
		ct := gomail.ContentType("text/calendar; method=" + method)
		// RFC 6047 §2.4: the iTIP object as a text/calendar alternative
		// with the method, which mail programs offer to add to the
		// calendar; and as an attachment, for those that only show files.
		msg.AddAlternativeString(ct, string(cal))
		name := "invite.ics"
		if method == "CANCEL" {
			name = "cancel.ics"
		}
		if err := msg.AttachReader(name, bytes.NewReader(cal), gomail.WithFileContentType(ct)); err != nil {
			return nil, "", fmt.Errorf("attach invitation: %w", err)
		}
	}
	return out, "", nil
}

// data writes the booking out for the templates.
func (s *Sender) data(v booking.View, kind booking.MessageKind, lang string) mailData {
	b := v.Booking
	start, end := b.Start.In(s.loc), b.End.In(s.loc)
	d := mailData{
		Lang: lang, Kind: kind,
		StudentName: oneLine(b.StudentName), StudentEmail: b.StudentEmail,
		Question:  strings.TrimSpace(b.Question),
		Programme: oneLine(b.Programme), StudyLevel: oneLine(i18n.StudyLevel(lang, b.StudyLevel)),
		Language:  oneLine(i18n.LanguageName(lang, b.Language)),
		Topic:     v.Topic.Name(lang),
		Librarian: v.LibrarianName, LibrarianMail: v.LibrarianMail,
		Start: b.Start, End: b.End,
		Date:        i18n.DateLong(lang, start),
		Time:        i18n.Range(lang, start, end),
		Zone:        start.Format("MST"),
		Online:      b.Online,
		Location:    oneLine(b.Location),
		CancelledBy: string(b.CancelledBy),
		AtDesk:      b.BookedBy != 0 && b.BookedBy != b.LibrarianID,
		ForRequest:  b.RequestID != 0,
		ByLibrarian: b.BookedBy != 0 && b.BookedBy == b.LibrarianID,
		BaseURL:     s.baseURL,
		UID:         b.EventUID,
		Sequence:    b.Sequence,
	}
	for _, a := range b.Answers {
		v := a.Text(lang)
		if a.Kind != booking.QuestionLongText {
			v = oneLine(v)
		}
		d.Answers = append(d.Answers, mailAnswer{Label: oneLine(a.Label(lang)), Value: strings.TrimSpace(v)})
	}
	if b.Online && recurrence.IsWebURL(d.Location) {
		d.MeetingURL = d.Location
	}
	if s.cfg.ManageURL != nil {
		d.ManageURL = s.cfg.ManageURL(b)
	}
	if s.cfg.FeedbackURL != nil && kind == booking.MessageFollowUp {
		if u := s.cfg.FeedbackURL(b); u != "" {
			for n := booking.MinRating; n <= booking.MaxRating; n++ {
				d.Ratings = append(d.Ratings, ratingLink{N: n, URL: u + "?rating=" + strconv.Itoa(n)})
			}
		}
	}
	if s.cfg.AttendanceURL != nil && kind == booking.MessageLibrarianFollowUp {
		d.AttendanceURL = s.cfg.AttendanceURL(b)
	}
	if v.Topic.Slug != "" {
		d.AnotherURL = s.baseURL + "/topics/" + url.PathEscape(v.Topic.Slug)
	} else {
		d.AnotherURL = s.baseURL + "/"
	}
	d.Summary = i18n.T(lang, "event.summary", d.Topic, d.Librarian)
	var cal bytes.Buffer
	if err := s.tmpl.text[lang].ExecuteTemplate(&cal, "calendar", d); err == nil {
		d.CalendarText = strings.TrimSpace(cal.String())
	}
	return d
}

// librarianLang is the language of a librarian's own e-mails: Norwegian
// unless their profile's languages leave it out (a profile without
// languages is read as the default, which has it).
func librarianLang(langs []string) string {
	if len(langs) == 0 || slices.ContainsFunc(langs, func(l string) bool { return l == "nb" || l == "nn" || l == "no" }) {
		return "nb"
	}
	return "en"
}
