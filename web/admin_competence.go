package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
)

// Competence development for section heads: per topic, the demand (the
// first line's inquiries, bookings, unmet searches) against the supply
// (the librarians holding it, the hours they were booked), one sentence
// naming each topic's gap, a weekly trend as an SVG chart like the
// statistics page's, and CSV. booking.DevelopCompetence computes it from
// records that hold no personal data.

// CompetenceStore is what the page needs from the store besides
// StaffStore.
type CompetenceStore interface {
	InquiryFacts(ctx context.Context, from, to time.Time) ([]booking.Inquiry, error)
	BookingFacts(ctx context.Context, from, to time.Time) ([]booking.BookingFact, error)
	Demand(ctx context.Context, fromDate, toDate string) ([]booking.DemandRecord, error)
	LibrariansForTopic(ctx context.Context, topicID int64) ([]booking.Librarian, error)
	// RequestFacts lists the requests filed in [from, to), without
	// personal data.
	RequestFacts(ctx context.Context, from, to time.Time) ([]booking.RequestFact, error)
	// TagTopics and MapTag are the admins' mapping of free-text tags to
	// topics (topic 0 removes one).
	TagTopics(ctx context.Context) (map[string]int64, error)
	MapTag(ctx context.Context, tag string, topicID, by int64) error
}

// OfferedHours is what the page needs from the scheduling service: the
// time librarians offered for each topic in [from, to).
type OfferedHours interface {
	OfferedTimes(ctx context.Context, from, to time.Time) ([]booking.OfferedTime, error)
}

type competencePage struct {
	staffPage
	From, To string
	Rows     []booking.CompetenceRow
	Trend    statTable
	// Overdue are the requests past their response target now; Days is
	// the target.
	Overdue []requestRow
	Days    int
	// Tags are the period's unmapped tags of "other" inquiries, Topics
	// what they may be mapped to, Mapped the mapping so far.
	Tags   []booking.TagCount
	Topics []booking.TopicListing
	Mapped []mappedTag
	// Requests says the request figures are counted.
	Requests bool
}

type mappedTag struct{ Tag, Topic string }

// competenceReport reads the period's records and computes the report.
func (s *Server) competenceReport(ctx context.Context, from, to time.Time) ([]booking.CompetenceRow, error) {
	rows, _, err := s.competenceData(ctx, from, to)
	return rows, err
}

// competenceData computes the report and returns the period's inquiries
// with it (for the unmapped tags).
func (s *Server) competenceData(ctx context.Context, from, to time.Time) ([]booking.CompetenceRow, []booking.Inquiry, error) {
	rows, in, err := s.competenceInput(ctx, from, to)
	if err != nil {
		return nil, nil, err
	}
	return rows, in.Inquiries, nil
}

func (s *Server) competenceInput(ctx context.Context, from, to time.Time) ([]booking.CompetenceRow, booking.CompetenceInput, error) {
	in, err := s.readCompetenceInput(ctx, from, to)
	if err != nil {
		return nil, in, err
	}
	return booking.DevelopCompetence(in, s.loc), in, nil
}

func (s *Server) readCompetenceInput(ctx context.Context, from, to time.Time) (booking.CompetenceInput, error) {
	st := s.cfg.Staff.Competence
	all, err := s.cfg.Staff.Store.AllTopics(ctx)
	if err != nil {
		return booking.CompetenceInput{}, err
	}
	in := booking.CompetenceInput{From: from, To: to, Librarians: map[int64][]booking.SupplyLibrarian{}, Now: s.now()}
	for _, t := range all {
		if !t.Active {
			continue
		}
		in.Topics = append(in.Topics, t.Topic)
		libs, err := st.LibrariansForTopic(ctx, t.ID)
		if err != nil {
			return in, err
		}
		for _, l := range libs {
			sl := booking.SupplyLibrarian{ID: l.ID, Name: l.Name, Languages: l.Languages, Level: booking.LevelSecondary}
			for _, c := range l.Competences {
				if c.TopicID == t.ID {
					sl.Level = c.Level
					if len(c.Languages) > 0 {
						sl.Languages = c.Languages
					}
				}
			}
			in.Librarians[t.ID] = append(in.Librarians[t.ID], sl)
		}
	}
	if in.Inquiries, err = st.InquiryFacts(ctx, from, to); err != nil {
		return in, err
	}
	if in.Bookings, err = st.BookingFacts(ctx, from, to); err != nil {
		return in, err
	}
	last := to.AddDate(0, 0, -1).In(s.loc).Format(time.DateOnly)
	if in.Demand, err = st.Demand(ctx, from.In(s.loc).Format(time.DateOnly), last); err != nil {
		return in, err
	}
	if in.Requests, err = st.RequestFacts(ctx, from, to); err != nil {
		return in, err
	}
	if in.TagTopics, err = st.TagTopics(ctx); err != nil {
		return in, err
	}
	if s.cfg.Staff.Offered != nil {
		if in.Offered, err = s.cfg.Staff.Offered.OfferedTimes(ctx, from, to); err != nil {
			return in, err
		}
	}
	return in, nil
}

