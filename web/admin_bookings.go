package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// The admin's booking pages: every booking, with search, and cancelling
// on the library's behalf.

type adminBookingsPage struct {
	staffPage
	Bookings []booking.StaffBooking
	Topics   []booking.TopicListing
	Query    bookingQuery
	// Now tells which bookings can still be cancelled.
	Now time.Time
}

type bookingQuery struct {
	Email, Topic, From, To, Status string
}

// adminBookings lists every booking, newest first, filtered by the
// student's address, topic, date and status.
func (s *Server) adminBookings(c *gin.Context) error {
	ctx := c.Request.Context()
	q := bookingQuery{Email: strings.TrimSpace(c.Query("email")), Topic: c.Query("topic"), From: c.Query("from"), To: c.Query("to"), Status: c.Query("status")}
	f := booking.BookingSearch{Email: q.Email, Descending: true, Limit: 300}
	topics, err := s.cfg.Staff.Store.AllTopics(ctx)
	if err != nil {
		return err
	}
	p := adminBookingsPage{staffPage: s.newStaffPage(c, me(c)), Topics: topics, Query: q, Now: s.now()}
	for _, t := range topics {
		if t.Slug == q.Topic {
			f.TopicID = t.ID
		}
	}
	if q.Topic != "" && f.TopicID == 0 {
		p.Errors = append(p.Errors, formError{Field: "topic", Message: T(p.Lang, "staff.bookings.topic.invalid")})
	}
	switch q.Status {
	case "":
	case string(booking.StatusConfirmed), string(booking.StatusCancelled):
		f.Status = booking.Status(q.Status)
	default:
		p.Errors = append(p.Errors, formError{Field: "status", Message: T(p.Lang, "staff.bookings.status.invalid")})
	}
	for _, d := range []struct {
		field, v string
		dst      *time.Time
		days     int
	}{{"from", q.From, &f.From, 0}, {"to", q.To, &f.To, 1}} {
		if d.v == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, d.v, s.loc)
		if err != nil {
			p.Errors = append(p.Errors, formError{Field: d.field, Message: T(p.Lang, "staff.bookings.date.invalid")})
			continue
		}
		*d.dst = t.AddDate(0, 0, d.days)
	}
	status := http.StatusOK
	if p.Errors == nil {
		if p.Bookings, err = s.cfg.Staff.Store.StaffBookings(ctx, f); err != nil {
			return err
		}
	} else {
		status = http.StatusUnprocessableEntity
	}
	return s.render(c, status, "admin_bookings", p)
}

// adminCancelBooking cancels a booking on the library's behalf, through
// the scheduling service: the event leaves the librarian's calendar and
// the student is told.
func (s *Server) adminCancelBooking(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.cfg.Staff.Service.CancelByID(c.Request.Context(), id, booking.PartyAdmin); err != nil {
		return err
	}
	s.logger.Info("admin cancelled booking", "admin", me(c).Username, "booking", id)
	back := "/admin/bookings"
	if r := c.PostForm("back"); strings.HasPrefix(r, "/admin/bookings") && !strings.ContainsAny(r, "\r\n\\") {
		back = r
	}
	return done(c, back, "cancelled")
}
