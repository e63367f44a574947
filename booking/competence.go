package booking

import (
	"cmp"
	"slices"
	"time"
)

// Competence development: demand for each topic (the first line's
// inquiries, bookings, unmet searches) set against supply (the librarians
// holding the competence, and the hours they were booked), per topic and
// per week, for section heads. Every input holds no personal data and
// survives the retention purge, so the report is the same before and
// after it.

// SupplyLibrarian is a librarian holding a competence, as the report
// counts them.
type SupplyLibrarian struct {
	ID        int64
	Name      string
	Level     Level
	Languages []string
}

// CompetenceInput is what the report is computed from: the period's
// inquiries, booking facts (by meeting start) and unmet searches, the
// topics, and for each topic ID the librarians holding it.
type CompetenceInput struct {
	From, To   time.Time // local midnights; To is excluded
	Topics     []Topic
	Inquiries  []Inquiry
	Bookings   []BookingFact
	Demand     []DemandRecord
	Librarians map[int64][]SupplyLibrarian
	// Offered are the hours librarians offered: their availability
	// windows open to each topic in the period (OfferedTime).
	Offered []OfferedTime
	// Requests are the requests filed in the period; Now judges which are
	// overdue.
	Requests []RequestFact
	Now      time.Time
	// TagTopics maps free-text tags (lower case) to the topic an admin
	// said they mean: an inquiry logged as "other" with such a tag counts
	// under that topic.
	TagTopics map[string]int64
}

// OfferedTime is one stretch of time a librarian offered for a topic: an
// availability window open to it (windows of one librarian merged, so
// that overlapping ones count once).
type OfferedTime struct {
	TopicID     int64
	LibrarianID int64
	Start, End  time.Time
}

// CompetenceRow is one topic's demand and supply over the period, or per
// week in CompetenceRow.Weeks. The topic is the zero Topic for inquiries
// logged as "other".
type CompetenceRow struct {
	Topic Topic
	// Demand.
	Inquiries int
	// READSum is the sum of the inquiries' READ levels (MeanREAD).
	READSum  int
	Referred int
	Bookings int
	// AtDesk counts the bookings desk staff made for students.
	AtDesk int
	Unmet  int
	// Supply.
	Primary, Secondary int
	Languages          []string
	// BookedMinutes is the meeting time of the held bookings,
	// OfferedMinutes the time the librarians offered for the topic.
	BookedMinutes  int
	OfferedMinutes int
	// Requests counts the requests filed in the period; OpenRequests
	// those still unanswered (open or taken), OverdueRequests those of
	// them past their response target.
	Requests, OpenRequests, OverdueRequests int
	// Tags are the most frequent free-text tags, for "other".
	Tags []string
	// Weeks are the ISO weeks of the period in order, each with the week's
	// demand ("2026-W19").
	Weeks []CompetenceWeek
}

// CompetenceWeek is one week of a topic's demand.
type CompetenceWeek struct {
	Week                       string
	Inquiries, Bookings, Unmet int
	Referred                   int
	BookedMinutes              int
	OfferedMinutes             int
	Requests                   int
}

// MeanREAD is the mean READ level of the inquiries, 0 when there are none.
func (r CompetenceRow) MeanREAD() float64 {
	if r.Inquiries == 0 {
		return 0
	}
	return float64(r.READSum) / float64(r.Inquiries)
}

// Librarians counts the librarians holding the competence.
func (r CompetenceRow) Librarians() int { return r.Primary + r.Secondary }

// Demand is every sign of need: inquiries, bookings, unmet searches and
// requests.
func (r CompetenceRow) Demand() int { return r.Inquiries + r.Bookings + r.Unmet + r.Requests }

// Gap reports whether demand goes unmet: searches that found nothing, or
// demand for a topic nobody holds, or inquiries referred on with no
// booking made.
func (r CompetenceRow) Gap() bool {
	if r.Topic.ID == 0 {
		return false
	}
	return r.Unmet > 0 || (r.Demand() > 0 && r.Librarians() == 0) || r.Referred > r.Bookings || r.OverdueRequests > 0
}

