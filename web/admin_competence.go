package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
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
}

type competencePage struct {
	staffPage
	From, To string
	Rows     []booking.CompetenceRow
	Trend    statTable
}

// competenceReport reads the period's records and computes the report.
func (s *Server) competenceReport(ctx context.Context, from, to time.Time) ([]booking.CompetenceRow, error) {
	st := s.cfg.Staff.Competence
	all, err := s.cfg.Staff.Store.AllTopics(ctx)
	if err != nil {
		return nil, err
	}
	in := booking.CompetenceInput{From: from, To: to, Librarians: map[int64][]booking.SupplyLibrarian{}}
	for _, t := range all {
		if !t.Active {
			continue
		}
		in.Topics = append(in.Topics, t.Topic)
		libs, err := st.LibrariansForTopic(ctx, t.ID)
		if err != nil {
			return nil, err
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
		return nil, err
	}
	if in.Bookings, err = st.BookingFacts(ctx, from, to); err != nil {
		return nil, err
	}
	last := to.AddDate(0, 0, -1).In(s.loc).Format(time.DateOnly)
	if in.Demand, err = st.Demand(ctx, from.In(s.loc).Format(time.DateOnly), last); err != nil {
		return nil, err
	}
	return booking.DevelopCompetence(in, s.loc), nil
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
	switch {
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
		Columns: []string{T(lang, "staff.stats.col.week"), T(lang, "comp.col.inquiries"), T(lang, "comp.col.bookings"), T(lang, "comp.col.unmet"), T(lang, "comp.col.demand")}}
	if len(rows) == 0 {
		return t
	}
	for i, w := range rows[0].Weeks {
		var inq, bk, un int
		for _, r := range rows {
			inq += r.Weeks[i].Inquiries
			bk += r.Weeks[i].Bookings
			un += r.Weeks[i].Unmet
		}
		t.Rows = append(t.Rows, []string{w.Week, strconv.Itoa(inq), strconv.Itoa(bk), strconv.Itoa(un), strconv.Itoa(inq + bk + un)})
		t.Values = append(t.Values, inq+bk+un)
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
	rows, err := s.competenceReport(c.Request.Context(), from, to)
	if err != nil {
		return err
	}
	p.Rows = rows
	p.Trend = trendTable(p.Lang, rows)
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
		"primary_librarians", "secondary_librarians", "languages", "booked_hours"})
	for _, r := range rows {
		slug := r.Topic.Slug
		if r.Topic.ID == 0 {
			slug = "other"
		}
		for _, wk := range r.Weeks {
			_ = w.Write([]string{slug, wk.Week, strconv.Itoa(wk.Inquiries), "", strconv.Itoa(wk.Referred), strconv.Itoa(wk.Bookings), "",
				strconv.Itoa(wk.Unmet), "", "", "", hours(wk.BookedMinutes)})
		}
		mean := ""
		if r.Inquiries > 0 {
			mean = strconv.FormatFloat(r.MeanREAD(), 'f', 2, 64)
		}
		_ = w.Write([]string{slug, "total", strconv.Itoa(r.Inquiries), mean, strconv.Itoa(r.Referred), strconv.Itoa(r.Bookings), strconv.Itoa(r.AtDesk),
			strconv.Itoa(r.Unmet), strconv.Itoa(r.Primary), strconv.Itoa(r.Secondary), strings.Join(r.Languages, " "), hours(r.BookedMinutes)})
	}
	w.Flush()
	name := fmt.Sprintf("veileder-competence-%s-%s.csv", from.In(s.loc).Format(time.DateOnly), to.In(s.loc).AddDate(0, 0, -1).Format(time.DateOnly))
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	return nil
}
