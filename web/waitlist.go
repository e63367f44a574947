package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
)

// Waitlist is what the waitlist's pages need from the scheduling service
// (scheduling.Waitlist).
type Waitlist interface {
	// Join puts a student in a topic's queue and returns the entry and the
	// token of its "leave the waitlist" page.
	Join(ctx context.Context, r booking.WaitlistRequest) (booking.WaitlistEntry, string, error)
	// Entry and Leave find (and take out of the queue) the entry of a
	// leave token, with its topic.
	Entry(ctx context.Context, token string) (booking.WaitlistEntry, booking.Topic, error)
	Leave(ctx context.Context, token string) (booking.WaitlistEntry, booking.Topic, error)
	// Offer shows, and Accept books, the time of an offer token; Accept
	// returns the booking's manage token.
	Offer(ctx context.Context, token string) (booking.OfferView, error)
	Accept(ctx context.Context, token string) (booking.View, string, error)
	// Librarians lists who guides in a topic, for the choice of one.
	Librarians(ctx context.Context, topicSlug string) ([]booking.Librarian, error)
	// Hold is how long an offer holds its time.
	Hold() time.Duration
}

// waitlistWeekdays are the days the form offers, Monday first.
var waitlistWeekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}

type waitlistPage struct {
	page
	Topic      booking.Topic
	Form       waitlistForm
	Librarians []librarianChoice
	Weekdays   []weekdayChoice
	Times      []string
	Limits     fieldLimits
	Honeypot   string
	Hold       int // minutes
	BackURL    string
}

type weekdayChoice struct {
	Value   int
	Name    string
	Checked bool
}

// waitlistForm is what the student typed, kept when the form comes back.
type waitlistForm struct {
	Name, Email, Mode, Language string
	Weekdays                    []time.Weekday
	Times                       []string
	Librarian                   int64
	Consent                     bool
}

func (f waitlistForm) HasTime(t string) bool { return slices.Contains(f.Times, t) }

// nothingFits is what the topic page offers when no time is free in the
// whole horizon: the next drop-in session of the topic's theme, the
// waitlist, and a request to the librarians.
type nothingFits struct {
	DropIn      *dropinItem
	DropInURL   string
	DropInFeed  feedLinks
	WaitlistURL string
	RequestURL  string
}

// nothingFits fills in the topic page's way forward.
func (s *Server) nothingFits(c *gin.Context, p page, t booking.Topic) (*nothingFits, error) {
	n := &nothingFits{RequestURL: "/request/" + url.PathEscape(t.Slug)}
	if s.cfg.Waitlist != nil {
		n.WaitlistURL = "/waitlist/" + url.PathEscape(t.Slug)
	}
	if dp := s.cfg.DropIn; dp != nil {
		now := s.now()
		list, err := dp.Upcoming(c.Request.Context(), now, now.AddDate(0, 0, 7*dropinWeeks))
		if err != nil {
			return nil, err
		}
		for _, o := range list {
			if o.Cancelled || !hasString(o.Themes, t.Slug) || !o.Start.After(now) {
				continue
			}
			item := dropinItem{DropInOccurrence: o, Title: o.Summary}
			if item.Title == "" {
				item.Title = p.TopicName(t)
			}
			item.DownloadURL, item.SeriesURL = sessionURLs(o, p.Lang)
			n.DropIn = &item
			n.DropInURL = "/dropin?" + url.Values{"theme": {t.Slug}}.Encode()
			n.DropInFeed = feedURLs(s.baseURL(c), t.Slug, p.Lang)
			break
		}
	}
	return n, nil
}

// horizonEmpty reports whether the topic has no free time at all within
// the booking horizon for the page's filters.
func (s *Server) horizonEmpty(c *gin.Context, t booking.Topic, f filters) (bool, error) {
	slots, err := s.booker.Slots(c.Request.Context(), booking.SlotSearch{
		TopicSlug: t.Slug, Language: f.Language, Mode: f.Mode, Campus: f.Campus,
	})
	if err != nil {
		return false, err
	}
	for _, sl := range slots {
		if _, ok := slotMatch(sl, f.Librarian); ok {
			return false, nil
		}
	}
	return true, nil
}

// waitlistForm shows the form to join a topic's waitlist.
func (s *Server) waitlistFormPage(c *gin.Context) error {
	t, err := s.bookTopic(c)
	if err != nil {
		return err
	}
	f := filtersFrom(c)
	form := waitlistForm{Mode: string(f.Mode), Language: f.Language, Librarian: f.Librarian}
	return s.renderWaitlist(c, http.StatusOK, t, form, nil)
}

