package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// The hand-over: desk staff book the right librarian for the student in
// front of them. They choose the topic, see the free slots a student
// would see with the librarian each would go to, and type the student's
// name and e-mail. The booking goes through the student's own booking
// transaction (Booker.Book), so the rules, the limits, the calendar event
// and the confirmation e-mail are the same; it records the staff member
// and the inquiry, which the same transaction marks booked.

type deskBookForm struct {
	Topic   string // slug
	Inquiry int64
	Start   string // RFC 3339
	Name    string
	Email   string
	Locale  string
	Consent bool
	// Answers answer the topic's intake questions, by question ID.
	Answers map[int64]string
}

type deskBookPage struct {
	staffPage
	Form   deskBookForm
	Topics []booking.TopicListing
	Slots  []booking.DeskSlot
	// Topic is the chosen topic's name.
	Topic string
	// Questions are the topic's intake questions, asked as on the
	// student's own form; the default ones are left to the student.
	Questions []booking.Question
}

// Answer is what was typed for q.
func (p deskBookPage) Answer(q booking.Question) string { return p.Form.Answers[q.ID] }

// SlotValue is a slot's value in the form: its start and its mode, so
// that the booking is of the kind the desk chose when the same time is
// free both in person and online.
func (p deskBookPage) SlotValue(sl booking.DeskSlot) string {
	return sl.Start.UTC().Format(time.RFC3339) + " " + modeOf(sl.Online)
}

// parseSlotValue reads SlotValue back.
func parseSlotValue(v string) (time.Time, booking.Mode, error) {
	start, mode, _ := strings.Cut(v, " ")
	t, err := time.Parse(time.RFC3339, start)
	if err != nil {
		return time.Time{}, "", err
	}
	m, err := booking.ParseMode(mode)
	return t, m, err
}

func (s *Server) newDeskBookPage(c *gin.Context, f deskBookForm) (deskBookPage, error) {
	ctx := c.Request.Context()
	p := deskBookPage{staffPage: s.newStaffPage(c, me(c)), Form: f}
	all, err := s.cfg.Staff.Store.AllTopics(ctx)
	if err != nil {
		return p, err
	}
	for _, t := range all {
		if t.Active {
			p.Topics = append(p.Topics, t)
			if t.Slug == f.Topic {
				p.Topic = t.Name(p.Lang)
			}
		}
	}
	if p.Topic == "" {
		p.Form.Topic = ""
		return p, nil
	}
	if p.Questions, err = s.deskQuestions(c, f.Topic); err != nil {
		return p, err
	}
	slots, err := s.cfg.Staff.DeskSlots.DeskSlots(ctx, booking.SlotSearch{TopicSlug: f.Topic})
	if err != nil {
		return p, err
	}
	const shown = 30 // the next ones; the desk books soon, or files a request
	if len(slots) > shown {
		slots = slots[:shown]
	}
	p.Slots = slots
	return p, nil
}

// deskQuestions are the intake questions of the topic with this slug.
func (s *Server) deskQuestions(c *gin.Context, slug string) ([]booking.Question, error) {
	cat, err := s.booker.Catalog(c.Request.Context())
	if err != nil {
		return nil, err
	}
	t, ok := findTopic(cat, slug)
	if !ok {
		return nil, nil
	}
	return cat.QuestionsFor(t), nil
}

// staffDeskBook shows the hand-over: the topic, from the entry when
// there is one, and its free slots.
func (s *Server) staffDeskBook(c *gin.Context) error {
	f := deskBookForm{Topic: c.Query("topic"), Locale: s.lang(c)}
	if id, err := strconv.ParseInt(c.Query("inquiry"), 10, 64); err == nil && id > 0 {
		q, err := s.cfg.Staff.Desk.Inquiry(c.Request.Context(), id)
		switch {
		case errors.Is(err, booking.ErrNotFound):
		case err != nil:
			return err
		case q.UserID == me(c).ID && q.BookingID == 0:
			f.Inquiry = q.ID
			if f.Topic == "" && q.TopicID != 0 {
				if t, err := s.cfg.Staff.Store.TopicByID(c.Request.Context(), q.TopicID); err == nil {
					f.Topic = t.Slug
				}
			}
		}
	}
	p, err := s.newDeskBookPage(c, f)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff_desk_book", p)
}

