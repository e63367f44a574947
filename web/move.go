package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
)

// The student's "change time" page: the free times of the booking's topic,
// in its mode and meeting language, a week at a time, as one form of
// radio buttons, so that it works without JavaScript; and the JSON API's
// move.

type movePage struct {
	bookingPage
	WeekLabel        string
	PrevURL, NextURL string
	Days             []moveDay
	Zone             string
	// Chosen is the start the student picked, kept when the form comes
	// back; Taken says it went to someone else meanwhile.
	Chosen string
	Taken  bool
	// Week is the shown week's Monday, which the form sends back.
	Week string
}

type moveDay struct {
	ID    string
	Date  time.Time
	Slots []moveSlot
}

type moveSlot struct {
	ID         string // the radio button's id
	Value      string // RFC 3339, UTC
	Start, End time.Time
}

// moveForm shows the week's free times to move the booking to.
func (s *Server) moveForm(c *gin.Context) error {
	token, v, err := s.loadBooking(c)
	if err != nil {
		return err
	}
	week := time.Time{}
	if w, err := time.ParseInLocation(time.DateOnly, c.Query("week"), s.loc); err == nil {
		week = weekStart(w, s.loc)
	}
	return s.renderMove(c, http.StatusOK, token, v, week, "", nil)
}

// move moves the booking to the chosen time, then shows the manage page.
func (s *Server) move(c *gin.Context) error {
	token, v, err := s.loadBooking(c)
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
		return s.renderMove(c, http.StatusUnprocessableEntity, token, v, week, "", &booking.FieldError{Field: "start", Code: "required"})
	}
	if week.IsZero() {
		week = weekStart(start.In(s.loc), s.loc)
	}
	_, err = s.booker.Move(c.Request.Context(), token, booking.MoveRequest{Start: start})
	var fe *booking.FieldError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/booking/"+url.PathEscape(token)+"?moved=1")
		return nil
	case errors.Is(err, booking.ErrSlotTaken):
		return s.renderMove(c, http.StatusConflict, token, v, week, chosen, err)
	case errors.As(err, &fe) && fe.Field == "start" && fe.Code != "started":
		return s.renderMove(c, http.StatusUnprocessableEntity, token, v, week, chosen, err)
	}
	return withToken(err, token)
}

// renderMove shows the move form for the week from week (the first week
// with free times, when zero), with what went wrong, if anything.
func (s *Server) renderMove(c *gin.Context, status int, token string, v booking.View, week time.Time, chosen string, failed error) error {
	p := movePage{bookingPage: s.bookingPage(c, token, v), Zone: s.loc.String(), Chosen: chosen}
	if !v.Active() || p.Past || !s.now().Before(v.Start) {
		c.Redirect(http.StatusSeeOther, p.Base)
		return nil
	}
	p.CSRF = s.csrfToken(c)
	if failed != nil {
		p.Taken = errors.Is(failed, booking.ErrSlotTaken)
		msg := p.T("move.taken")
		var fe *booking.FieldError
		if errors.As(failed, &fe) {
			msg = fieldMessage(p.Lang, "move_start", fe.Code)
		}
		p.Errors = []formError{{Field: "move-times", Message: msg}}
	}
	first := weekStart(s.now(), s.loc)
	last := addWeeks(first, maxWeeksAhead-1)
	given := !week.IsZero()
	switch {
	case week.IsZero() || week.Before(first):
		week = first
	case week.After(last):
		week = last
	}
	mode := booking.ModeInPerson
	if v.Online {
		mode = booking.ModeOnline
	}
	var slots []booking.Slot
	for {
		var err error
		slots, err = s.booker.Slots(c.Request.Context(), booking.SlotSearch{
			TopicSlug: v.Topic.Slug, Language: v.Language, Mode: mode, From: week, To: addWeeks(week, 1),
		})
		if err != nil {
			return err
		}
		// Without a week asked for, the first week with a free time.
		if given || len(slots) > 0 || !week.Before(last) {
			break
		}
		week = addWeeks(week, 1)
	}
	base := p.Base + "/move"
	p.page.SwitchURL = s.newPage(c, &url.URL{Path: base, RawQuery: url.Values{"week": {week.Format(time.DateOnly)}}.Encode()}).SwitchURL
	p.WeekLabel = i18n.Week(p.Lang, week)
	if week.After(first) {
		p.PrevURL = base + "?week=" + addWeeks(week, -1).Format(time.DateOnly)
	}
	if week.Before(last) {
		p.NextURL = base + "?week=" + addWeeks(week, 1).Format(time.DateOnly)
	}
	slices.SortStableFunc(slots, func(a, b booking.Slot) int { return a.Start.Compare(b.Start) })
	for i, sl := range slots {
		if sl.Start.Equal(v.Start) {
			continue // where it is already
		}
		local := sl.Start.In(s.loc)
		day := local.Format(time.DateOnly)
		if n := len(p.Days); n == 0 || p.Days[n-1].ID != "day-"+day {
			p.Days = append(p.Days, moveDay{ID: "day-" + day, Date: local})
		}
		d := &p.Days[len(p.Days)-1]
		d.Slots = append(d.Slots, moveSlot{ID: "start-" + strconv.Itoa(i), Value: sl.Start.UTC().Format(time.RFC3339), Start: sl.Start, End: sl.End})
	}
	p.Week = week.Format(time.DateOnly)
	return s.render(c, status, "move", p)
}

// apiMoveRequest is the body of POST /api/bookings/{token}/move.
type apiMoveRequest struct {
	Start       time.Time `json:"start"`
	LibrarianID int64     `json:"librarian_id"`
}

func (s *Server) apiMove(c *gin.Context) error {
	token := c.Param("token")
	if !validToken(token) {
		return errAPI(http.StatusNotFound, "not_found", "")
	}
	if err := requireJSON(c); err != nil {
		return err
	}
	var body apiMoveRequest
	if err := decodeJSON(c.Request.Body, &body); err != nil {
		return err
	}
	if body.Start.IsZero() {
		return errAPI(http.StatusUnprocessableEntity, "required", "start")
	}
	v, err := s.booker.Move(c.Request.Context(), token, booking.MoveRequest{Start: body.Start, LibrarianID: body.LibrarianID})
	if err != nil {
		return withToken(err, token)
	}
	c.JSON(http.StatusOK, gin.H{"booking": toAPIBooking(v)})
	return nil
}