// TopicName is a row's topic in the page's language.
func (p competencePage) TopicName(r booking.CompetenceRow) string {
	if r.Topic.ID == 0 {
		return p.T("desk.topic.other")
	}
	return r.Topic.Name(p.Lang)
}

// Sentence names the row's demand and supply, and its gap, in one
// sentence.
func (p competencePage) Sentence(r booking.CompetenceRow) string {
	return competenceSentence(p.Lang, r)
}

func competenceSentence(lang string, r booking.CompetenceRow) string {
	name := r.Topic.Name(lang)
	if r.Topic.ID == 0 {
		name = T(lang, "desk.topic.other")
		if len(r.Tags) > 0 {
			name += " (" + strings.Join(r.Tags, ", ") + ")"
		}
		return T(lang, "comp.sentence.other", name, r.Inquiries, r.Referred)
	}
	s := T(lang, "comp.sentence", name, r.Inquiries, r.Referred, r.Bookings, r.Librarians(), r.Primary, hours(r.BookedMinutes), r.Unmet)
	if r.OfferedMinutes > 0 {
		s += " " + T(lang, "comp.sentence.offered", hours(r.OfferedMinutes))
	}
	if r.Requests > 0 {
		s += " " + T(lang, "comp.sentence.requests", r.Requests, r.OpenRequests, r.OverdueRequests)
	}
	switch {
	case r.OverdueRequests > 0:
		s += " " + T(lang, "comp.gap.overdue")
	case r.Demand() > 0 && r.Librarians() == 0:
		s += " " + T(lang, "comp.gap.nobody")
	case r.Unmet > 0:
		s += " " + T(lang, "comp.gap.unmet")
	case r.Referred > r.Bookings:
		s += " " + T(lang, "comp.gap.referred")
	}
	return s
}

// MeanREAD formats a row's mean READ level.
func (p competencePage) MeanREAD(r booking.CompetenceRow) string {
	if r.Inquiries == 0 {
		return "–"
	}
	return i18n.Decimal(p.Lang, r.MeanREAD(), 1)
}

// Hours formats minutes as hours, in the page's language.
func (p competencePage) Hours(min int) string { return i18n.Decimal(p.Lang, float64(min)/60, 1) }

// Share is part of whole as a whole percentage, "–" for none.
func (p competencePage) Share(part, whole int) string {
	if whole == 0 {
		return "–"
	}
	return strconv.Itoa((part*100+whole/2)/whole) + " %"
}

// trendTable is the demand of every topic by week: inquiries, bookings and
// unmet searches added up, as a chart of the statistics page's kind.
func trendTable(lang string, rows []booking.CompetenceRow) statTable {
	t := statTable{ID: "trend", Title: T(lang, "comp.trend"), ChartCol: 5,
		Columns: []string{T(lang, "staff.stats.col.week"), T(lang, "comp.col.inquiries"), T(lang, "comp.col.bookings"), T(lang, "comp.col.unmet"),
			T(lang, "comp.col.demand"), T(lang, "comp.col.requests"), T(lang, "comp.col.offered"), T(lang, "comp.col.booked")}}
	if len(rows) == 0 {
		return t
	}
	for i, w := range rows[0].Weeks {
		var inq, bk, un, rq, off, bm int
		for _, r := range rows {
			inq += r.Weeks[i].Inquiries
			bk += r.Weeks[i].Bookings
			un += r.Weeks[i].Unmet
			rq += r.Weeks[i].Requests
			off += r.Weeks[i].OfferedMinutes
			bm += r.Weeks[i].BookedMinutes
		}
		t.Rows = append(t.Rows, []string{w.Week, strconv.Itoa(inq), strconv.Itoa(bk), strconv.Itoa(un), strconv.Itoa(inq + bk + un + rq),
			strconv.Itoa(rq), hours(off), hours(bm)})
		t.Values = append(t.Values, inq+bk+un+rq)
	}
	return t
}

