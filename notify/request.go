package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"text/template"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
)

// The messages about requests (booking/request.go): the note to each
// librarian who opted in that a request in their competence was filed,
// and the student's e-mail with the times a librarian offered and the
// link to book one. Their text is in templates/request.*.txt.

// RequestStore is the part of Store these messages need.
type RequestStore interface {
	// MessageRequest returns the request with its topic, offers and the
	// librarian who took it; booking.ErrNotFound when it is gone.
	MessageRequest(ctx context.Context, id int64) (booking.RequestView, error)
	// MessageRecipient returns a user with their profile's languages.
	MessageRecipient(ctx context.Context, userID int64) (booking.User, []string, error)
}

var requestTemplates = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, lang := range i18n.Languages() {
		out[lang] = template.Must(template.New(lang).ParseFS(templateFS, "templates/request."+lang+".txt"))
		for _, name := range []string{"new.subject", "new", "offer.subject", "offer"} {
			if out[lang].Lookup(name) == nil {
				panic(fmt.Sprintf("notify: templates/request.%s.txt has no %q", lang, name))
			}
		}
	}
	return out
}()

// requestData is what the request templates see.
type requestData struct {
	Name, Topic, Need, Times, Language, Mode string
	StaffURL, BookURL                        string
	Due                                      string
	Librarian                                string
	Offers                                   []string
}

func (s *Sender) requestData(v booking.RequestView, lang string) requestData {
	d := requestData{Name: v.StudentName, Topic: v.Topic.Name(lang), Need: v.Need, Times: v.Times,
		Librarian: v.TakenName, StaffURL: fmt.Sprintf("%s/staff/requests/%d", s.baseURL, v.ID)}
	if v.Language != "" {
		d.Language = i18n.T(lang, "lang."+v.Language)
	}
	if v.Mode != booking.ModeAny {
		d.Mode = i18n.T(lang, "request.mode."+string(v.Mode))
	}
	due := v.DueAt.In(s.loc).AddDate(0, 0, -1) // the due day, whose end DueAt is
	d.Due = i18n.DateLong(lang, due)
	for _, o := range v.Offers {
		if o.Round != v.Round && v.State == booking.RequestOffered {
			// Earlier rounds' times are on the page too; the e-mail
			// names this round's.
			continue
		}
		t := o.Start.In(s.loc)
		line := i18n.DateLong(lang, t) + " " + t.Format("15:04") + "–" + o.End.In(s.loc).Format("15:04")
		if o.Online {
			line += " (" + i18n.T(lang, "request.mode.online") + ")"
		}
		d.Offers = append(d.Offers, line)
	}
	return d
}

// composeRequest renders the messages of this file; compose hands them
// over by kind.
func (s *Sender) composeRequest(ctx context.Context, m booking.Message) (*outgoing, string, error) {
	rs, ok := s.store.(RequestStore)
	if !ok || m.RequestID == 0 {
		return nil, "the request is gone", nil
	}
	v, err := rs.MessageRequest(ctx, m.RequestID)
	switch {
	case errors.Is(err, booking.ErrNotFound):
		return nil, "the request is gone", nil
	case err != nil:
		return nil, "", err
	case v.Anonymised:
		return nil, "the request was anonymised", nil
	}
	var (
		lang, toName, toAddr, tmpl string
	)
	switch m.Kind {
	case booking.MessageRequestNew:
		if v.State != booking.RequestOpen {
			return nil, "the request was taken or closed before the note went out", nil
		}
		u, langs, err := rs.MessageRecipient(ctx, m.UserID)
		switch {
		case errors.Is(err, booking.ErrNotFound):
			return nil, "the librarian is gone", nil
		case err != nil:
			return nil, "", err
		case u.Email == "" || u.Disabled:
			return nil, "the librarian has no e-mail address", nil
		}
		lang, toName, toAddr, tmpl = librarianLang(langs), u.Name(), u.Email, "new"
	case booking.MessageRequestOffer:
		if v.State != booking.RequestOffered || v.Round != m.Sequence {
			return nil, "the request changed since; the newer state has its own message or none", nil
		}
		lang, toName, toAddr, tmpl = v.Locale, v.StudentName, v.StudentEmail, "offer"
		if lang != "en" {
			lang = "nb"
		}
	default:
		return nil, "", permanentError{fmt.Errorf("unknown message kind %q", m.Kind)}
	}
	d := s.requestData(v, lang)
	if s.cfg.RequestURL != nil {
		d.BookURL = s.cfg.RequestURL(v.HelpRequest)
	}
	if tmpl == "offer" && d.BookURL == "" {
		// Without the link the e-mail would offer what cannot be taken.
		return nil, "", permanentError{errors.New("the request's link cannot be made (no token key)")}
	}
	t := requestTemplates[lang]
	var subject, text bytes.Buffer
	if err := t.ExecuteTemplate(&subject, tmpl+".subject", d); err != nil {
		return nil, "", permanentError{fmt.Errorf("render subject: %w", err)}
	}
	if err := t.ExecuteTemplate(&text, tmpl, d); err != nil {
		return nil, "", permanentError{fmt.Errorf("render text: %w", err)}
	}
	local := fmt.Sprintf("request-%d-%s-%d-%d", v.ID, m.Kind, m.UserID, m.Sequence)
	out, err := s.newMessage(local, toName, toAddr, lang, oneLine(subject.String()), text.String())
	if err != nil {
		return nil, "", err
	}
	if tmpl == "offer" && v.TakenMail != "" {
		if a, err := mail.ParseAddress(v.TakenMail); err == nil && a.Address == v.TakenMail {
			// A plain reply reaches the librarian who offered.
			out.msg.ReplyToMailAddress(&mail.Address{Name: oneLine(v.TakenName), Address: v.TakenMail})
		}
	}
	return out, "", nil
}
