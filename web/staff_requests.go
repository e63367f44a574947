package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// Requests (booking/request.go): desk staff file one when no free time
// fits (/staff/requests/new, or from a log entry); the librarians with
// the competence see the open ones in their list (/staff/requests), one
// takes it, offers times from their own free slots or books one
// directly; any staff member may close one with a reason. Students file
// their own from /request/:slug and book from /requests/:token
// (request.go).

// RequestService is what the request pages need from the scheduling
// service.
type RequestService interface {
	File(ctx context.Context, r booking.HelpRequest) (booking.HelpRequest, error)
	Take(ctx context.Context, id, by int64) (booking.HelpRequest, error)
	Close(ctx context.Context, id, by int64, reason string) (booking.HelpRequest, error)
	View(ctx context.Context, id int64) (booking.RequestView, error)
	ByToken(ctx context.Context, token string) (booking.RequestView, error)
	// Slots are librarian by's free slots for the request.
	Slots(ctx context.Context, id, by int64) ([]booking.Slot, error)
	Offer(ctx context.Context, id, by int64, picks []booking.OfferPick) (booking.HelpRequest, error)
	BookOffer(ctx context.Context, token string, offerID int64) (booking.View, string, error)
	BookDirect(ctx context.Context, id, by int64, start time.Time, online bool) (booking.View, error)
	// ResponseDays is the response target in working days.
	ResponseDays() int
}

// RequestStore is what the request pages read from the store.
type RequestStore interface {
	Requests(ctx context.Context, f booking.RequestSearch) ([]booking.HelpRequest, error)
	OverdueRequests(ctx context.Context, now time.Time) ([]booking.HelpRequest, error)
}

func (s *Server) requestsEnabled() bool {
	return s.cfg.Staff.Requests != nil && s.cfg.Staff.RequestStore != nil
}

// requestForm is the request form as typed, on the staff and the
// student pages.
type requestForm struct {
	Topic                       string // slug
	Inquiry                     int64
	Need, Times, Language, Mode string
	Name, Email, Locale         string
	Consent                     bool
}

func readRequestForm(c *gin.Context) requestForm {
	f := requestForm{Topic: c.PostForm("topic"), Need: c.PostForm("need"), Times: c.PostForm("times"),
		Language: c.PostForm("language"), Mode: c.PostForm("mode"), Name: strings.TrimSpace(c.PostForm("name")),
		Email: strings.TrimSpace(c.PostForm("email")), Locale: c.PostForm("locale"), Consent: c.PostForm("consent") == "yes"}
	if id, err := strconv.ParseInt(c.PostForm("inquiry"), 10, 64); err == nil && id > 0 {
		f.Inquiry = id
	}
	return f
}

// fileRequest files f as the staff member by (0: the student), and
// returns the form's errors, if any.
func (s *Server) fileRequest(c *gin.Context, f requestForm, topicID, by int64) (booking.HelpRequest, []formError, error) {
	lang := s.lang(c)
	if !f.Consent {
		return booking.HelpRequest{}, []formError{{Field: "consent", Message: T(lang, "request.error.consent")}}, nil
	}
	r, err := s.cfg.Staff.Requests.File(c.Request.Context(), booking.HelpRequest{
		TopicID: topicID, Need: f.Need, Times: f.Times, Language: f.Language, Mode: booking.Mode(f.Mode),
		StudentName: f.Name, StudentEmail: f.Email, Locale: f.Locale, FiledBy: by, InquiryID: f.Inquiry,
	})
	var fe *booking.FieldError
	switch {
	case err == nil:
		return r, nil, nil
	case errors.As(err, &fe):
		return r, []formError{{Field: fe.Field, Message: T(lang, "request.error."+fe.Field)}}, nil
	case errors.Is(err, booking.ErrNotFound) && f.Inquiry != 0:
		return r, []formError{{Message: T(lang, "desk.book.error.inquiry")}}, nil
	}
	return r, nil, err
}

type requestNewPage struct {
	staffPage
	Form   requestForm
	Topics []booking.TopicListing
	Days   int
}

func (s *Server) newRequestNewPage(c *gin.Context, f requestForm) (requestNewPage, error) {
	p := requestNewPage{staffPage: s.newStaffPage(c, me(c)), Form: f, Days: s.cfg.Staff.Requests.ResponseDays()}
	all, err := s.cfg.Staff.Store.AllTopics(c.Request.Context())
	if err != nil {
		return p, err
	}
	for _, t := range all {
		if t.Active {
			p.Topics = append(p.Topics, t)
		}
	}
	return p, nil
}

