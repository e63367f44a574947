package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// After the meeting: the student's rating page and the librarian's held /
// no-show page, both opened from a link in an e-mail. A GET only shows a
// form, so that a mail scanner following the links records nothing; the
// POST (with the CSRF token) does.

// FollowUp is what the follow-up pages need from the booking service.
type FollowUp interface {
	// FeedbackBooking is the booking of a rating link and its rating, if
	// any; booking.ErrNotFound for a link that is not one.
	FeedbackBooking(ctx context.Context, token string) (booking.View, booking.Feedback, error)
	// RecordFeedback stores the rating: booking.ErrConflict when there is
	// one, booking.ErrInvalid before the meeting or for a bad rating.
	RecordFeedback(ctx context.Context, token string, rating int, comment string) error
	AttendanceBooking(ctx context.Context, token string) (booking.View, error)
	MarkAttendance(ctx context.Context, token string, a booking.Attendance) error
}

type feedbackPage struct {
	page
	V        booking.View
	Feedback booking.Feedback
	Action   string
	// Rating and Comment are what the student chose and typed.
	Rating  int
	Comment string
	Ratings []int
	Done    bool
	// NotYet says the meeting has not taken place (or was cancelled).
	NotYet     bool
	CommentMax int
}

// RatingText names a rating in the page's language ("5 – very useful").
func (p feedbackPage) RatingText(n int) string { return p.T("feedback.rating." + strconv.Itoa(n)) }

func (s *Server) feedbackPage(c *gin.Context, v booking.View, f booking.Feedback) feedbackPage {
	token := c.Param("token")
	self := &url.URL{Path: "/feedback/" + token}
	p := feedbackPage{page: s.newPage(c, self), V: v, Feedback: f, Action: "/feedback/" + url.PathEscape(token),
		Ratings: []int{5, 4, 3, 2, 1}, CommentMax: booking.MaxFeedbackCommentLen}
	p.CSRF = s.csrfToken(c)
	p.NotYet = !v.Active() || s.now().Before(v.Start)
	return p
}

// feedbackForm shows the rating form, with the rating of the e-mail's
// link chosen.
func (s *Server) feedbackForm(c *gin.Context) error {
	v, f, err := s.cfg.FollowUp.FeedbackBooking(c.Request.Context(), c.Param("token"))
	if err != nil {
		return err
	}
	p := s.feedbackPage(c, v, f)
	p.Done = c.Query("done") == "1" && f.Rating != 0
	if n, err := strconv.Atoi(c.Query("rating")); err == nil && n >= booking.MinRating && n <= booking.MaxRating {
		p.Rating = n
	}
	return s.render(c, http.StatusOK, "feedback", p)
}

// feedback records the rating.
func (s *Server) feedback(c *gin.Context) error {
	ctx := c.Request.Context()
	token := c.Param("token")
	v, f, err := s.cfg.FollowUp.FeedbackBooking(ctx, token)
	if err != nil {
		return err
	}
	lang := s.lang(c)
	p := s.feedbackPage(c, v, f)
	p.Comment = c.PostForm("comment")
	p.Rating, _ = strconv.Atoi(c.PostForm("rating"))
	var errs []formError
	if p.Rating < booking.MinRating || p.Rating > booking.MaxRating {
		errs = append(errs, formError{Field: "rating-5", Message: T(lang, "feedback.error.rating")})
	}
	if utf8.RuneCountInString(strings.TrimSpace(p.Comment)) > booking.MaxFeedbackCommentLen {
		errs = append(errs, formError{Field: "comment", Message: T(lang, "feedback.error.comment", booking.MaxFeedbackCommentLen)})
	}
	if errs == nil {
		err = s.cfg.FollowUp.RecordFeedback(ctx, token, p.Rating, p.Comment)
		var fe *booking.FieldError
		switch {
		case err == nil, errors.Is(err, booking.ErrConflict):
			// Rated (perhaps a moment ago, in another tab): say thanks.
			c.Redirect(http.StatusSeeOther, "/feedback/"+url.PathEscape(token)+"?done=1")
			return nil
		case errors.As(err, &fe) && fe.Field == "comment":
			errs = append(errs, formError{Field: "comment", Message: T(lang, "feedback.error.comment.invalid")})
		case errors.Is(err, booking.ErrInvalid):
			errs = append(errs, formError{Message: T(lang, "feedback.notyet")})
		default:
			return err
		}
	}
	p.Errors = errs
	return s.render(c, http.StatusUnprocessableEntity, "feedback", p)
}

type attendancePage struct {
	page
	V      booking.View
	Action string
	Done   bool
}

func (s *Server) attendancePage(c *gin.Context, v booking.View) attendancePage {
	token := c.Param("token")
	p := attendancePage{page: s.newPage(c, &url.URL{Path: "/attendance/" + token}), V: v,
		Action: "/attendance/" + url.PathEscape(token)}
	p.CSRF = s.csrfToken(c)
	return p
}

// attendanceForm asks the librarian whether the meeting took place.
func (s *Server) attendanceForm(c *gin.Context) error {
	v, err := s.cfg.FollowUp.AttendanceBooking(c.Request.Context(), c.Param("token"))
	if err != nil {
		return err
	}
	p := s.attendancePage(c, v)
	p.Done = c.Query("done") == "1"
	return s.render(c, http.StatusOK, "attendance", p)
}

// attendance records the librarian's answer.
func (s *Server) attendance(c *gin.Context) error {
	ctx := c.Request.Context()
	token := c.Param("token")
	v, err := s.cfg.FollowUp.AttendanceBooking(ctx, token)
	if err != nil {
		return err
	}
	a := booking.Attendance(c.PostForm("attendance"))
	if a != booking.AttendanceHeld && a != booking.AttendanceNoShow {
		return errStatus(http.StatusBadRequest)
	}
	err = s.cfg.FollowUp.MarkAttendance(ctx, token, a)
	if errors.Is(err, booking.ErrInvalid) {
		p := s.attendancePage(c, v)
		p.Errors = []formError{{Message: T(s.lang(c), "attendance.notyet")}}
		return s.render(c, http.StatusConflict, "attendance", p)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/attendance/"+url.PathEscape(token)+"?done=1")
	return nil
}