// weeksOf lists the ISO weeks touching [from, to).
func weeksOf(from, to time.Time, loc *time.Location) []string {
	var out []string
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		w := isoWeek(d, loc)
		if len(out) == 0 || out[len(out)-1] != w {
			out = append(out, w)
		}
	}
	return out
}

// DevelopCompetence computes the report: one row per active topic with
// any demand or supply, then "other" if any inquiry was, with weeks in
// loc. Topics with a gap come first, then by demand.
func DevelopCompetence(in CompetenceInput, loc *time.Location) []CompetenceRow {
	weeks := weeksOf(in.From, in.To, loc)
	rows := map[int64]*CompetenceRow{}
	bySlug := map[string]int64{}
	order := []int64{}
	get := func(t Topic) *CompetenceRow {
		r, ok := rows[t.ID]
		if !ok {
			r = &CompetenceRow{Topic: t}
			for _, w := range weeks {
				r.Weeks = append(r.Weeks, CompetenceWeek{Week: w})
			}
			rows[t.ID] = r
			order = append(order, t.ID)
		}
		return r
	}
	week := func(r *CompetenceRow, t time.Time) *CompetenceWeek {
		w := isoWeek(t, loc)
		for i := range r.Weeks {
			if r.Weeks[i].Week == w {
				return &r.Weeks[i]
			}
		}
		return nil
	}
	topics := map[int64]Topic{}
	for _, t := range in.Topics {
		topics[t.ID] = t
		bySlug[t.Slug] = t.ID
		if len(in.Librarians[t.ID]) > 0 {
			get(t)
		}
	}
	tags := map[string]int{}
	for _, q := range in.Inquiries {
		if q.At.Before(in.From) || !q.At.Before(in.To) {
			continue
		}
		t, ok := topics[q.TopicID]
		if !ok && q.TopicID == 0 {
			// An admin may have said what a tag means.
			for _, tag := range q.Tags {
				if id, mapped := in.TagTopics[tag]; mapped {
					if mt, known := topics[id]; known {
						t, ok = mt, true
						break
					}
				}
			}
		}
		if !ok {
			t = Topic{}
			for _, tag := range q.Tags {
				tags[tag]++
			}
		}
		r := get(t)
		r.Inquiries++
		r.READSum += q.READ
		if q.Outcome.Referred() {
			r.Referred++
		}
		if w := week(r, q.At); w != nil {
			w.Inquiries++
			if q.Outcome.Referred() {
				w.Referred++
			}
		}
	}
	for _, f := range in.Bookings {
		id, ok := bySlug[f.TopicSlug]
		if !ok || f.Start.Before(in.From) || !f.Start.Before(in.To) {
			continue
		}
		r := get(topics[id])
		r.Bookings++
		if f.AtDesk {
			r.AtDesk++
		}
		w := week(r, f.Start)
		if w != nil {
			w.Bookings++
		}
		if f.Status == StatusConfirmed {
			m := int(f.End.Sub(f.Start) / time.Minute)
			r.BookedMinutes += m
			if w != nil {
				w.BookedMinutes += m
			}
		}
	}
	for _, d := range in.Demand {
		id, ok := bySlug[d.TopicSlug]
		day, err := time.ParseInLocation(time.DateOnly, d.Date, loc)
		if !ok || err != nil || day.Before(in.From) || !day.Before(in.To) {
			continue
		}
		r := get(topics[id])
		r.Unmet++
		if w := week(r, day); w != nil {
			w.Unmet++
		}
	}
	for _, o := range in.Offered {
		t, ok := topics[o.TopicID]
		if !ok {
			continue
		}
		start, end := o.Start, o.End
		if start.Before(in.From) {
			start = in.From
		}
		if end.After(in.To) {
			end = in.To
		}
		if !end.After(start) {
			continue
		}
		r := get(t)
		m := int(end.Sub(start) / time.Minute)
		r.OfferedMinutes += m
		if w := week(r, start); w != nil {
			w.OfferedMinutes += m
		}
	}
	for _, f := range in.Requests {
		t, ok := topics[f.TopicID]
		if !ok || f.CreatedAt.Before(in.From) || !f.CreatedAt.Before(in.To) {
			continue
		}
		r := get(t)
		r.Requests++
		if f.State.Unanswered() {
			r.OpenRequests++
		}
		if f.Overdue(in.Now) {
			r.OverdueRequests++
		}
		if w := week(r, f.CreatedAt); w != nil {
			w.Requests++
		}
	}
	for id, r := range rows {
		var langs []string
		for _, l := range in.Librarians[id] {
			switch l.Level {
			case LevelPrimary:
				r.Primary++
			default:
				r.Secondary++
			}
			for _, lang := range l.Languages {
				if !slices.Contains(langs, lang) {
					langs = append(langs, lang)
				}
			}
		}
		slices.Sort(langs)
		r.Languages = langs
	}
	if r, ok := rows[0]; ok {
		type tc struct {
			tag string
			n   int
		}
		var list []tc
		for t, n := range tags {
			list = append(list, tc{t, n})
		}
		slices.SortFunc(list, func(a, b tc) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.tag, b.tag)) })
		for i := 0; i < len(list) && i < 5; i++ {
			r.Tags = append(r.Tags, list[i].tag)
		}
	}
	out := make([]CompetenceRow, 0, len(order))
	for _, id := range order {
		out = append(out, *rows[id])
	}
	slices.SortStableFunc(out, func(a, b CompetenceRow) int {
		other := func(r CompetenceRow) int {
			if r.Topic.ID == 0 {
				return 1
			}
			return 0
		}
		gap := func(r CompetenceRow) int {
			if r.Gap() {
				return 0
			}
			return 1
		}
		return cmp.Or(cmp.Compare(other(a), other(b)), cmp.Compare(gap(a), gap(b)), cmp.Compare(b.Demand(), a.Demand()), cmp.Compare(a.Topic.Slug, b.Topic.Slug))
	})
	return out
}

