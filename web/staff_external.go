package web

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// External calendars: a librarian's published Outlook or Google calendar
// links (/staff/external), or, for an admin, any user's
// (/admin/users/:id/external), and the admin's overview of everyone's
// (/admin/external). The link is a secret: once saved, only its host hint
// is shown.

// ExternalCalendars is what the pages need from the external calendars
// and the private bookings links.
type ExternalCalendars interface {
	// AddExternal fetches the feed once and stores it only if it reads;
	// a refused address or feed is an error with a FeedReason.
	AddExternal(ctx context.Context, userID int64, rawURL, name string) (booking.ExternalCalendar, error)
	RemoveExternal(ctx context.Context, userID, id int64) error
	// ExternalCalendars lists a user's calendars, or everyone's for 0.
	ExternalCalendars(ctx context.Context, userID int64) ([]booking.ExternalCalendar, error)
	// RefreshExternal fetches a user's calendars now and waits.
	RefreshExternal(ctx context.Context, userID int64) error
	ExternalPrefs(ctx context.Context, userID int64) (booking.ExternalPrefs, error)
	SetExternalPrefs(ctx context.Context, userID int64, p booking.ExternalPrefs) error
	// FlagAfter is how long a feed fails before it is flagged.
	FlagAfter() time.Duration

	// BookingsLink is the user's private bookings ICS link, empty when
	// there is none; RenewBookingsLink makes a new one (the old one stops
	// working), RevokeBookingsLink ends it.
	BookingsLink(ctx context.Context, userID int64) (string, error)
	RenewBookingsLink(ctx context.Context, userID int64) (string, error)
	RevokeBookingsLink(ctx context.Context, userID int64) error
}

// maxExternalName bounds a calendar's name, as the store does.
const maxExternalName = 100

type externalPage struct {
	staffPage
	Target    booking.User
	Base      string
	Calendars []externalView
	Prefs     booking.ExternalPrefs
	Form      externalForm
}

type externalForm struct{ Name, URL string }

type externalView struct {
	booking.ExternalCalendar
	Flagged bool
	// Owner names the librarian, on the admin overview.
	Owner booking.User
}

// Why says why a calendar's last fetch failed, in the page's language
// when the reason is known, else as stored.
func (p staffPage) Why(v externalView) string {
	if msg, ok := reasonText(p.Lang, v.Reason, v.ReasonArg); ok {
		return msg
	}
	return v.Error
}

func (s *Server) staffExternal(c *gin.Context) error {
	target, base, err := s.targetUser(c, "external")
	if err != nil {
		return err
	}
	return s.renderExternal(c, http.StatusOK, target, base, externalForm{}, nil)
}

func (s *Server) renderExternal(c *gin.Context, status int, target booking.User, base string, form externalForm, errs []formError) error {
	ctx := c.Request.Context()
	ext := s.cfg.Staff.External
	cs, err := ext.ExternalCalendars(ctx, target.ID)
	if err != nil {
		return err
	}
	prefs, err := ext.ExternalPrefs(ctx, target.ID)
	if err != nil {
		return err
	}
	p := externalPage{staffPage: s.newStaffPage(c, me(c)), Target: target, Base: base, Prefs: prefs, Form: form}
	p.Errors = errs
	now, after := s.now(), ext.FlagAfter()
	for _, cal := range cs {
		p.Calendars = append(p.Calendars, externalView{ExternalCalendar: cal, Flagged: cal.Flagged(now, after)})
	}
	return s.render(c, status, "staff_external", p)
}

func (s *Server) staffAddExternal(c *gin.Context) error {
	target, base, err := s.targetUser(c, "external")
	if err != nil {
		return err
	}
	form := externalForm{Name: strings.TrimSpace(c.PostForm("name")), URL: strings.TrimSpace(c.PostForm("url"))}
	lang := s.lang(c)
	fail := func(field, msg string) error {
		// The address is not typed back: it is a secret, and the page
		// may be left open.
		form.URL = ""
		return s.renderExternal(c, http.StatusUnprocessableEntity, target, base, form, []formError{{Field: field, Message: msg}})
	}
	switch {
	case form.Name == "":
		return fail("name", T(lang, "staff.external.name.required"))
	case len([]rune(form.Name)) > maxExternalName:
		return fail("name", T(lang, "staff.external.name.too_long", maxExternalName))
	}
	_, err = s.cfg.Staff.External.AddExternal(c.Request.Context(), target.ID, form.URL, form.Name)
	if msg, ok := feedMessage(lang, err); ok {
		return fail("url", msg)
	}
	if errors.Is(err, booking.ErrConflict) {
		return fail("url", T(lang, "staff.external.url.taken"))
	}
	if err != nil {
		return err
	}
	return done(c, base, "external.added")
}

