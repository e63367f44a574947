package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// The first line's inquiry log (issue "the first line"): desk staff, and
// every other staff role, log an inquiry in one form that Enter submits,
// see today's entries of theirs, change or delete them for the day, and
// book a librarian for the student from an entry (staff_desk_book.go).
// The log holds no personal data of the student's.

// DeskStore is what the inquiry log needs from the store.
type DeskStore interface {
	CreateInquiry(ctx context.Context, q booking.Inquiry) (booking.Inquiry, error)
	// UpdateInquiry and DeleteInquiry touch only the user's own entries
	// logged at or after since.
	UpdateInquiry(ctx context.Context, userID int64, since time.Time, q booking.Inquiry) (booking.Inquiry, error)
	DeleteInquiry(ctx context.Context, userID, id int64, since time.Time) error
	Inquiry(ctx context.Context, id int64) (booking.Inquiry, error)
	Inquiries(ctx context.Context, f booking.InquirySearch) ([]booking.Inquiry, error)
}

// DeskSlots is what the hand-over needs from the scheduling service
// besides Booker.Book.
type DeskSlots interface {
	DeskSlots(ctx context.Context, ss booking.SlotSearch) ([]booking.DeskSlot, error)
}

func (s *Server) deskEnabled() bool { return s.cfg.Staff.Desk != nil && s.cfg.Staff.DeskSlots != nil }

// deskForm is the log's form as typed.
type deskForm struct {
	ID      int64
	Channel string
	Topic   string // topic ID, "" for other
	Tags    string
	READ    string
	Minutes string
	Outcome string
	Note    string
	Booked  bool
}

// deskEntry is one of today's entries as the list shows it.
type deskEntry struct {
	booking.Inquiry
	TopicName string
	TopicSlug string
	// Request is the request filed from the entry, if any.
	Request booking.HelpRequest
}

type deskPage struct {
	staffPage
	Form     deskForm
	Topics   []booking.TopicListing
	Channels []booking.Channel
	Outcomes []booking.Outcome
	Levels   []int
	Entries  []deskEntry
	// Editing is true on an entry's own page.
	Editing bool
	// Last is the entry just logged, to book from it.
	Last int64
	// Requests says requests can be filed from an entry.
	Requests bool
}

// dayStart is the start of the library's local day holding t: an entry
// can be changed until the day it was logged ends.
func (s *Server) dayStart(t time.Time) time.Time {
	l := t.In(s.loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, s.loc)
}

func (s *Server) newDeskPage(c *gin.Context, f deskForm) (deskPage, error) {
	ctx := c.Request.Context()
	u := me(c)
	p := deskPage{staffPage: s.newStaffPage(c, u), Form: f, Channels: booking.Channels, Levels: []int{1, 2, 3, 4, 5, 6}}
	for _, o := range booking.Outcomes {
		if o != booking.OutcomeBooked {
			p.Outcomes = append(p.Outcomes, o)
		}
	}
	all, err := s.cfg.Staff.Store.AllTopics(ctx)
	if err != nil {
		return p, err
	}
	names := map[int64]booking.TopicListing{}
	for _, t := range all {
		names[t.ID] = t
		if t.Active {
			p.Topics = append(p.Topics, t)
		}
	}
	start := s.dayStart(s.now())
	list, err := s.cfg.Staff.Desk.Inquiries(ctx, booking.InquirySearch{UserID: u.ID, From: start, To: start.AddDate(0, 0, 1)})
	if err != nil {
		return p, err
	}
	for _, q := range list {
		e := deskEntry{Inquiry: q}
		if t, ok := names[q.TopicID]; ok {
			e.TopicName, e.TopicSlug = t.Name(p.Lang), t.Slug
		}
		p.Entries = append(p.Entries, e)
	}
	if s.requestsEnabled() && len(p.Entries) > 0 {
		p.Requests = true
		ids := make([]int64, len(p.Entries))
		for i, e := range p.Entries {
			ids[i] = e.ID
		}
		reqs, err := s.cfg.Staff.RequestStore.Requests(ctx, booking.RequestSearch{InquiryIDs: ids})
		if err != nil {
			return p, err
		}
		for _, r := range reqs {
			for i := range p.Entries {
				if p.Entries[i].ID == r.InquiryID {
					p.Entries[i].Request = r
				}
			}
		}
	}
	if last, err := strconv.ParseInt(c.Query("last"), 10, 64); err == nil {
		p.Last = last
	}
	return p, nil
}

