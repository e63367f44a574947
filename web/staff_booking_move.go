package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
)

// The librarian moves one of their own upcoming bookings to another of
// their free times for its topic, mode and language, from "My bookings":
// the same move as the student's (one transaction, the event keeps its
// UID, the student is told), a week of times at a time, without
// JavaScript.

type staffMovePage struct {
	staffPage
	B                booking.StaffBooking
	WeekLabel        string
	PrevURL, NextURL string
	Week             string
	Days             []moveDay
	Zone             string
	Chosen           string
}

func (s *Server) staffMoveForm(c *gin.Context) error {
	b, err := s.ownUpcoming(c)
	if err != nil {
		return err
	}
	week := time.Time{}
	if w, err := time.ParseInLocation(time.DateOnly, c.Query("week"), s.loc); err == nil {
		week = weekStart(w, s.loc)
	}
	return s.renderStaffMove(c, http.StatusOK, b, week, "", nil)
}

func (s *Server) staffMove(c *gin.Context) error {
	b, err := s.ownUpcoming(c)
	if err != nil {
		return err
	}
	week := time.Time{}
	if w, err := time.ParseInLocation(time.DateOnly, c.PostForm("week"), s.loc); err == nil {
		week = weekStart(w, s.loc)
	}
	chosen := c.PostForm("start")
	start, perr := time.Parse(time.RFC3339, chosen)
	if perr != nil {
		return s.renderStaffMove(c, http.StatusUnprocessableEntity, b, week, "", &booking.FieldError{Field: "start", Code: "required"})
	}
	_, err = s.cfg.Staff.Service.MoveByID(c.Request.Context(), b.ID, booking.MoveRequest{Start: start, LibrarianID: me(c).ID})
	var fe *booking.FieldError
	switch {
	case err == nil:
		s.logger.Info("librarian moved booking", "librarian", me(c).Username, "booking", b.ID, "start", start.Format(time.RFC3339))
		return done(c, "/staff/bookings", "moved")
	case errors.Is(err, booking.ErrSlotTaken):
		return s.renderStaffMove(c, http.StatusConflict, b, week, chosen, err)
	case errors.As(err, &fe) && fe.Field == "start" && fe.Code != "started":
		return s.renderStaffMove(c, http.StatusUnprocessableEntity, b, week, chosen, err)
	}
	return err
}

func (s *Server) renderStaffMove(c *gin.Context, status int, b booking.StaffBooking, week time.Time, chosen string, failed error) error {
	u := me(c)
	p := staffMovePage{staffPage: s.newStaffPage(c, u), B: b, Zone: s.loc.String(), Chosen: chosen}
	if failed != nil {
		msg := p.T("move.taken")
		var fe *booking.FieldError
		if errors.As(failed, &fe) {
			msg = fieldMessage(p.Lang, "move_start", fe.Code)
		}
		p.Errors = []formError{{Field: "move-times", Message: msg}}
	}
	first := weekStart(s.now(), s.loc)
	last := addWeeks(first, maxWeeksAhead-1)
	if week.IsZero() {
		week = weekStart(b.Start.In(s.loc), s.loc)
	}
	switch {
	case week.Before(first):
		week = first
	case week.After(last):
		week = last
	}
	mode := booking.ModeInPerson
	if b.Online {
		mode = booking.ModeOnline
	}
	slots, err := s.booker.Slots(c.Request.Context(), booking.SlotSearch{
		TopicSlug: b.TopicSlug, Language: b.Language, Mode: mode, From: week, To: addWeeks(week, 1),
	})
	if err != nil {
		return err
	}
	base := "/staff/bookings/" + strconv.FormatInt(b.ID, 10) + "/move"
	p.WeekLabel = i18n.Week(p.Lang, week)
	p.Week = week.Format(time.DateOnly)
	if week.After(first) {
		p.PrevURL = base + "?week=" + addWeeks(week, -1).Format(time.DateOnly)
	}
	if week.Before(last) {
		p.NextURL = base + "?week=" + addWeeks(week, 1).Format(time.DateOnly)
	}
	slices.SortStableFunc(slots, func(a, b booking.Slot) int { return a.Start.Compare(b.Start) })
	for i, sl := range slots {
		if _, ok := slotMatch(sl, u.ID); !ok || sl.Start.Equal(b.Start) {
			continue // only the librarian's own free times
		}
		local := sl.Start.In(s.loc)
		day := local.Format(time.DateOnly)
		if n := len(p.Days); n == 0 || p.Days[n-1].ID != "day-"+day {
			p.Days = append(p.Days, moveDay{ID: "day-" + day, Date: local})
		}
		d := &p.Days[len(p.Days)-1]
		d.Slots = append(d.Slots, moveSlot{ID: "start-" + strconv.Itoa(i), Value: sl.Start.UTC().Format(time.RFC3339), Start: sl.Start, End: sl.End})
	}
	p.CSRF = s.csrfToken(c)
	return s.render(c, status, "staff_booking_move", p)
}