// staffDeskBookPost books. A slot taken meanwhile, a student at their
// limit or a field the service refuses brings the form back with fresh
// slots and what was typed.
func (s *Server) staffDeskBookPost(c *gin.Context) error {
	lang := s.lang(c)
	f := deskBookForm{
		Topic: c.PostForm("topic"), Start: c.PostForm("start"),
		Name: strings.TrimSpace(c.PostForm("name")), Email: strings.TrimSpace(c.PostForm("email")),
		Locale: c.PostForm("locale"), Consent: c.PostForm("consent") == "yes", Answers: readAnswers(c),
	}
	if f.Locale != "en" {
		f.Locale = "nb"
	}
	if id, err := strconv.ParseInt(c.PostForm("inquiry"), 10, 64); err == nil && id > 0 {
		f.Inquiry = id
	}
	var errs []formError
	add := func(field, key string) { errs = append(errs, formError{Field: field, Message: T(lang, key)}) }
	start, mode, err := parseSlotValue(f.Start)
	if err != nil {
		add("start", "desk.book.error.start")
	}
	if f.Name == "" {
		add("name", "desk.book.error.name")
	}
	if !validEmail(f.Email) {
		add("email", "desk.book.error.email")
	}
	qs, err := s.deskQuestions(c, f.Topic)
	if err != nil {
		return err
	}
	errs = append(errs, checkAnswers(lang, qs, f.Answers)...)
	if !f.Consent {
		add("consent", "desk.book.error.consent")
	}
	if errs == nil {
		u := me(c)
		_, _, err = s.booker.Book(c.Request.Context(), booking.Request{
			TopicSlug: f.Topic, Start: start, Mode: mode, StudentName: f.Name, StudentEmail: f.Email,
			Locale: f.Locale, Consent: true, BookedBy: u.ID, InquiryID: f.Inquiry, Answers: f.Answers,
		})
		var fe *booking.FieldError
		switch {
		case err == nil:
			s.logger.Info("booked at the desk", "user", u.Username, "topic", f.Topic, "inquiry", f.Inquiry)
			return done(c, "/staff/desk", "deskbooked")
		case errors.Is(err, booking.ErrSlotTaken):
			add("start", "desk.book.error.taken")
		case errors.Is(err, booking.ErrLimitReached):
			add("", "desk.book.error.limit")
		case errors.Is(err, booking.ErrNotFound) && f.Inquiry != 0:
			// The entry is not the user's (or is gone): book without it.
			f.Inquiry = 0
			add("", "desk.book.error.inquiry")
		case errors.As(err, &fe):
			var asked *booking.Question
			for i := range qs {
				if qs[i].Field() == fe.Field {
					asked = &qs[i]
				}
			}
			switch {
			case asked != nil:
				errs = append(errs, answerError(lang, *asked, fe.Code))
			case fe.Field == "name", fe.Field == "email":
				add(fe.Field, "desk.book.error."+fe.Field)
			default:
				add("start", "desk.book.error.start")
			}
		default:
			return err
		}
	}
	p, err := s.newDeskBookPage(c, f)
	if err != nil {
		return err
	}
	p.Errors = errs
	return s.render(c, http.StatusUnprocessableEntity, "staff_desk_book", p)
}

// deskBookURL is the hand-over's address for an entry.
func deskBookURL(e deskEntry) string {
	v := url.Values{"inquiry": {strconv.FormatInt(e.ID, 10)}}
	if e.TopicSlug != "" {
		v.Set("topic", e.TopicSlug)
	}
	return "/staff/desk/book?" + v.Encode()
}

// BookURL is the hand-over's address for an entry of the list.
func (p deskPage) BookURL(e deskEntry) string { return deskBookURL(e) }

// RequestURL is the request form's address for an entry of the list.
func (p deskPage) RequestURL(e deskEntry) string {
	v := url.Values{"inquiry": {strconv.FormatInt(e.ID, 10)}}
	if e.TopicSlug != "" {
		v.Set("topic", e.TopicSlug)
	}
	return "/staff/requests/new?" + v.Encode()
}