// ChannelName, OutcomeName and READName are the log's words.
func (p deskPage) ChannelName(ch booking.Channel) string { return p.T("desk.channel." + string(ch)) }
func (p deskPage) OutcomeName(o booking.Outcome) string  { return p.T("desk.outcome." + string(o)) }
func (p deskPage) READName(n int) string                 { return p.T("desk.read." + strconv.Itoa(n)) }

// Checked says whether a radio's value is the form's.
func (p deskPage) Checked(got string, want any) bool {
	switch w := want.(type) {
	case int:
		return got == strconv.Itoa(w)
	case booking.Channel:
		return got == string(w)
	case booking.Outcome:
		return got == string(w)
	case int64:
		return got == strconv.FormatInt(w, 10)
	}
	return false
}

// staffDesk is the log: the form and today's entries.
func (s *Server) staffDesk(c *gin.Context) error {
	// The channel and the minutes of the last entry stay, as a desk
	// shift mostly repeats them.
	f := deskForm{Channel: c.DefaultQuery("channel", string(booking.ChannelDesk)), READ: "1", Minutes: "2", Outcome: string(booking.OutcomeAnswered)}
	if _, err := booking.ParseChannel(f.Channel); err != nil {
		f.Channel = string(booking.ChannelDesk)
	}
	p, err := s.newDeskPage(c, f)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff_desk", p)
}

// readDeskForm reads and checks the form; the inquiry, or the page with
// the errors.
func (s *Server) readDeskForm(c *gin.Context) (deskForm, booking.Inquiry, []formError, string) {
	lang := s.lang(c)
	f := deskForm{
		Channel: c.PostForm("channel"), Topic: c.PostForm("topic"), Tags: c.PostForm("tags"),
		READ: c.PostForm("read"), Minutes: strings.TrimSpace(c.PostForm("minutes")),
		Outcome: c.PostForm("outcome"), Note: strings.TrimSpace(c.PostForm("note")),
	}
	q := booking.Inquiry{UserID: me(c).ID, Note: f.Note}
	var errs []formError
	add := func(field, key string, args ...any) {
		errs = append(errs, formError{Field: field, Message: T(lang, key, args...)})
	}
	var err error
	if q.Channel, err = booking.ParseChannel(f.Channel); err != nil {
		add("channel", "desk.error.channel")
	}
	if f.Topic != "" {
		if q.TopicID, err = strconv.ParseInt(f.Topic, 10, 64); err != nil || q.TopicID <= 0 {
			add("topic", "desk.error.topic")
		}
	}
	if q.Tags, err = booking.ParseTags(f.Tags); err != nil {
		add("tags", "desk.error.tags.long", booking.MaxInquiryTags, booking.MaxInquiryTagLen)
	} else if q.TopicID == 0 && len(q.Tags) == 0 && f.Topic == "" {
		add("tags", "desk.error.tags.required")
	}
	if q.READ, err = strconv.Atoi(f.READ); err != nil || q.READ < booking.MinREAD || q.READ > booking.MaxREAD {
		add("read-1", "desk.error.read")
	}
	if f.Minutes == "" {
		f.Minutes = "0"
	}
	if q.Minutes, err = strconv.Atoi(f.Minutes); err != nil || q.Minutes < 0 || q.Minutes > booking.MaxInquiryMinutes {
		add("minutes", "desk.error.minutes", booking.MaxInquiryMinutes)
	}
	if q.Outcome, err = booking.ParseOutcome(f.Outcome); err != nil || q.Outcome == booking.OutcomeBooked {
		add("outcome-answered", "desk.error.outcome")
	}
	if len([]rune(f.Note)) > booking.MaxInquiryNoteLen {
		add("note", "desk.error.note", booking.MaxInquiryNoteLen)
	}
	return f, q, errs, lang
}

// deskFailed renders the form again with errs, or with the field that a
// domain error blames.
func (s *Server) deskFailed(c *gin.Context, f deskForm, errs []formError, editing bool) error {
	p, err := s.newDeskPage(c, f)
	if err != nil {
		return err
	}
	p.Errors, p.Editing = errs, editing
	return s.render(c, http.StatusUnprocessableEntity, "staff_desk", p)
}