func (s *Server) renderWaitlist(c *gin.Context, status int, t booking.Topic, form waitlistForm, errs []formError) error {
	libs, err := s.cfg.Waitlist.Librarians(c.Request.Context(), t.Slug)
	if err != nil {
		return err
	}
	p := waitlistPage{page: s.newPage(c, nil), Topic: t, Form: form, Times: booking.TimesOfDay, Limits: limits,
		Honeypot: honeypotField, Hold: int(s.cfg.Waitlist.Hold() / time.Minute), BackURL: "/topics/" + url.PathEscape(t.Slug)}
	p.CSRF = s.csrfToken(c)
	p.Errors = errs
	for _, l := range libs {
		p.Librarians = append(p.Librarians, librarianChoice{ID: l.ID, Name: l.Name})
	}
	for _, d := range waitlistWeekdays {
		p.Weekdays = append(p.Weekdays, weekdayChoice{Value: int(d), Name: i18n.WeekdayName(p.Lang, d), Checked: slices.Contains(form.Weekdays, d)})
	}
	return s.render(c, status, "waitlist", p)
}

// joinWaitlist takes the form, with the booking form's defences (rate
// limit, honeypot, the fields), and sends the student to their entry's
// page.
func (s *Server) joinWaitlist(c *gin.Context) error {
	t, err := s.bookTopic(c)
	if err != nil {
		return err
	}
	lang := s.lang(c)
	form := waitlistForm{
		Name: c.PostForm("name"), Email: strings.TrimSpace(c.PostForm("email")),
		Mode: c.PostForm("mode"), Language: c.PostForm("language"),
		Librarian: librarianParam(c.PostForm("librarian")),
		Consent:   c.PostForm("consent") == "yes",
	}
	for _, v := range c.PostFormArray("weekday") {
		if n, err := strconv.Atoi(v); err == nil {
			form.Weekdays = append(form.Weekdays, time.Weekday(n))
		}
	}
	form.Times = c.PostFormArray("time")
	if wait := s.limiter.wait(c.ClientIP(), s.now()); wait > 0 {
		retryAfter(c, wait)
		return s.renderWaitlist(c, http.StatusTooManyRequests, t, form, []formError{{Message: T(lang, "book.rate", minutes(wait))}})
	}
	if c.PostForm(honeypotField) != "" {
		s.logger.Info("honeypot filled, waitlist refused", "path", c.Request.URL.Path)
		return s.renderWaitlist(c, http.StatusBadRequest, t, form, []formError{{Message: T(lang, "book.refused")}})
	}
	req := booking.WaitlistRequest{
		TopicSlug: t.Slug, Name: form.Name, Email: form.Email, Mode: booking.Mode(form.Mode), Language: form.Language,
		Weekdays: form.Weekdays, TimesOfDay: slices.Clone(form.Times), LibrarianID: form.Librarian, Locale: lang, Consent: form.Consent,
	}
	if errs := waitlistErrors(lang, req); len(errs) > 0 {
		return s.renderWaitlist(c, http.StatusUnprocessableEntity, t, form, errs)
	}
	switch limit, wait := s.attempt(c, form.Email); limit {
	case "address":
		retryAfter(c, wait)
		return s.renderWaitlist(c, http.StatusTooManyRequests, t, form, []formError{{Message: T(lang, "book.rate", minutes(wait))}})
	case "email":
		retryAfter(c, wait)
		return s.renderWaitlist(c, http.StatusTooManyRequests, t, form, []formError{{Field: "email", Message: T(lang, "book.rate.email", minutes(wait))}})
	}
	_, token, err := s.cfg.Waitlist.Join(c.Request.Context(), req)
	var fe *booking.FieldError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/waitlist/leave/"+url.PathEscape(token)+"?joined=1")
		return nil
	case errors.Is(err, booking.ErrLimitReached):
		return s.renderWaitlist(c, http.StatusConflict, t, form, []formError{{Message: T(lang, "waitlist.limit")}})
	case errors.Is(err, booking.ErrConflict):
		return s.renderWaitlist(c, http.StatusConflict, t, form, []formError{{Field: "email", Message: T(lang, "waitlist.already")}})
	case errors.As(err, &fe):
		return s.renderWaitlist(c, http.StatusUnprocessableEntity, t, form, []formError{{Field: waitlistFieldID(fe.Field), Message: fieldMessage(lang, fe.Field, fe.Code)}})
	}
	return withToken(err, token)
}

