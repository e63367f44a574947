package notify

import (
	"bytes"
	"fmt"
	"net/mail"
	"strings"

	"github.com/emersion/go-ical"
	gomail "github.com/wneessen/go-mail"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
	"github.com/veileder/veileder/recurrence"
)

// itipTemplates are the text templates of MessageITIP, by iTIP method.
var itipTemplates = map[string]string{"REQUEST": "itip-request", "CANCEL": "itip-cancel"}

// itipData is what the iTIP templates see.
type itipData struct {
	Summary, When, Organizer string
}

// composeITIP writes a MessageITIP: an organizer's invitation or
// cancellation for an attendee outside Veileder, as iMIP (RFC 6047 §2.4):
// the text, in Norwegian and English since the attendee's language is not
// known, and the iTIP object as a text/calendar alternative with its
// method and as an attachment. Replies go to the organizer.
func (s *Sender) composeITIP(m booking.Message) (*outgoing, string, error) {
	c, err := recurrence.ParseCalendar(m.Payload)
	if err != nil {
		return nil, "", permanentError{fmt.Errorf("iTIP payload: %w", err)}
	}
	method := ""
	if p := c.Props.Get(ical.PropMethod); p != nil {
		method = strings.ToUpper(p.Value)
	}
	name, ok := itipTemplates[method]
	if !ok {
		return nil, "", permanentError{fmt.Errorf("iTIP method %q is not sent by e-mail", method)}
	}
	var ev *ical.Component
	for _, child := range c.Children {
		if child.Name == ical.CompEvent {
			ev = child
			break
		}
	}
	if ev == nil {
		return nil, "", permanentError{fmt.Errorf("iTIP payload has no VEVENT")}
	}
	if a, err := mail.ParseAddress(m.Recipient); err != nil || !strings.EqualFold(a.Address, m.Recipient) {
		return nil, "", permanentError{fmt.Errorf("recipient is not an e-mail address")}
	}
	var org *mail.Address
	if p := ev.Props.Get(ical.PropOrganizer); p != nil {
		addr := strings.TrimPrefix(strings.TrimPrefix(p.Value, "mailto:"), "MAILTO:")
		if a, err := mail.ParseAddress(addr); err == nil {
			org = &mail.Address{Name: oneLine(p.Params.Get(ical.ParamCommonName)), Address: a.Address}
		}
	}
	var subject, text bytes.Buffer
	for i, lang := range []string{"nb", "en"} {
		d := itipData{Summary: "(no title)", Organizer: "Veileder"}
		if p := ev.Props.Get(ical.PropSummary); p != nil && strings.TrimSpace(p.Value) != "" {
			d.Summary = oneLine(p.Value)
		}
		if org != nil {
			d.Organizer = org.Address
			if org.Name != "" {
				d.Organizer = org.Name
			}
		}
		if p := ev.Props.Get(ical.PropDateTimeStart); p != nil {
			if t, err := p.DateTime(s.loc); err == nil {
				t = t.In(s.loc)
				d.When = i18n.DateLong(lang, t) + " " + t.Format("15:04") + " (" + t.Format("MST") + ")"
			}
		}
		if i == 0 {
			if err := s.tmpl.text[lang].ExecuteTemplate(&subject, name+".subject", d); err != nil {
				return nil, "", permanentError{fmt.Errorf("render subject: %w", err)}
			}
		} else {
			text.WriteString("\n----\n\n")
		}
		if err := s.tmpl.text[lang].ExecuteTemplate(&text, name, d); err != nil {
			return nil, "", permanentError{fmt.Errorf("render text: %w", err)}
		}
	}

	// The same Message-ID on every attempt (RFC 5322 §3.6.4).
	local := fmt.Sprintf("itip-%d", m.ID)
	out := &outgoing{msg: gomail.NewMsg(gomail.WithNoDefaultUserAgent()), id: local + "@" + s.host, name: local}
	msg := out.msg
	msg.FromMailAddress(s.from)
	msg.AddToMailAddress(&mail.Address{Address: m.Recipient})
	if org != nil {
		msg.ReplyToMailAddress(org)
	}
	msg.Subject(oneLine(subject.String()))
	msg.SetMessageIDWithValue(out.id)
	msg.SetDateWithValue(s.now().In(s.loc))
	msg.SetUserAgent("Veileder")
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, text.String())
	ct := gomail.ContentType("text/calendar; method=" + method)
	msg.AddAlternativeString(ct, string(m.Payload))
	file := "invite.ics"
	if method == "CANCEL" {
		file = "cancel.ics"
	}
	if err := msg.AttachReader(file, bytes.NewReader(m.Payload), gomail.WithFileContentType(ct)); err != nil {
		return nil, "", fmt.Errorf("attach iTIP: %w", err)
	}
	return out, "", nil
}
