package web

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
)

// maxWeeksAhead is how far the week pager goes; the booking horizon
// (28 days by default) ends the slots well before it.
const maxWeeksAhead = 8

type topicPage struct {
	page
	Topic   booking.Topic
	Filters filters
	// Week is local midnight of the week's Monday.
	Week             time.Time
	WeekLabel        string
	PrevURL, NextURL string
	Days             []slotDay
	Zone             string // the library's time zone, e.g. Europe/Oslo
	// Taken says the slot the student tried to book went to someone else.
	Taken bool
	// Librarians are the ones free this week, for the choice of one.
	Librarians []librarianChoice
	// Nothing, when set, says that no time is free in the whole horizon,
	// and what to do instead (waitlist.go).
	Nothing *nothingFits
}

type slotDay struct {
	ID    string // for aria-labelledby
	Date  time.Time
	Slots []slotLink
}

type slotLink struct {
	Start, End time.Time
	Online     bool
	URL        string
	// Who and where: the librarian the student would meet, the place,
	// the languages, and why this librarian (match.go).
	Librarian, Place, Languages, Why string
}

// topic lists the topic's free slots for one week, by day.
func (s *Server) topic(c *gin.Context) error {
	cat, err := s.booker.Catalog(c.Request.Context())
	if err != nil {
		return err
	}
	t, ok := findTopic(cat, c.Param("slug"))
	if !ok {
		return errStatus(http.StatusNotFound)
	}
	week, given := time.Time{}, false
	if w, err := time.ParseInLocation(time.DateOnly, c.Query("week"), s.loc); err == nil {
		week, given = weekStart(w, s.loc), true
	}
	return s.renderTopic(c, http.StatusOK, t, filtersFrom(c), week, given, false)
}

// renderTopic shows the week starting at week (clamped to the weeks that
// can have slots). Without a week asked for, an empty current week gives
// way to the next, since minimum notice often empties the rest of it.
func (s *Server) renderTopic(c *gin.Context, status int, t booking.Topic, f filters, week time.Time, given, taken bool) error {
	first := weekStart(s.now(), s.loc)
	last := addWeeks(first, maxWeeksAhead-1)
	switch {
	case week.IsZero() || week.Before(first):
		week = first
	case week.After(last):
		week = last
	}
	// The page a student lands on (not a week they paged to, nor the page
	// that says their time was taken) stands for their search: if it has
	// nothing, and nothing is free anywhere in the horizon, that is unmet
	// demand, counted once per visit.
	landing := !given && !taken
	fallback := landing && week.Before(last)
	slots, err := s.weekSlots(c, t, f, week, landing && !fallback && s.firstInVisit(c, t, f))
	if err != nil {
		return err
	}
	if len(slots) == 0 && fallback {
		week = addWeeks(week, 1)
		if slots, err = s.weekSlots(c, t, f, week, s.firstInVisit(c, t, f)); err != nil {
			return err
		}
	}

	self := &url.URL{Path: "/topics/" + t.Slug, RawQuery: f.values(url.Values{"week": {week.Format(time.DateOnly)}}).Encode()}
	p := topicPage{page: s.newPage(c, self), Topic: t, Filters: f, Week: week, Taken: taken, Zone: s.loc.String()}
	p.WeekLabel = i18n.Week(p.Lang, week)
	if week.After(first) {
		p.PrevURL = f.topicURL(t.Slug, url.Values{"week": {addWeeks(week, -1).Format(time.DateOnly)}})
	}
	if week.Before(last) {
		p.NextURL = f.topicURL(t.Slug, url.Values{"week": {addWeeks(week, 1).Format(time.DateOnly)}})
	}
	slices.SortStableFunc(slots, func(a, b booking.Slot) int { return a.Start.Compare(b.Start) })
	p.Librarians = librarianChoices(slots)
	for _, sl := range slots {
		m, ok := slotMatch(sl, f.Librarian)
		if !ok {
			continue // not with the librarian asked for
		}
		local := sl.Start.In(s.loc)
		day := local.Format(time.DateOnly)
		if n := len(p.Days); n == 0 || p.Days[n-1].ID != "day-"+day {
			p.Days = append(p.Days, slotDay{ID: "day-" + day, Date: local})
		}
		mode := booking.ModeInPerson
		if sl.Online {
			mode = booking.ModeOnline
		}
		q := url.Values{"start": {sl.Start.UTC().Format(time.RFC3339)}}
		bf := f
		bf.Mode = mode
		d := &p.Days[len(p.Days)-1]
		d.Slots = append(d.Slots, slotLink{
			Start: sl.Start, End: sl.End, Online: sl.Online,
			URL:       (&url.URL{Path: "/book/" + t.Slug, RawQuery: bf.values(q).Encode()}).String(),
			Librarian: m.Name, Place: m.DisplayPlace(), Languages: m.languageNames(p.Lang), Why: m.why(p.Lang, t),
		})
	}
	if len(p.Days) == 0 {
		empty, err := s.horizonEmpty(c, t, f)
		if err != nil {
			return err
		}
		if empty {
			if p.Nothing, err = s.nothingFits(c, p.page, t); err != nil {
				return err
			}
		}
	}
	return s.render(c, status, "topic", p)
}

// weekSlots asks for the slots starting in the week from local Monday
// midnight to the next; with recordUnmet asks the service to count it as unmet demand if nothing is
// free in the whole horizon.
func (s *Server) weekSlots(c *gin.Context, t booking.Topic, f filters, week time.Time, recordUnmet bool) ([]booking.Slot, error) {
	return s.booker.Slots(c.Request.Context(), booking.SlotSearch{
		TopicSlug: t.Slug, Language: f.Language, Mode: f.Mode, Campus: f.Campus,
		From: week, To: addWeeks(week, 1), RecordUnmet: recordUnmet,
	})
}