// waitlistErrors checks every field, so that the student sees all
// problems at once; the service checks again.
func waitlistErrors(lang string, r booking.WaitlistRequest) []formError {
	var errs []formError
	add := func(field, code string) {
		errs = append(errs, formError{Field: waitlistFieldID(field), Message: fieldMessage(lang, field, code)})
	}
	for {
		probe := r
		probe.Weekdays, probe.TimesOfDay = slices.Clone(r.Weekdays), slices.Clone(r.TimesOfDay)
		err := probe.Validate()
		var fe *booking.FieldError
		if !errors.As(err, &fe) {
			return errs
		}
		add(fe.Field, fe.Code)
		// Clear the field at fault and look for the next one.
		switch fe.Field {
		case "name":
			r.Name = "x"
		case "email":
			r.Email = "x@example.org"
		case "mode":
			r.Mode = booking.ModeAny
		case "language":
			r.Language = ""
		case "librarian":
			r.LibrarianID = 0
		case "weekdays":
			r.Weekdays = nil
		case "times_of_day":
			r.TimesOfDay = nil
		case "consent":
			r.Consent = true
		default:
			return errs
		}
	}
}

// waitlistFieldID is the id of the form's control for a field.
func waitlistFieldID(field string) string {
	switch field {
	case "name", "email", "consent", "mode", "language", "librarian":
		return "wl-" + field
	case "weekdays":
		return "wl-weekdays"
	case "times_of_day":
		return "wl-times"
	}
	return ""
}

type waitlistEntryPage struct {
	page
	Entry  booking.WaitlistEntry
	Topic  booking.Topic
	Base   string
	Joined bool
	Left   bool
}

// waitlistEntry shows an entry, with the button that leaves the
// waitlist; after joining it says so.
func (s *Server) waitlistEntry(c *gin.Context) error {
	token := c.Param("token")
	if !validToken(token) {
		return errStatus(http.StatusNotFound)
	}
	e, t, err := s.cfg.Waitlist.Entry(c.Request.Context(), token)
	if err != nil {
		return withToken(err, token)
	}
	p := waitlistEntryPage{page: s.newPage(c, nil), Entry: e, Topic: t, Base: "/waitlist/leave/" + url.PathEscape(token)}
	p.Joined = c.Query("joined") == "1" && e.Status == booking.WaitlistWaiting
	p.Left = c.Query("left") == "1" && e.Status == booking.WaitlistLeft
	p.CSRF = s.csrfToken(c)
	return s.render(c, http.StatusOK, "waitlist_entry", p)
}

// leaveWaitlist takes the entry out of the queue.
func (s *Server) leaveWaitlist(c *gin.Context) error {
	token := c.Param("token")
	if !validToken(token) {
		return errStatus(http.StatusNotFound)
	}
	if _, _, err := s.cfg.Waitlist.Leave(c.Request.Context(), token); err != nil {
		return withToken(err, token)
	}
	c.Redirect(http.StatusSeeOther, "/waitlist/leave/"+url.PathEscape(token)+"?left=1")
	return nil
}

type waitlistOfferPage struct {
	page
	V     booking.OfferView
	Base  string
	Open  bool
	Until time.Time
}

// waitlistOffer shows an offered time with the one button that books it.
// Following the link books nothing, so that a mail scanner that opens it
// takes nobody's time.
func (s *Server) waitlistOffer(c *gin.Context) error {
	return s.renderOffer(c, http.StatusOK, nil)
}

func (s *Server) renderOffer(c *gin.Context, status int, errs []formError) error {
	token := c.Param("token")
	if !validToken(token) {
		return errStatus(http.StatusNotFound)
	}
	v, err := s.cfg.Waitlist.Offer(c.Request.Context(), token)
	if err != nil {
		return withToken(err, token)
	}
	p := waitlistOfferPage{page: s.newPage(c, nil), V: v, Base: "/waitlist/offer/" + url.PathEscape(token), Until: v.Offer.ExpiresAt}
	p.Open = v.Offer.Holds(s.now()) && v.Entry.Status == booking.WaitlistWaiting
	p.CSRF = s.csrfToken(c)
	p.Errors = errs
	if !p.Open && status == http.StatusOK && v.Offer.Status != booking.OfferAccepted {
		status = http.StatusGone
	}
	return s.render(c, status, "waitlist_offer", p)
}

