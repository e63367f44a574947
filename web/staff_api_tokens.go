package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// API tokens: every staff member makes and revokes their own tokens for
// the JSON API (POST /api/inquiries, api_inquiries.go), as app passwords
// are made for calendar apps. The plain token is shown once, in the
// answer to the POST; only its hash is stored.

// TokenStore is what the token page and the API's authentication need.
type TokenStore interface {
	CreateAPIToken(ctx context.Context, userID int64, label string) (plain string, id int64, err error)
	APITokens(ctx context.Context, userID int64) ([]booking.APIToken, error)
	RevokeAPIToken(ctx context.Context, userID, id int64) error
	// UserByAPIToken is booking.ErrUnauthenticated for a token that is
	// malformed, unknown, revoked, or of a disabled user.
	UserByAPIToken(ctx context.Context, plain string) (booking.User, error)
}

func (s *Server) tokensEnabled() bool { return s.cfg.Staff.Tokens != nil && s.deskEnabled() }

type tokensPage struct {
	staffPage
	Tokens             []booking.APIToken
	NewToken, NewLabel string
}

func (s *Server) renderTokens(c *gin.Context, status int, plain, label string, errs []formError) error {
	list, err := s.cfg.Staff.Tokens.APITokens(c.Request.Context(), me(c).ID)
	if err != nil {
		return err
	}
	p := tokensPage{staffPage: s.newStaffPage(c, me(c)), Tokens: list, NewToken: plain, NewLabel: label}
	p.Errors = errs
	return s.render(c, status, "staff_api_tokens", p)
}

func (s *Server) staffAPITokens(c *gin.Context) error {
	return s.renderTokens(c, http.StatusOK, "", "", nil)
}

func (s *Server) staffCreateAPIToken(c *gin.Context) error {
	u := me(c)
	label := strings.TrimSpace(c.PostForm("label"))
	if label == "" || len([]rune(label)) > 100 {
		return s.renderTokens(c, http.StatusUnprocessableEntity, "", "", []formError{{Field: "label", Message: T(s.lang(c), "tokens.label.invalid")}})
	}
	plain, _, err := s.cfg.Staff.Tokens.CreateAPIToken(c.Request.Context(), u.ID, label)
	if errors.Is(err, booking.ErrInvalid) {
		return s.renderTokens(c, http.StatusUnprocessableEntity, "", "", []formError{{Field: "label", Message: T(s.lang(c), "tokens.label.invalid")}})
	}
	if err != nil {
		return err
	}
	s.logger.Info("API token created", "user", u.Username)
	return s.renderTokens(c, http.StatusOK, plain, label, nil)
}

func (s *Server) staffRevokeAPIToken(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.cfg.Staff.Tokens.RevokeAPIToken(c.Request.Context(), me(c).ID, id); err != nil {
		return err
	}
	return done(c, "/staff/api-tokens", "tokenrevoked")
}
