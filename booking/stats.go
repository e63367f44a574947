package booking

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Statistics are computed from what holds no personal data (topic,
// librarian, times, status, who cancelled, no-show, study level, meeting
// language, mode) and from unmet demand, which holds none either. The
// retention job and erasure empty only a booking's personal fields and keep
// the booking, so that the statistics are the same before and after.

// BookingFact is one booking as the statistics see it.
type BookingFact struct {
	TopicSlug, TopicNameNB, TopicNameEN       string
	ServiceSlug, ServiceNameNB, ServiceNameEN string
	LibrarianID                               int64
	LibrarianName                             string
	Start, End, Created                       time.Time
	Status                                    Status
	CancelledBy                               Party
	NoShow                                    bool
	StudyLevel, Language                      string
	Online                                    bool
	// AtDesk marks a booking desk staff made for the student.
	AtDesk bool
}

// Stats are the statistics of a period, each list a table.
type Stats struct {
	From, To time.Time // local midnights; To is excluded
	// Totals over the period.
	Bookings, Held, Cancelled, NoShows, Unmet int
	// LeadMedian is the median time from booking to meeting.
	LeadMedian time.Duration

	ByTopic      []CountRow
	ByService    []CountRow
	ByWeek       []CountRow
	ByStudyLevel []CountRow
	ByLanguage   []CountRow
	ByMode       []CountRow
	LeadTime     []CountRow
	CancelledBy  []CountRow
	Demand       []DemandRow
	Load         []CountRow
}

// CountRow is one row of a table of counts. Key is the machine-readable
// label (a slug, an ISO week, a code); NameNB and NameEN are its names
// where it has them.
type CountRow struct {
	Key            string
	NameNB, NameEN string
	// Bookings counts every booking, Held the confirmed ones (the meeting
	// happened or will), Cancelled and NoShows the others.
	Bookings, Held, Cancelled, NoShows int
	// Minutes is the meeting time of the held bookings.
	Minutes int
}

// DemandRow is how many searches for a topic found no slot in one week.
type DemandRow struct {
	TopicSlug      string
	NameNB, NameEN string
	Week           string
	Searches       int
}

// LeadBuckets are the lead-time classes of Stats.LeadTime, by upper bound.
var LeadBuckets = []struct {
	Key string
	Max time.Duration
}{
	{"0-1d", 24 * time.Hour},
	{"1-3d", 3 * 24 * time.Hour},
	{"3-7d", 7 * 24 * time.Hour},
	{"7-14d", 14 * 24 * time.Hour},
	{"14d+", 1<<63 - 1},
}

// Summarise computes Stats from booking facts and unmet demand. It is
// pure, so that the statistics can be tested on made-up facts.
func Summarise(facts []BookingFact, demand []DemandRecord, topics []Topic, from, to time.Time, loc *time.Location) Stats {
	st := Stats{From: from, To: to}
	byTopic := newCounter()
	byService := newCounter()
	byWeek := newCounter()
	byLevel := newCounter()
	byLang := newCounter()
	byMode := newCounter()
	lead := newCounter()
	cancelled := newCounter()
	load := newCounter()
	for _, b := range LeadBuckets {
		lead.row(b.Key, "", "")
	}
	var leads []time.Duration
	for _, f := range facts {
		week := isoWeek(f.Start, loc)
		rows := []*CountRow{
			byTopic.row(f.TopicSlug, f.TopicNameNB, f.TopicNameEN),
			byService.row(f.ServiceSlug, f.ServiceNameNB, f.ServiceNameEN),
			byWeek.row(week, "", ""),
			byLevel.row(f.StudyLevel, "", ""),
			byLang.row(f.Language, "", ""),
			byMode.row(modeKey(f.Online), "", ""),
			load.row(fmt.Sprint(f.LibrarianID), f.LibrarianName, f.LibrarianName),
		}
		d := f.Start.Sub(f.Created)
		if d < 0 {
			d = 0
		}
		for _, b := range LeadBuckets {
			if d < b.Max {
				rows = append(rows, lead.row(b.Key, "", ""))
				break
			}
		}
		st.Bookings++
		switch {
		case f.Status == StatusCancelled:
			st.Cancelled++
			cancelled.row(string(f.CancelledBy), "", "").Bookings++
		case f.NoShow:
			st.NoShows++
			st.Held++
		default:
			st.Held++
		}
		if f.Status == StatusConfirmed {
			leads = append(leads, d)
		}
		for _, r := range rows {
			r.Bookings++
			switch {
			case f.Status == StatusCancelled:
				r.Cancelled++
			default:
				r.Held++
				r.Minutes += int(f.End.Sub(f.Start) / time.Minute)
				if f.NoShow {
					r.NoShows++
				}
			}
		}
	}
	if len(leads) > 0 {
		slices.Sort(leads)
		st.LeadMedian = leads[len(leads)/2]
		if len(leads)%2 == 0 {
			st.LeadMedian = (leads[len(leads)/2-1] + leads[len(leads)/2]) / 2
		}
	}

	names := map[string]Topic{}
	for _, t := range topics {
		names[t.Slug] = t
	}
	type dk struct{ topic, week string }
	demandCount := map[dk]int{}
	for _, d := range demand {
		day, err := time.ParseInLocation(time.DateOnly, d.Date, loc)
		if err != nil {
			continue
		}
		demandCount[dk{d.TopicSlug, isoWeek(day, loc)}]++
		st.Unmet++
	}
	for k, n := range demandCount {
		t := names[k.topic]
		st.Demand = append(st.Demand, DemandRow{TopicSlug: k.topic, NameNB: t.NameNB, NameEN: t.NameEN, Week: k.week, Searches: n})
	}
	slices.SortFunc(st.Demand, func(a, b DemandRow) int {
		return cmp.Or(cmp.Compare(a.Week, b.Week), cmp.Compare(b.Searches, a.Searches), cmp.Compare(a.TopicSlug, b.TopicSlug))
	})

	// Topics, services and librarians by most bookings; weeks, levels and
	// the rest in their own order.
	st.ByTopic = byTopic.sorted(byCount)
	st.ByService = byService.sorted(byCount)
	st.ByWeek = byWeek.sorted(byKey)
	st.ByStudyLevel = byLevel.sorted(byCount)
	st.ByLanguage = byLang.sorted(byCount)
	st.ByMode = byMode.sorted(byKey)
	st.LeadTime = lead.sorted(nil)
	st.CancelledBy = cancelled.sorted(byCount)
	st.Load = load.sorted(byCount)
	return st
}

func modeKey(online bool) string {
	if online {
		return string(ModeOnline)
	}
	return string(ModeInPerson)
}

// isoWeek is the ISO week of t in loc, as "2026-W11".
func isoWeek(t time.Time, loc *time.Location) string {
	y, w := t.In(loc).ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// counter keeps CountRows by key in first-seen order.
type counter struct {
	index map[string]*CountRow
	list  []*CountRow
}

func newCounter() *counter { return &counter{index: map[string]*CountRow{}} }

func (c *counter) row(key, nb, en string) *CountRow {
	r, ok := c.index[key]
	if !ok {
		r = &CountRow{Key: key, NameNB: nb, NameEN: en}
		c.index[key] = r
		c.list = append(c.list, r)
	}
	return r
}

func byCount(a, b CountRow) int {
	return cmp.Or(cmp.Compare(b.Bookings, a.Bookings), cmp.Compare(a.Key, b.Key))
}
func byKey(a, b CountRow) int { return cmp.Compare(a.Key, b.Key) }

// sorted copies the rows out, in f's order (nil keeps first-seen order).
func (c *counter) sorted(f func(a, b CountRow) int) []CountRow {
	out := make([]CountRow, 0, len(c.list))
	for _, r := range c.list {
		out = append(out, *r)
	}
	if f != nil {
		slices.SortStableFunc(out, f)
	}
	return out
}
