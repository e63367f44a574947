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

// The student's side of requests (staff_requests.go): GET/POST
// /request/:slug files one for the topic when no free time fits, with the
// booking form's consent; GET /requests/:token shows the times a
// librarian offered, from the link in the e-mail, and POST books one in
// one click, through the same booking transaction as the booking form.

type requestFormPage struct {
	page
	Topic    booking.Topic
	Form     requestForm
	Honeypot string
	Days     int
	// Filed is the request just filed (the thanks page).
	Filed bool
}

func (s *Server) renderRequestForm(c *gin.Context, status int, t booking.Topic, f requestForm, errs []formError) error {
	p := requestFormPage{page: s.newPage(c, nil), Topic: t, Form: f, Honeypot: honeypotField, Days: s.cfg.Staff.Requests.ResponseDays()}
	p.CSRF = s.csrfToken(c)
	p.Errors = errs
	return s.render(c, status, "request", p)
}

func (s *Server) requestForm(c *gin.Context) error {
	t, err := s.bookTopic(c)
	if err != nil {
		return err
	}
	f := requestForm{Language: c.Query("language"), Mode: c.Query("mode")}
	return s.renderRequestForm(c, http.StatusOK, t, f, nil)
}

// fileStudentRequest takes the student's form: CSRF is checked by then;
// next the rate limit and the honeypot, as for a booking.
func (s *Server) fileStudentRequest(c *gin.Context) error {
	t, err := s.bookTopic(c)
	if err != nil {
		return err
	}
	lang := s.lang(c)
	f := readRequestForm(c)
	f.Locale, f.Inquiry = lang, 0
	if wait := s.limiter.wait(c.ClientIP(), s.now()); wait > 0 {
		retryAfter(c, wait)
		return s.renderRequestForm(c, http.StatusTooManyRequests, t, f, []formError{{Message: T(lang, "book.rate", minutes(wait))}})
	}
	if c.PostForm(honeypotField) != "" {
		s.logger.Info("honeypot filled, request refused", "path", c.Request.URL.Path)
		return s.renderRequestForm(c, http.StatusBadRequest, t, f, []formError{{Message: T(lang, "book.refused")}})
	}
	if f.Consent && validEmail(f.Email) {
		// Only real attempts count, as for bookings.
		if limit, wait := s.attempt(c, f.Email); limit != "" {
			retryAfter(c, wait)
			return s.renderRequestForm(c, http.StatusTooManyRequests, t, f, []formError{{Message: T(lang, "book.rate", minutes(wait))}})
		}
	}
	_, errs, err := s.fileRequest(c, f, t.ID, 0)
	if err != nil {
		return err
	}
	if errs != nil {
		return s.renderRequestForm(c, http.StatusUnprocessableEntity, t, f, errs)
	}
	p := requestFormPage{page: s.newPage(c, nil), Topic: t, Filed: true, Days: s.cfg.Staff.Requests.ResponseDays()}
	return s.render(c, http.StatusCreated, "request", p)
}

type requestOffersPage struct {
	page
	V booking.RequestView
	// Offers are the times still to choose from (not past, not the one
	// that just failed).
	Offers []booking.RequestOffer
	Base   string
	Zone   string
}

func (s *Server) renderRequestOffers(c *gin.Context, status int, token string, v booking.RequestView, skip int64, errs []formError) error {
	p := requestOffersPage{page: s.newPage(c, nil), V: v, Base: "/requests/" + url.PathEscape(token), Zone: s.loc.String()}
	p.CSRF = s.csrfToken(c)
	p.Errors = errs
	now := s.now()
	for _, o := range v.Offers {
		if o.ID != skip && o.Start.After(now) {
			p.Offers = append(p.Offers, o)
		}
	}
	return s.render(c, status, "request_offers", p)
}

func (s *Server) requestOffers(c *gin.Context) error {
	token := c.Param("token")
	v, err := s.cfg.Staff.Requests.ByToken(c.Request.Context(), token)
	if err != nil {
		return err
	}
	return s.renderRequestOffers(c, http.StatusOK, token, v, 0, nil)
}

// bookRequestOffer books the chosen time. A time no longer free comes
// back with what happened and the other offers; a request booked or
// closed meanwhile says so.
func (s *Server) bookRequestOffer(c *gin.Context) error {
	token := c.Param("token")
	lang := s.lang(c)
	ctx := c.Request.Context()
	offer, err := strconv.ParseInt(c.PostForm("offer"), 10, 64)
	if err != nil || offer <= 0 {
		return errStatus(http.StatusBadRequest)
	}
	_, manage, err := s.cfg.Staff.Requests.BookOffer(ctx, token, offer)
	if err == nil {
		c.Redirect(http.StatusSeeOther, "/booking/"+url.PathEscape(manage)+"?new=1")
		return nil
	}
	var msg string
	var fe *booking.FieldError
	switch {
	case errors.Is(err, booking.ErrSlotTaken):
		msg = T(lang, "request.offers.taken")
	case errors.Is(err, booking.ErrConflict):
		msg = T(lang, "request.offers.done")
	case errors.Is(err, booking.ErrLimitReached):
		msg = T(lang, "book.limit")
	case errors.As(err, &fe) && fe.Field == "offer":
		return errStatus(http.StatusBadRequest)
	default:
		return withToken(err, manage)
	}
	v, verr := s.cfg.Staff.Requests.ByToken(ctx, token)
	if verr != nil {
		return verr
	}
	return s.renderRequestOffers(c, http.StatusConflict, token, v, offer, []formError{{Message: msg}})
}

// Open says whether the student may still choose a time.
func (p requestOffersPage) Open() bool {
	return p.V.State == booking.RequestOffered && len(p.Offers) > 0
}

// Booked is the offer that was booked, if the request was.
func (p requestOffersPage) Booked() bool { return p.V.State == booking.RequestBooked }

// DueDay is the day a request's response target ends (DueAt is the
// midnight after it).
func (p page) DueDay(due time.Time) string { return p.DateLong(due.Add(-time.Second)) }

// Short is the start of a long text, for a list.
func (p page) Short(s string) string {
	const n = 80
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