// acceptOffer books the offered time and shows the booking.
func (s *Server) acceptOffer(c *gin.Context) error {
	token := c.Param("token")
	if !validToken(token) {
		return errStatus(http.StatusNotFound)
	}
	lang := s.lang(c)
	_, mtoken, err := s.cfg.Waitlist.Accept(c.Request.Context(), token)
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/booking/"+url.PathEscape(mtoken)+"?new=1")
		return nil
	case errors.Is(err, booking.ErrNotFound):
		return withToken(err, token)
	case errors.Is(err, booking.ErrSlotTaken):
		return s.renderOffer(c, http.StatusConflict, []formError{{Message: T(lang, "waitlist.offer.taken")}})
	case errors.Is(err, booking.ErrLimitReached):
		return s.renderOffer(c, http.StatusConflict, []formError{{Message: T(lang, "book.limit")}})
	case errors.Is(err, booking.ErrConflict):
		return s.renderOffer(c, http.StatusConflict, []formError{{Message: T(lang, "waitlist.offer.gone")}})
	}
	return withToken(err, token)
}

// apiWaitlistRequest is the body of POST /api/waitlist (API.md).
type apiWaitlistRequest struct {
	Topic       string   `json:"topic"`
	Name        string   `json:"name"`
	Email       string   `json:"email"`
	Mode        string   `json:"mode"`
	Language    string   `json:"language"`
	Weekdays    []int    `json:"weekdays"`
	TimesOfDay  []string `json:"times_of_day"`
	LibrarianID int64    `json:"librarian_id"`
	Locale      string   `json:"locale"`
	Consent     bool     `json:"consent"`
}

type apiWaitlistEntry struct {
	Topic       string    `json:"topic"`
	Status      string    `json:"status"`
	Mode        string    `json:"mode"`
	Language    string    `json:"language"`
	Weekdays    []int     `json:"weekdays"`
	TimesOfDay  []string  `json:"times_of_day"`
	LibrarianID int64     `json:"librarian_id,omitempty"`
	Created     time.Time `json:"created"`
	Expires     time.Time `json:"expires"`
}

// apiJoinWaitlist is POST /api/waitlist.
func (s *Server) apiJoinWaitlist(c *gin.Context) error {
	lang := s.lang(c)
	if err := requireJSON(c); err != nil {
		return err
	}
	if wait := s.limiter.wait(c.ClientIP(), s.now()); wait > 0 {
		retryAfter(c, wait)
		return errAPI(http.StatusTooManyRequests, "rate_limited", "")
	}
	var body apiWaitlistRequest
	if err := decodeJSON(c.Request.Body, &body); err != nil {
		return err
	}
	mode, err := booking.ParseMode(body.Mode)
	if err != nil {
		return errAPI(http.StatusUnprocessableEntity, "invalid", "mode")
	}
	locale, err := bodyLocale(lang, body.Locale)
	if err != nil {
		return err
	}
	req := booking.WaitlistRequest{
		TopicSlug: body.Topic, Name: body.Name, Email: body.Email, Mode: mode, Language: body.Language,
		TimesOfDay: body.TimesOfDay, LibrarianID: body.LibrarianID, Locale: locale, Consent: body.Consent,
	}
	for _, d := range body.Weekdays {
		req.Weekdays = append(req.Weekdays, time.Weekday(d))
	}
	if err := req.Validate(); err != nil {
		return err
	}
	if limit, wait := s.attempt(c, req.Email); limit != "" {
		retryAfter(c, wait)
		field := ""
		if limit == "email" {
			field = "email"
		}
		return errAPI(http.StatusTooManyRequests, "rate_limited", field)
	}
	e, token, err := s.cfg.Waitlist.Join(c.Request.Context(), req)
	switch {
	case errors.Is(err, booking.ErrLimitReached):
		return errAPI(http.StatusConflict, "limit_reached", "")
	case errors.Is(err, booking.ErrConflict):
		return errAPI(http.StatusConflict, "already_waiting", "")
	case err != nil:
		return withToken(err, token)
	}
	out := apiWaitlistEntry{Topic: body.Topic, Status: string(e.Status), Mode: string(e.Mode), Language: e.Language,
		Weekdays: []int{}, TimesOfDay: e.TimesOfDay, LibrarianID: e.LibrarianID, Created: e.CreatedAt.UTC(), Expires: e.ExpiresAt.UTC()}
	if out.TimesOfDay == nil {
		out.TimesOfDay = []string{}
	}
	for _, d := range e.Weekdays {
		out.Weekdays = append(out.Weekdays, int(d))
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, struct {
		Entry      apiWaitlistEntry `json:"entry"`
		LeaveToken string           `json:"leave_token"`
		LeaveURL   string           `json:"leave_url"`
	}{out, token, s.baseURL(c) + "/waitlist/leave/" + url.PathEscape(token)})
	return nil
}