func (s *Server) adminCompetence(c *gin.Context) error {
	from, to, errs := s.statsRange(c)
	p := competencePage{staffPage: s.newStaffPage(c, me(c))}
	p.From, p.To = p.DateInput(from), p.DateInput(to.AddDate(0, 0, -1))
	p.Errors = errs
	if errs != nil {
		return s.render(c, http.StatusUnprocessableEntity, "admin_competence", p)
	}
	ctx := c.Request.Context()
	rows, in, err := s.competenceInput(ctx, from, to)
	if err != nil {
		return err
	}
	p.Rows = rows
	p.Trend = trendTable(p.Lang, rows)
	p.Tags = booking.UnmappedTags(in.Inquiries, in.TagTopics)
	all, err := s.cfg.Staff.Store.AllTopics(ctx)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, t := range all {
		names[t.ID] = t.Name(p.Lang)
		if t.Active {
			p.Topics = append(p.Topics, t)
		}
	}
	for tag, id := range in.TagTopics {
		p.Mapped = append(p.Mapped, mappedTag{tag, names[id]})
	}
	slices.SortFunc(p.Mapped, func(a, b mappedTag) int { return strings.Compare(a.Tag, b.Tag) })
	if s.requestsEnabled() {
		p.Requests, p.Days = true, s.cfg.Staff.Requests.ResponseDays()
		over, err := s.cfg.Staff.RequestStore.OverdueRequests(ctx, s.now())
		if err != nil {
			return err
		}
		if p.Overdue, err = s.requestRows(ctx, p.Lang, over); err != nil {
			return err
		}
	}
	return s.render(c, http.StatusOK, "admin_competence", p)
}

// adminCompetenceCSV sends the report as CSV: one row per topic and week,
// then the period's totals per topic (week "total").
func (s *Server) adminCompetenceCSV(c *gin.Context) error {
	from, to, errs := s.statsRange(c)
	if errs != nil {
		return errStatus(http.StatusBadRequest)
	}
	rows, err := s.competenceReport(c.Request.Context(), from, to)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	_ = w.Write([]string{"topic", "week", "inquiries", "mean_read", "referred", "bookings", "booked_at_desk", "unmet_searches",
		"primary_librarians", "secondary_librarians", "languages", "booked_hours", "offered_hours", "requests", "open_requests", "overdue_requests"})
	for _, r := range rows {
		slug := r.Topic.Slug
		if r.Topic.ID == 0 {
			slug = "other"
		}
		for _, wk := range r.Weeks {
			_ = w.Write([]string{slug, wk.Week, strconv.Itoa(wk.Inquiries), "", strconv.Itoa(wk.Referred), strconv.Itoa(wk.Bookings), "",
				strconv.Itoa(wk.Unmet), "", "", "", hours(wk.BookedMinutes), hours(wk.OfferedMinutes), strconv.Itoa(wk.Requests), "", ""})
		}
		mean := ""
		if r.Inquiries > 0 {
			mean = strconv.FormatFloat(r.MeanREAD(), 'f', 2, 64)
		}
		_ = w.Write([]string{slug, "total", strconv.Itoa(r.Inquiries), mean, strconv.Itoa(r.Referred), strconv.Itoa(r.Bookings), strconv.Itoa(r.AtDesk),
			strconv.Itoa(r.Unmet), strconv.Itoa(r.Primary), strconv.Itoa(r.Secondary), strings.Join(r.Languages, " "), hours(r.BookedMinutes),
			hours(r.OfferedMinutes), strconv.Itoa(r.Requests), strconv.Itoa(r.OpenRequests), strconv.Itoa(r.OverdueRequests)})
	}
	w.Flush()
	name := fmt.Sprintf("veileder-competence-%s-%s.csv", from.In(s.loc).Format(time.DateOnly), to.In(s.loc).AddDate(0, 0, -1).Format(time.DateOnly))
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	return nil
}

// adminMapTag maps a free-text tag to a topic (or, with no topic, removes
// the mapping); the competence figures then count its inquiries there.
func (s *Server) adminMapTag(c *gin.Context) error {
	tag := c.PostForm("tag")
	var topicID int64
	if slug := c.PostForm("topic"); slug != "" {
		all, err := s.cfg.Staff.Store.AllTopics(c.Request.Context())
		if err != nil {
			return err
		}
		for _, t := range all {
			if t.Slug == slug {
				topicID = t.ID
			}
		}
		if topicID == 0 {
			return errStatus(http.StatusBadRequest)
		}
	}
	if err := s.cfg.Staff.Competence.MapTag(c.Request.Context(), tag, topicID, me(c).ID); err != nil {
		if errors.Is(err, booking.ErrInvalid) {
			return errStatus(http.StatusBadRequest)
		}
		return err
	}
	back := "/admin/competence"
	if q := c.PostForm("range"); q != "" && !strings.ContainsAny(q, "\r\n#") && strings.HasPrefix(q, "from=") {
		back += "?" + q
	}
	return done(c, back, "tagmapped")
}
