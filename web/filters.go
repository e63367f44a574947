package web

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// maxCampusLen bounds the campus filter; no library has a longer name.
const maxCampusLen = 100

// filters are the student's wishes for a meeting, carried in the query
// string from the topic choice to the slot list to the form.
type filters struct {
	Language string // "", "nb" or "en"
	Mode     booking.Mode
	Campus   string
	// Librarian is the librarian the student asked for; 0 is "no
	// preference", the fair assignment.
	Librarian int64
}

// filtersFrom reads the filters leniently: a value the form never sends
// means "any", since a hand-edited link should still show times.
func filtersFrom(c *gin.Context) filters {
	var f filters
	if l := c.Query("language"); isLang(l) {
		f.Language = l
	}
	if m, err := booking.ParseMode(c.Query("mode")); err == nil {
		f.Mode = m
	}
	if campus := strings.TrimSpace(c.Query("campus")); utf8.RuneCountInString(campus) <= maxCampusLen {
		f.Campus = campus
	}
	f.Librarian = librarianParam(c.Query("librarian"))
	return f
}

// librarianParam reads a librarian's id; anything else is "no preference".
func librarianParam(s string) int64 {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}

// values adds the set filters to q.
func (f filters) values(q url.Values) url.Values {
	if q == nil {
		q = url.Values{}
	}
	if f.Language != "" {
		q.Set("language", f.Language)
	}
	if f.Mode != booking.ModeAny {
		q.Set("mode", string(f.Mode))
	}
	if f.Campus != "" {
		q.Set("campus", f.Campus)
	}
	if f.Librarian != 0 {
		q.Set("librarian", strconv.FormatInt(f.Librarian, 10))
	}
	return q
}

// topicURL is the slot list for a topic with these filters.
func (f filters) topicURL(slug string, extra url.Values) string {
	return (&url.URL{Path: "/topics/" + slug, RawQuery: f.values(extra).Encode()}).String()
}