func (s *Server) staffRemoveExternal(c *gin.Context) error {
	target, base, err := s.targetUser(c, "external")
	if err != nil {
		return err
	}
	id, err := s.idParam(c, "cal")
	if err != nil {
		return err
	}
	if err := s.cfg.Staff.External.RemoveExternal(c.Request.Context(), target.ID, id); err != nil {
		return err
	}
	return done(c, base, "external.removed")
}

func (s *Server) staffRefreshExternal(c *gin.Context) error {
	target, base, err := s.targetUser(c, "external")
	if err != nil {
		return err
	}
	if err := s.cfg.Staff.External.RefreshExternal(c.Request.Context(), target.ID); err != nil {
		return err
	}
	return done(c, base, "external.refreshed")
}

func (s *Server) staffExternalPrefs(c *gin.Context) error {
	target, base, err := s.targetUser(c, "external")
	if err != nil {
		return err
	}
	p := booking.ExternalPrefs{
		InviteBookings: c.PostForm("invite_bookings") == "1",
		NotifyFailing:  c.PostForm("notify_failing") == "1",
	}
	if err := s.cfg.Staff.External.SetExternalPrefs(c.Request.Context(), target.ID, p); err != nil {
		return err
	}
	return done(c, base, "saved")
}

// The admin's overview.

type adminExternalPage struct {
	staffPage
	Calendars []externalView
	Flagged   int
}

func (s *Server) adminExternal(c *gin.Context) error {
	ctx := c.Request.Context()
	ext := s.cfg.Staff.External
	cs, err := ext.ExternalCalendars(ctx, 0)
	if err != nil {
		return err
	}
	users, err := s.cfg.Staff.Store.Users(ctx)
	if err != nil {
		return err
	}
	byID := make(map[int64]booking.User, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	p := adminExternalPage{staffPage: s.newStaffPage(c, me(c))}
	now, after := s.now(), ext.FlagAfter()
	for _, cal := range cs {
		v := externalView{ExternalCalendar: cal, Flagged: cal.Flagged(now, after), Owner: byID[cal.UserID]}
		if v.Flagged {
			p.Flagged++
		}
		p.Calendars = append(p.Calendars, v)
	}
	// Flagged first, then failing, longest first; then by librarian.
	slices.SortStableFunc(p.Calendars, func(a, b externalView) int {
		if a.Flagged != b.Flagged {
			if a.Flagged {
				return -1
			}
			return 1
		}
		af, bf := a.State == booking.ExternalFailing, b.State == booking.ExternalFailing
		if af != bf {
			if af {
				return -1
			}
			return 1
		}
		if af {
			if n := a.FailingSince.Compare(b.FailingSince); n != 0 {
				return n
			}
		}
		return cmp.Or(strings.Compare(a.Owner.Name(), b.Owner.Name()), cmp.Compare(a.ID, b.ID))
	})
	return s.render(c, http.StatusOK, "admin_external", p)
}

// The private bookings link, on the calendar set-up page.

func (s *Server) staffRenewBookingsLink(c *gin.Context) error {
	if _, err := s.cfg.Staff.External.RenewBookingsLink(c.Request.Context(), me(c).ID); err != nil {
		return err
	}
	return done(c, "/staff/caldav", "bookingslink.renewed")
}

func (s *Server) staffRevokeBookingsLink(c *gin.Context) error {
	if err := s.cfg.Staff.External.RevokeBookingsLink(c.Request.Context(), me(c).ID); err != nil {
		return err
	}
	return done(c, "/staff/caldav", "bookingslink.revoked")
}
