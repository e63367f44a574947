package web

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
)

// The outbox's health for admins: how many messages wait and how many
// failed, the failed ones with their last error, and a button that puts
// one back in the queue once the cause is dealt with.

// Outbox is what the admin's e-mail page needs from the outbox (the
// store's).
type Outbox interface {
	OutboxStats(ctx context.Context) (booking.OutboxStats, error)
	// FailedMessages lists the newest failed messages, at most limit.
	FailedMessages(ctx context.Context, limit int) ([]booking.FailedMessage, error)
	// RequeueMessage puts a failed message back in the queue, due at now.
	// booking.ErrNotFound when there is no such message,
	// booking.ErrConflict when it is not failed.
	RequeueMessage(ctx context.Context, id int64, now time.Time) error
}

// maxFailedShown bounds the failed messages listed.
const maxFailedShown = 100

type outboxPage struct {
	staffPage
	Stats  booking.OutboxStats
	Failed []booking.FailedMessage
	// More is true when there are more failed messages than listed.
	More bool
}

// KindName is a message kind in the page's language.
func (p outboxPage) KindName(k booking.MessageKind) string {
	if _, ok := i18n.Lookup(p.Lang, "staff.outbox.kind."+string(k)); ok {
		return p.T("staff.outbox.kind." + string(k))
	}
	return string(k)
}

func (s *Server) adminOutbox(c *gin.Context) error {
	ctx := c.Request.Context()
	ob := s.cfg.Staff.Outbox
	st, err := ob.OutboxStats(ctx)
	if err != nil {
		return err
	}
	failed, err := ob.FailedMessages(ctx, maxFailedShown)
	if err != nil {
		return err
	}
	p := outboxPage{staffPage: s.newStaffPage(c, me(c)), Stats: st, Failed: failed, More: st.Failed > len(failed)}
	return s.render(c, http.StatusOK, "admin_outbox", p)
}

// adminRetryMessage requeues a failed message; the sender takes it at
// its next look at the outbox.
func (s *Server) adminRetryMessage(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.cfg.Staff.Outbox.RequeueMessage(c.Request.Context(), id, s.now()); err != nil {
		return err
	}
	s.logger.Info("admin requeued a failed message", "admin", me(c).Username, "message", id)
	return done(c, "/admin/outbox", "requeued")
}
