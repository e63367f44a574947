package web

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// Drop-in tags that name no topic: a session tagged #zotro instead of
// #zotero shows under no theme and in no theme's feed. The feeds log them
// when a session is written; this page lists them for admins to correct.

// DropInTags is what the admin's tag page needs from the drop-in feeds
// (feeds.Service).
type DropInTags interface {
	// UnknownTags lists the tags in drop-in sessions that name no topic.
	UnknownTags(ctx context.Context) ([]booking.DropInTag, error)
}

type dropinTagsPage struct {
	staffPage
	Tags []booking.DropInTag
}

func (s *Server) adminDropinTags(c *gin.Context) error {
	tags, err := s.cfg.Staff.DropInTags.UnknownTags(c.Request.Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin_dropin_tags", dropinTagsPage{staffPage: s.newStaffPage(c, me(c)), Tags: tags})
}
