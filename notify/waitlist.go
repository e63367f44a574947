package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"text/template"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
)

// The waitlist's offer: a time held for a student waiting for a topic,
// with the link that books it and the one that leaves the waitlist. Its
// text is in templates/waitlist.*.txt.

// WaitlistStore is the part of Store the offer needs.
type WaitlistStore interface {
	// MessageWaitlistOffer returns an offer with its entry, topic and
	// librarian; booking.ErrNotFound when it is gone.
	MessageWaitlistOffer(ctx context.Context, offerID int64) (booking.OfferView, error)
}

var waitlistTemplates = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, lang := range i18n.Languages() {
		out[lang] = template.Must(template.New(lang).ParseFS(templateFS, "templates/waitlist."+lang+".txt"))
		for _, name := range []string{"offer.subject", "offer"} {
			if out[lang].Lookup(name) == nil {
				panic(fmt.Sprintf("notify: templates/waitlist.%s.txt has no %q", lang, name))
			}
		}
	}
	return out
}()

type offerData struct {
	Name, Topic, Librarian string
	Date, Time, Zone       string
	Until                  string
	Online                 bool
	Location               string
	OfferURL, LeaveURL     string
}

// composeWaitlistOffer renders the offer's e-mail, unless the offer no
// longer holds its time (it expired, was withdrawn or accepted before the
// e-mail went out) or its entry is gone.
func (s *Sender) composeWaitlistOffer(ctx context.Context, m booking.Message) (*outgoing, string, error) {
	if m.WaitlistOfferID == 0 {
		return nil, "the waitlist entry is gone", nil
	}
	v, err := s.store.MessageWaitlistOffer(ctx, m.WaitlistOfferID)
	switch {
	case errors.Is(err, booking.ErrNotFound):
		return nil, "the waitlist entry is gone", nil
	case err != nil:
		return nil, "", err
	case !v.Offer.Holds(s.now()):
		return nil, "the offer no longer holds its time", nil
	case v.Entry.Status != booking.WaitlistWaiting:
		return nil, "the student no longer waits", nil
	}
	var offerURL, leaveURL string
	if s.cfg.WaitlistURLs != nil {
		offerURL, leaveURL = s.cfg.WaitlistURLs(v)
	}
	if offerURL == "" {
		return nil, "", permanentError{fmt.Errorf("no link can be made for waitlist offer %d", v.Offer.ID)}
	}
	lang := "nb"
	if v.Entry.Locale == "en" {
		lang = "en"
	}
	o := v.Offer
	start, end, until := o.Start.In(s.loc), o.End.In(s.loc), o.ExpiresAt.In(s.loc)
	d := offerData{
		Name: oneLine(v.Entry.Name), Topic: v.Topic.Name(lang), Librarian: oneLine(v.LibrarianName),
		Date: i18n.DateLong(lang, start), Time: i18n.Range(lang, start, end), Zone: start.Format("MST"),
		Until:  i18n.Clock(lang, until),
		Online: o.Online, Location: oneLine(o.Location),
		OfferURL: offerURL, LeaveURL: leaveURL,
	}
	if d.Location == "" {
		d.Location = i18n.T(lang, "mode.in-person")
		if o.Online {
			d.Location = i18n.T(lang, "mode.online")
		}
	}
	t := waitlistTemplates[lang]
	var subject, text bytes.Buffer
	if err := t.ExecuteTemplate(&subject, "offer.subject", d); err != nil {
		return nil, "", permanentError{fmt.Errorf("render subject: %w", err)}
	}
	if err := t.ExecuteTemplate(&text, "offer", d); err != nil {
		return nil, "", permanentError{fmt.Errorf("render text: %w", err)}
	}
	local := fmt.Sprintf("waitlist-offer-%d", o.ID)
	out, err := s.newMessage(local, v.Entry.Name, v.Entry.Email, lang, oneLine(subject.String()), text.String())
	if err != nil {
		return nil, "", err
	}
	return out, "", nil
}
