package web

import (
	"bytes"
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

// The statistics page for section heads: server-rendered tables, each
// with a bar chart in inline SVG drawn from the same numbers (no script,
// which the CSP forbids anyway), and a CSV file per table. The numbers
// hold no personal data and survive its deletion (booking.Summarise).

// statTable is one table of the page, with the chart of its Chart column.
type statTable struct {
	ID      string
	Title   string
	Columns []string
	Rows    [][]string
	// Chart draws column ChartCol (1-based) of each row; Values are its
	// numbers.
	ChartCol int
	Values   []int
	Note     string
	// NoChart leaves the chart out: a list (the comments) is no count.
	NoChart bool
}

// bar is one bar of a chart, laid out in SVG user units.
type bar struct {
	Label      string
	Value      int
	Y, TextY   int
	Width      float64
	ValueX     float64
	LabelShort string
}

// Chart geometry, in the SVG's user units (the SVG scales to its box).
const (
	chartLabelW = 220
	chartBarMax = 340
	chartRowH   = 28
	chartBarH   = 20
	chartWidth  = chartLabelW + chartBarMax + 60
)

// Bars lays out the table's chart.
func (t statTable) Bars() []bar {
	most := 0
	for _, v := range t.Values {
		most = max(most, v)
	}
	out := make([]bar, 0, len(t.Rows))
	for i, row := range t.Rows {
		v := t.Values[i]
		w := 0.0
		if most > 0 {
			w = float64(v) / float64(most) * chartBarMax
		}
		label := t.ChartLabel(row)
		short := label
		if r := []rune(label); len(r) > 28 {
			short = string(r[:27]) + "…"
		}
		out = append(out, bar{Label: label, LabelShort: short, Value: v, Y: i*chartRowH + 4, TextY: i*chartRowH + 4 + chartBarH - 5,
			Width: w, ValueX: chartLabelW + w + 6})
	}
	return out
}

// ChartHeight is the SVG's height in user units.
func (t statTable) ChartHeight() int { return len(t.Rows)*chartRowH + 8 }

// ChartWidth, BarX are the SVG's width and where bars begin.
func (t statTable) ChartWidth() int { return chartWidth }
func (t statTable) BarX() int       { return chartLabelW }

type statsPage struct {
	staffPage
	From, To string // the form's dates; To is included
	Stats    booking.Stats
	Tables   []statTable
	Median   string
}

// Num shows a table's number in the page's language (a decimal comma in
// Norwegian); the CSV file of the same table keeps the point, for
// programs.
func (p statsPage) Num(cell string) string {
	if !strings.Contains(cell, ".") {
		return cell
	}
	v, err := strconv.ParseFloat(cell, 64)
	if err != nil {
		return cell
	}
	return i18n.Decimal(p.Lang, v, len(cell)-strings.IndexByte(cell, '.')-1)
}

// statsRange reads ?from= and ?to= (local dates, both included); the
// default is the last twelve weeks and the next four.
func (s *Server) statsRange(c *gin.Context) (from, to time.Time, errs []formError) {
	lang := s.lang(c)
	this := weekStart(s.now(), s.loc)
	from, to = addWeeks(this, -12), addWeeks(this, 5)
	if v := c.Query("from"); v != "" {
		t, err := time.ParseInLocation(time.DateOnly, v, s.loc)
		if err != nil {
			errs = append(errs, formError{Field: "from", Message: T(lang, "staff.bookings.date.invalid")})
		} else {
			from = t
		}
	}
	if v := c.Query("to"); v != "" {
		t, err := time.ParseInLocation(time.DateOnly, v, s.loc)
		if err != nil {
			errs = append(errs, formError{Field: "to", Message: T(lang, "staff.bookings.date.invalid")})
		} else {
			to = t.AddDate(0, 0, 1)
		}
	}
	if !to.After(from) {
		errs = append(errs, formError{Field: "to", Message: T(lang, "staff.stats.range.invalid")})
	}
	return from, to, errs
}

func (s *Server) adminStats(c *gin.Context) error {
	from, to, errs := s.statsRange(c)
	p := statsPage{staffPage: s.newStaffPage(c, me(c))}
	p.From, p.To = p.DateInput(from), p.DateInput(to.AddDate(0, 0, -1))
	p.Errors = errs
	if errs != nil {
		return s.render(c, http.StatusUnprocessableEntity, "admin_stats", p)
	}
	st, err := s.cfg.Staff.Store.Statistics(c.Request.Context(), from, to, s.loc)
	if err != nil {
		return err
	}
	fb, err := s.cfg.Staff.Store.FeedbackStats(c.Request.Context(), from, to)
	if err != nil {
		return err
	}
	p.Stats = st
	p.Tables = append(statTables(p.Lang, st), ratingTables(p.Lang, fb)...)
	p.Median = i18n.Hours(p.Lang, st.LeadMedian)
	return s.render(c, http.StatusOK, "admin_stats", p)
}

// adminStatsCSV sends one table as CSV (RFC 4180), with a header row.
func (s *Server) adminStatsCSV(c *gin.Context) error {
	from, to, errs := s.statsRange(c)
	if errs != nil {
		return errStatus(http.StatusBadRequest)
	}
	st, err := s.cfg.Staff.Store.Statistics(c.Request.Context(), from, to, s.loc)
	if err != nil {
		return err
	}
	fb, err := s.cfg.Staff.Store.FeedbackStats(c.Request.Context(), from, to)
	if err != nil {
		return err
	}
	id := strings.TrimSuffix(c.Param("table"), ".csv")
	for _, t := range append(statTables(s.lang(c), st), ratingTables(s.lang(c), fb)...) {
		if t.ID != id {
			continue
		}
		var buf bytes.Buffer
		buf.WriteString("\ufeff") // so that spreadsheet programs read UTF-8
		w := csv.NewWriter(&buf)
		w.UseCRLF = true
		_ = w.Write(t.Columns)
		for _, row := range t.Rows {
			safe := make([]string, len(row))
			for i, cell := range row {
				safe[i] = csvSafe(cell)
			}
			_ = w.Write(safe)
		}
		w.Flush()
		name := fmt.Sprintf("veileder-%s-%s-%s.csv", t.ID, from.In(s.loc).Format(time.DateOnly), to.In(s.loc).AddDate(0, 0, -1).Format(time.DateOnly))
		c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
		c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
		return nil
	}
	return errStatus(http.StatusNotFound)
}

// csvSafe keeps a spreadsheet from reading a cell as a formula (CSV
// injection): a leading =, +, - or @ in text gets a quote before it.
func csvSafe(s string) string {
	if s == "" {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s
	}
	if strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func hours(min int) string { return strconv.FormatFloat(float64(min)/60, 'f', 1, 64) }

// statTables turns the statistics into the page's tables, in lang.
func statTables(lang string, st booking.Stats) []statTable {
	tr := func(key string, args ...any) string { return T(lang, key, args...) }
	name := func(r booking.CountRow) string {
		if n := booking.InLang(lang, r.NameNB, r.NameEN); n != "" {
			return n
		}
		return r.Key
	}
	full := func(id, title, first string, rows []booking.CountRow, label func(booking.CountRow) string) statTable {
		t := statTable{ID: id, Title: tr(title), ChartCol: 2,
			Columns: []string{tr(first), tr("staff.stats.col.bookings"), tr("staff.stats.col.held"), tr("staff.stats.col.cancelled"), tr("staff.stats.col.noshows"), tr("staff.stats.col.hours")}}
		for _, r := range rows {
			t.Rows = append(t.Rows, []string{label(r), strconv.Itoa(r.Bookings), strconv.Itoa(r.Held), strconv.Itoa(r.Cancelled), strconv.Itoa(r.NoShows), hours(r.Minutes)})
			t.Values = append(t.Values, r.Bookings)
		}
		return t
	}
	simple := func(id, title, first string, rows []booking.CountRow, label func(booking.CountRow) string) statTable {
		t := statTable{ID: id, Title: tr(title), ChartCol: 2, Columns: []string{tr(first), tr("staff.stats.col.bookings")}}
		for _, r := range rows {
			t.Rows = append(t.Rows, []string{label(r), strconv.Itoa(r.Bookings)})
			t.Values = append(t.Values, r.Bookings)
		}
		return t
	}
	keyed := func(prefix string) func(booking.CountRow) string {
		return func(r booking.CountRow) string {
			if m, ok := i18n.Lookup(lang, prefix+r.Key); ok && r.Key != "" {
				return m
			}
			if r.Key == "" {
				return tr("staff.stats.none")
			}
			return r.Key
		}
	}
	week := func(r booking.CountRow) string { return r.Key }
	tables := []statTable{
		full("topic", "staff.stats.topic", "staff.stats.col.topic", st.ByTopic, name),
		full("service", "staff.stats.service", "staff.stats.col.service", st.ByService, name),
		full("week", "staff.stats.week", "staff.stats.col.week", st.ByWeek, week),
		simple("level", "staff.stats.level", "staff.stats.col.level", st.ByStudyLevel, keyed("level.")),
		simple("language", "staff.stats.language", "staff.stats.col.language", st.ByLanguage, keyed("lang.")),
		simple("mode", "staff.stats.mode", "staff.stats.col.mode", st.ByMode, keyed("mode.")),
		simple("lead", "staff.stats.lead", "staff.stats.col.lead", st.LeadTime, keyed("staff.lead.")),
		simple("cancelled", "staff.stats.cancelled", "staff.stats.col.cancelledby", st.CancelledBy, keyed("staff.party.")),
		full("load", "staff.stats.load", "staff.stats.col.librarian", st.Load, name),
	}
	d := statTable{ID: "demand", Title: tr("staff.stats.demand"), ChartCol: 3,
		Columns: []string{tr("staff.stats.col.topic"), tr("staff.stats.col.week"), tr("staff.stats.col.searches")}}
	for _, r := range st.Demand {
		n := booking.InLang(lang, r.NameNB, r.NameEN)
		if n == "" {
			n = r.TopicSlug
		}
		d.Rows = append(d.Rows, []string{n, r.Week, strconv.Itoa(r.Searches)})
		d.Values = append(d.Values, r.Searches)
	}
	tables = append(tables, d)
	return tables
}

// ChartLabel is a demand row's label in the chart: topic and week.
func (t statTable) ChartLabel(row []string) string {
	if t.ID == "demand" {
		return row[0] + " " + row[1]
	}
	return row[0]
}

// ratingTables are the students' ratings after their meetings, per topic
// and per service (how many, the average, and how many gave each rating),
// and the comments with their topic and rating, never with a name.
func ratingTables(lang string, fb booking.FeedbackStats) []statTable {
	tr := func(key string, args ...any) string { return T(lang, key, args...) }
	rated := func(id, title, first string, rows []booking.RatingRow) statTable {
		t := statTable{ID: id, Title: tr(title), ChartCol: 2,
			Columns: []string{tr(first), tr("staff.stats.col.ratings"), tr("staff.stats.col.average"),
				"5", "4", "3", "2", "1"}}
		for _, r := range rows {
			row := []string{r.Name(lang), strconv.Itoa(r.Count), decimal(lang, r.Average())}
			for n := booking.MaxRating; n >= booking.MinRating; n-- {
				row = append(row, strconv.Itoa(r.Stars[n-booking.MinRating]))
			}
			t.Rows = append(t.Rows, row)
			t.Values = append(t.Values, r.Count)
		}
		return t
	}
	comments := statTable{ID: "comments", Title: tr("staff.stats.comments"), NoChart: true,
		Columns: []string{tr("staff.stats.col.topic"), tr("staff.stats.col.rating"), tr("staff.stats.col.comment")}}
	for _, c := range fb.Comments {
		comments.Rows = append(comments.Rows, []string{booking.InLang(lang, c.TopicNB, c.TopicEN), strconv.Itoa(c.Rating), c.Comment})
	}
	return []statTable{
		rated("rating-topic", "staff.stats.rating.topic", "staff.stats.col.topic", fb.ByTopic),
		rated("rating-service", "staff.stats.rating.service", "staff.stats.col.service", fb.ByService),
		comments,
	}
}

// decimal writes x with one decimal, with the language's separator.
func decimal(lang string, x float64) string {
	s := strconv.FormatFloat(x, 'f', 1, 64)
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