// TagCount is a free-text tag of "other" inquiries and how often it was
// logged.
type TagCount struct {
	Tag string
	N   int
}

// UnmappedTags counts the tags of inquiries logged as "other" that no
// admin has mapped to a topic (mapped), most frequent first: what the
// admin's mapping list offers.
func UnmappedTags(inquiries []Inquiry, mapped map[string]int64) []TagCount {
	n := map[string]int{}
	for _, q := range inquiries {
		if q.TopicID != 0 {
			continue
		}
		for _, t := range q.Tags {
			if _, ok := mapped[t]; !ok {
				n[t]++
			}
		}
	}
	out := make([]TagCount, 0, len(n))
	for t, c := range n {
		out = append(out, TagCount{t, c})
	}
	slices.SortFunc(out, func(a, b TagCount) int { return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Tag, b.Tag)) })
	return out
}

// OfferedTimes is the time each librarian's schedule offers the topic in
// [from, to): their availability windows open to it (a window without
// tags is open to every topic of theirs), overlapping windows of one
// librarian merged so that they count once, clipped to the period. Busy
// time and bookings do not reduce it: it is what was offered, beside
// what was booked.
func OfferedTimes(topic Topic, scheds []LibrarianSchedule, from, to time.Time) []OfferedTime {
	var out []OfferedTime
	for _, ls := range scheds {
		var ss []span
		for i := range ls.Windows {
			w := &ls.Windows[i]
			if !w.offers(topic.Slug) {
				continue
			}
			start, end := w.Start, w.End
			if start.Before(from) {
				start = from
			}
			if end.After(to) {
				end = to
			}
			if end.After(start) {
				ss = append(ss, toSpan(Interval{start, end}))
			}
		}
		for _, sp := range mergeSpans(ss) {
			out = append(out, OfferedTime{TopicID: topic.ID, LibrarianID: ls.Librarian.ID, Start: fromNano(sp.start), End: fromNano(sp.end)})
		}
	}
	return out
}
