package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// The librarian cancels one of their own upcoming bookings from "My
// bookings": a page that asks first (a button in a table is easy to press
// by mistake), then the cancellation, which tells the student.

type staffCancelPage struct {
	staffPage
	B booking.StaffBooking
}

// ownUpcoming is the signed-in librarian's booking of the id in the path,
// still to come; another's booking, or one that has begun, is not there
// for them.
func (s *Server) ownUpcoming(c *gin.Context) (booking.StaffBooking, error) {
	id, err := s.idParam(c, "id")
	if err != nil {
		return booking.StaffBooking{}, err
	}
	b, err := s.cfg.Staff.Store.StaffBooking(c.Request.Context(), id)
	if err != nil {
		return booking.StaffBooking{}, err
	}
	if b.LibrarianID != me(c).ID || !b.Active() || !s.now().Before(b.Start) {
		return booking.StaffBooking{}, errStatus(http.StatusNotFound)
	}
	return b, nil
}

func (s *Server) staffCancelConfirm(c *gin.Context) error {
	b, err := s.ownUpcoming(c)
	if err != nil {
		return err
	}
	p := staffCancelPage{staffPage: s.newStaffPage(c, me(c)), B: b}
	return s.render(c, http.StatusOK, "staff_booking_cancel", p)
}

func (s *Server) staffCancel(c *gin.Context) error {
	b, err := s.ownUpcoming(c)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Staff.Service.CancelByID(c.Request.Context(), b.ID, booking.PartyLibrarian); err != nil {
		return err
	}
	s.logger.Info("librarian cancelled booking", "librarian", me(c).Username, "booking", b.ID, "start", b.Start.Format(time.RFC3339))
	return done(c, "/staff/bookings", "cancelled")
}