// staffNewRequest shows the form, with the topic and entry of the query
// (the desk log's "file a request").
func (s *Server) staffNewRequest(c *gin.Context) error {
	f := requestForm{Topic: c.Query("topic"), Locale: s.lang(c)}
	if id, err := strconv.ParseInt(c.Query("inquiry"), 10, 64); err == nil && id > 0 {
		f.Inquiry = id
	}
	p, err := s.newRequestNewPage(c, f)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff_request_new", p)
}

func (s *Server) staffFileRequest(c *gin.Context) error {
	f := readRequestForm(c)
	p, err := s.newRequestNewPage(c, f)
	if err != nil {
		return err
	}
	var topicID int64
	for _, t := range p.Topics {
		if t.Slug == f.Topic {
			topicID = t.ID
		}
	}
	u := me(c)
	r, errs, err := s.fileRequest(c, f, topicID, u.ID)
	if err != nil {
		return err
	}
	if errs != nil {
		p.Errors = errs
		return s.render(c, http.StatusUnprocessableEntity, "staff_request_new", p)
	}
	s.logger.Info("request filed by staff", "user", u.Username, "request", r.ID, "topic", f.Topic)
	if u.Role == booking.RoleDesk && s.deskEnabled() {
		return done(c, s.deskHome(), "requestfiled")
	}
	return done(c, "/staff/requests/"+strconv.FormatInt(r.ID, 10), "requestfiled")
}

// requestRow is a request as the lists show it.
type requestRow struct {
	booking.HelpRequest
	TopicName string
	Overdue   bool
}

type requestsPage struct {
	staffPage
	Open, Mine []requestRow
	Days       int
}

// myTopics are the topic IDs of the user's competences.
func (s *Server) myTopics(ctx context.Context, userID int64) ([]int64, error) {
	comps, err := s.cfg.Staff.Store.Competences(ctx, userID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(comps))
	for _, c := range comps {
		ids = append(ids, c.TopicID)
	}
	return ids, nil
}

func (s *Server) requestRows(ctx context.Context, lang string, list []booking.HelpRequest) ([]requestRow, error) {
	all, err := s.cfg.Staff.Store.AllTopics(ctx)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, t := range all {
		names[t.ID] = t.Name(lang)
	}
	now := s.now()
	out := make([]requestRow, 0, len(list))
	for _, r := range list {
		out = append(out, requestRow{HelpRequest: r, TopicName: names[r.TopicID], Overdue: r.Overdue(now)})
	}
	return out, nil
}

// staffRequests lists the open requests in the librarian's topics (all
// of them for an admin) and those they took that are not done.
func (s *Server) staffRequests(c *gin.Context) error {
	ctx := c.Request.Context()
	u := me(c)
	p := requestsPage{staffPage: s.newStaffPage(c, u), Days: s.cfg.Staff.Requests.ResponseDays()}
	f := booking.RequestSearch{States: []booking.RequestState{booking.RequestOpen}}
	if u.Role != booking.RoleAdmin {
		ids, err := s.myTopics(ctx, u.ID)
		if err != nil {
			return err
		}
		f.TopicIDs = ids
	}
	var open []booking.HelpRequest
	if u.Role == booking.RoleAdmin || len(f.TopicIDs) > 0 {
		var err error
		if open, err = s.cfg.Staff.RequestStore.Requests(ctx, f); err != nil {
			return err
		}
	}
	mine, err := s.cfg.Staff.RequestStore.Requests(ctx, booking.RequestSearch{TakenBy: u.ID,
		States: []booking.RequestState{booking.RequestTaken, booking.RequestOffered}})
	if err != nil {
		return err
	}
	if p.Open, err = s.requestRows(ctx, p.Lang, open); err != nil {
		return err
	}
	if p.Mine, err = s.requestRows(ctx, p.Lang, mine); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff_requests", p)
}

type requestPage struct {
	staffPage
	V       booking.RequestView
	Overdue bool
	// CanTake: open, and the user holds the competence; Yours: the user
	// took it and it is not done.
	CanTake, Yours, Librarian bool
	Slots                     []booking.Slot
	Chosen                    []string
	Reason                    string
}

// SlotValue is a slot's value in the offer and booking forms.
func (p requestPage) SlotValue(sl booking.Slot) string {
	return sl.Start.UTC().Format(time.RFC3339) + " " + modeOf(sl.Online)
}

// Picked says whether the offer form had the slot checked.
func (p requestPage) Picked(sl booking.Slot) bool { return slices.Contains(p.Chosen, p.SlotValue(sl)) }

// StateName and ModeName are a request's words.
func (p page) StateName(st booking.RequestState) string { return p.T("request.state." + string(st)) }
func (p page) RequestMode(m booking.Mode) string {
	if m == booking.ModeAny {
		return p.T("request.mode.any")
	}
	return p.T("request.mode." + string(m))
}

