package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// POST /api/requests (API.md): a desk system or chat plug-in files a
// request in a staff member's name, with their API token as a bearer
// token, as the desk's form does (staff_requests.go).

type apiRequestBody struct {
	Topic    string `json:"topic"` // a topic's slug
	Need     string `json:"need"`
	Times    string `json:"preferred_times"`
	Language string `json:"language"`
	Mode     string `json:"mode"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Locale   string `json:"locale"`
	Inquiry  int64  `json:"inquiry"`
	Consent  bool   `json:"consent"`
}

type apiHelpRequest struct {
	ID      int64     `json:"id"`
	Topic   string    `json:"topic"`
	State   string    `json:"state"`
	Due     time.Time `json:"due"`
	Inquiry int64     `json:"inquiry,omitempty"`
	Created time.Time `json:"created"`
}

func (s *Server) apiFileRequest(c *gin.Context) error {
	u, err := s.apiStaff(c)
	if err != nil {
		return err
	}
	if err := requireJSON(c); err != nil {
		return err
	}
	var body apiRequestBody
	if err := decodeJSON(c.Request.Body, &body); err != nil {
		return err
	}
	if !body.Consent {
		return errAPI(http.StatusUnprocessableEntity, "required", "consent")
	}
	cat, err := s.booker.Catalog(c.Request.Context())
	if err != nil {
		return err
	}
	t, ok := findTopic(cat, strings.TrimSpace(body.Topic))
	if !ok {
		return errAPI(http.StatusUnprocessableEntity, "invalid", "topic")
	}
	r, err := s.cfg.Staff.Requests.File(c.Request.Context(), booking.HelpRequest{
		TopicID: t.ID, Need: body.Need, Times: body.Times, Language: body.Language, Mode: booking.Mode(body.Mode),
		StudentName: body.Name, StudentEmail: body.Email, Locale: body.Locale, FiledBy: u.ID, InquiryID: body.Inquiry,
	})
	if errors.Is(err, booking.ErrNotFound) && body.Inquiry != 0 {
		return errAPI(http.StatusUnprocessableEntity, "invalid", "inquiry")
	}
	if err != nil {
		return err
	}
	s.logger.Info("request filed over the API", "user", u.Username, "request", r.ID)
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, gin.H{"request": apiHelpRequest{ID: r.ID, Topic: t.Slug, State: string(r.State), Due: r.DueAt.UTC(),
		Inquiry: r.InquiryID, Created: r.CreatedAt.UTC()}})
	return nil
}
