package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// POST /api/inquiries (API.md): a desk system or chat plug-in logs an
// inquiry in a staff member's name, with their API token as a bearer
// token. The body is the log's form as JSON; the inquiry holds no
// personal data of the student's.

type apiInquiryRequest struct {
	Channel string   `json:"channel"`
	Topic   string   `json:"topic"` // a topic's slug; "" or "other" for other
	Tags    []string `json:"tags"`
	READ    int      `json:"read"`
	Minutes int      `json:"minutes"`
	Outcome string   `json:"outcome"`
	Note    string   `json:"note"`
}

type apiInquiry struct {
	ID      int64     `json:"id"`
	Channel string    `json:"channel"`
	Topic   string    `json:"topic"`
	Tags    []string  `json:"tags"`
	READ    int       `json:"read"`
	Minutes int       `json:"minutes"`
	Outcome string    `json:"outcome"`
	Note    string    `json:"note"`
	At      time.Time `json:"at"`
}

// apiStaff authenticates the request's bearer token; 401 with a
// WWW-Authenticate challenge otherwise (RFC 6750).
func (s *Server) apiStaff(c *gin.Context) (booking.User, error) {
	auth := c.GetHeader("Authorization")
	scheme, token, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		c.Header("WWW-Authenticate", `Bearer realm="veileder"`)
		return booking.User{}, errAPI(http.StatusUnauthorized, "unauthorized", "")
	}
	u, err := s.cfg.Staff.Tokens.UserByAPIToken(c.Request.Context(), strings.TrimSpace(token))
	if errors.Is(err, booking.ErrUnauthenticated) {
		c.Header("WWW-Authenticate", `Bearer realm="veileder", error="invalid_token"`)
		return booking.User{}, errAPI(http.StatusUnauthorized, "unauthorized", "")
	}
	if err != nil {
		return booking.User{}, err
	}
	if roleRank(u.Role) < roleRank(booking.RoleDesk) {
		return booking.User{}, errAPI(http.StatusForbidden, "forbidden", "")
	}
	return u, nil
}

func (s *Server) apiLogInquiry(c *gin.Context) error {
	u, err := s.apiStaff(c)
	if err != nil {
		return err
	}
	if err := requireJSON(c); err != nil {
		return err
	}
	var body apiInquiryRequest
	if err := decodeJSON(c.Request.Body, &body); err != nil {
		return err
	}
	q := booking.Inquiry{UserID: u.ID, Channel: booking.Channel(body.Channel), READ: body.READ, Minutes: body.Minutes,
		Outcome: booking.Outcome(body.Outcome), Note: strings.TrimSpace(body.Note)}
	// A booking marks its inquiry booked (staff_desk_book.go); a client
	// cannot claim one.
	if q.Outcome == booking.OutcomeBooked {
		return errAPI(http.StatusUnprocessableEntity, "invalid", "outcome")
	}
	topic := ""
	if slug := strings.TrimSpace(body.Topic); slug != "" && slug != "other" {
		t, err := s.booker.Catalog(c.Request.Context())
		if err != nil {
			return err
		}
		for _, tp := range t.Topics {
			if tp.Slug == slug {
				q.TopicID, topic = tp.ID, tp.Slug
			}
		}
		if q.TopicID == 0 {
			return errAPI(http.StatusUnprocessableEntity, "invalid", "topic")
		}
	}
	if q.Tags, err = booking.ParseTags(strings.Join(body.Tags, ",")); err != nil {
		return err
	}
	saved, err := s.cfg.Staff.Desk.CreateInquiry(c.Request.Context(), q)
	if err != nil {
		return err
	}
	s.logger.Info("inquiry logged over the API", "user", u.Username)
	tags := saved.Tags
	if tags == nil {
		tags = []string{}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, gin.H{"inquiry": apiInquiry{ID: saved.ID, Channel: string(saved.Channel), Topic: topic, Tags: tags,
		READ: saved.READ, Minutes: saved.Minutes, Outcome: string(saved.Outcome), Note: saved.Note, At: saved.At.UTC()}})
	return nil
}