// staffLogInquiry saves an entry and goes back to an empty form.
func (s *Server) staffLogInquiry(c *gin.Context) error {
	f, q, errs, lang := s.readDeskForm(c)
	if errs != nil {
		return s.deskFailed(c, f, errs, false)
	}
	saved, err := s.cfg.Staff.Desk.CreateInquiry(c.Request.Context(), q)
	if errors.Is(err, booking.ErrNotFound) || errors.Is(err, booking.ErrInvalid) {
		return s.deskFailed(c, f, []formError{{Field: "topic", Message: T(lang, "desk.error.topic")}}, false)
	}
	if err != nil {
		return err
	}
	v := url.Values{"channel": {string(saved.Channel)}, "last": {strconv.FormatInt(saved.ID, 10)}, "done": {"logged"}}
	c.Redirect(http.StatusSeeOther, "/staff/desk?"+v.Encode())
	return nil
}

// ownEntry reads an entry of the signed-in user's from today; another's,
// or an older one, does not exist here.
func (s *Server) ownEntry(c *gin.Context) (booking.Inquiry, error) {
	id, err := s.idParam(c, "id")
	if err != nil {
		return booking.Inquiry{}, err
	}
	q, err := s.cfg.Staff.Desk.Inquiry(c.Request.Context(), id)
	if err != nil {
		return booking.Inquiry{}, err
	}
	if q.UserID != me(c).ID || q.At.Before(s.dayStart(s.now())) {
		return booking.Inquiry{}, errStatus(http.StatusNotFound)
	}
	return q, nil
}

func formOf(q booking.Inquiry) deskForm {
	f := deskForm{ID: q.ID, Channel: string(q.Channel), Tags: strings.Join(q.Tags, ", "), READ: strconv.Itoa(q.READ),
		Minutes: strconv.Itoa(q.Minutes), Outcome: string(q.Outcome), Note: q.Note, Booked: q.BookingID != 0}
	if q.TopicID != 0 {
		f.Topic = strconv.FormatInt(q.TopicID, 10)
	}
	return f
}

// staffEditInquiry shows one of today's own entries in the form.
func (s *Server) staffEditInquiry(c *gin.Context) error {
	q, err := s.ownEntry(c)
	if err != nil {
		return err
	}
	p, err := s.newDeskPage(c, formOf(q))
	if err != nil {
		return err
	}
	p.Editing = true
	return s.render(c, http.StatusOK, "staff_desk", p)
}

func (s *Server) staffUpdateInquiry(c *gin.Context) error {
	old, err := s.ownEntry(c)
	if err != nil {
		return err
	}
	f, q, errs, lang := s.readDeskForm(c)
	f.ID, f.Booked = old.ID, old.BookingID != 0
	if old.BookingID != 0 {
		// A booked entry stays booked; the form offers no outcome for it.
		q.Outcome = booking.OutcomeBooked
		errs = dropField(errs, "outcome-answered")
	}
	if errs != nil {
		return s.deskFailed(c, f, errs, true)
	}
	q.ID = old.ID
	_, err = s.cfg.Staff.Desk.UpdateInquiry(c.Request.Context(), me(c).ID, s.dayStart(s.now()), q)
	if errors.Is(err, booking.ErrInvalid) {
		return s.deskFailed(c, f, []formError{{Field: "topic", Message: T(lang, "desk.error.topic")}}, true)
	}
	if err != nil {
		return err
	}
	return done(c, "/staff/desk", "saved")
}

func dropField(errs []formError, field string) []formError {
	var out []formError
	for _, e := range errs {
		if e.Field != field {
			out = append(out, e)
		}
	}
	return out
}

func (s *Server) staffDeleteInquiry(c *gin.Context) error {
	q, err := s.ownEntry(c)
	if err != nil {
		return err
	}
	if err := s.cfg.Staff.Desk.DeleteInquiry(c.Request.Context(), me(c).ID, q.ID, s.dayStart(s.now())); err != nil {
		return err
	}
	return done(c, "/staff/desk", "inquirydeleted")
}

// deskNav is the log's place in the staff navigation.
func (s *Server) deskNav() []navItem {
	if !s.deskEnabled() {
		return nil
	}
	items := []navItem{{Path: "/staff/desk", Key: "staff.nav.desk"}}
	if s.tokensEnabled() {
		items = append(items, navItem{Path: "/staff/api-tokens", Key: "staff.nav.tokens"})
	}
	return items
}

// deskHome is desk staff's first page.
func (s *Server) deskHome() string {
	if s.deskEnabled() {
		return "/staff/desk"
	}
	return "/staff/password"
}