func (s *Server) newRequestPage(c *gin.Context, id int64) (requestPage, error) {
	ctx := c.Request.Context()
	u := me(c)
	p := requestPage{staffPage: s.newStaffPage(c, u), Librarian: roleRank(u.Role) >= roleRank(booking.RoleLibrarian)}
	v, err := s.cfg.Staff.Requests.View(ctx, id)
	if err != nil {
		return p, err
	}
	if v.Anonymised {
		return p, errStatus(http.StatusNotFound)
	}
	p.V, p.Overdue = v, v.Overdue(s.now())
	if p.Librarian {
		ids, err := s.myTopics(ctx, u.ID)
		if err != nil {
			return p, err
		}
		p.CanTake = v.State == booking.RequestOpen && slices.Contains(ids, v.TopicID)
		p.Yours = v.TakenBy == u.ID && !v.State.Final()
		if p.Yours {
			slots, err := s.cfg.Staff.Requests.Slots(ctx, id, u.ID)
			if err != nil && !errors.Is(err, booking.ErrForbidden) {
				return p, err
			}
			const shown = 40
			if len(slots) > shown {
				slots = slots[:shown]
			}
			p.Slots = slots
		}
	}
	return p, nil
}

func (s *Server) staffRequest(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	p, err := s.newRequestPage(c, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff_request", p)
}

// requestFailed brings the request's page back with what went wrong, or
// returns the error for errors.go.
func (s *Server) requestFailed(c *gin.Context, id int64, err error, p func(*requestPage)) error {
	lang := s.lang(c)
	var msg, field string
	var fe *booking.FieldError
	switch {
	case errors.Is(err, booking.ErrConflict):
		msg = T(lang, "request.error.conflict")
	case errors.Is(err, booking.ErrSlotTaken):
		msg, field = T(lang, "request.error.taken"), "slots"
	case errors.Is(err, booking.ErrForbidden):
		msg = T(lang, "request.error.forbidden")
	case errors.Is(err, booking.ErrLimitReached):
		msg = T(lang, "desk.book.error.limit")
	case errors.As(err, &fe):
		field = fe.Field
		if field == "offers" || field == "start" {
			field = "slots"
		}
		msg = T(lang, "request.error."+fe.Field)
	default:
		return err
	}
	page, perr := s.newRequestPage(c, id)
	if perr != nil {
		return perr
	}
	page.Errors = []formError{{Field: field, Message: msg}}
	if p != nil {
		p(&page)
	}
	return s.render(c, http.StatusConflict, "staff_request", page)
}

func (s *Server) staffTakeRequest(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.cfg.Staff.Requests.Take(c.Request.Context(), id, me(c).ID); err != nil {
		return s.requestFailed(c, id, err, nil)
	}
	return done(c, "/staff/requests/"+strconv.FormatInt(id, 10), "requesttaken")
}

func (s *Server) staffOfferRequest(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	values := c.PostFormArray("slot")
	var picks []booking.OfferPick
	for _, v := range values {
		start, mode, err := parseSlotValue(v)
		if err != nil {
			return errStatus(http.StatusBadRequest)
		}
		picks = append(picks, booking.OfferPick{Start: start, Online: mode == booking.ModeOnline})
	}
	if _, err := s.cfg.Staff.Requests.Offer(c.Request.Context(), id, me(c).ID, picks); err != nil {
		return s.requestFailed(c, id, err, func(p *requestPage) { p.Chosen = values })
	}
	return done(c, "/staff/requests/"+strconv.FormatInt(id, 10), "requestoffered")
}

func (s *Server) staffBookRequest(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	start, mode, err := parseSlotValue(c.PostForm("start"))
	if err != nil {
		return s.requestFailed(c, id, &booking.FieldError{Field: "start", Code: "required"}, nil)
	}
	if _, err := s.cfg.Staff.Requests.BookDirect(c.Request.Context(), id, me(c).ID, start, mode == booking.ModeOnline); err != nil {
		return s.requestFailed(c, id, err, nil)
	}
	return done(c, "/staff/requests/"+strconv.FormatInt(id, 10), "requestbooked")
}

func (s *Server) staffCloseRequest(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	reason := c.PostForm("reason")
	if _, err := s.cfg.Staff.Requests.Close(c.Request.Context(), id, me(c).ID, reason); err != nil {
		return s.requestFailed(c, id, err, func(p *requestPage) { p.Reason = reason })
	}
	return done(c, "/staff/requests/"+strconv.FormatInt(id, 10), "requestclosed")
}
