package web

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
)

// Who and where before booking: each free time says which librarian the
// student would meet, where, in which languages, and why that librarian
// (their competence in the topic); the student may ask for one librarian.

// match is the librarian a slot would give the student.
type match struct {
	LibrarianID int64
	Name        string
	Online      bool
	Place       string // the window's place; for online, its text or link
	Languages   []string
	Level       booking.Level
}

// slotMatch is the offer the student would get at sl: the chosen
// librarian's, when they asked for one (false when that one is not free
// there), else the one the fair assignment prefers now.
func slotMatch(sl booking.Slot, librarian int64) (match, bool) {
	if len(sl.Offers) == 0 {
		return match{}, false
	}
	i := sl.Preferred
	if librarian != 0 {
		i = slices.IndexFunc(sl.Offers, func(o booking.Offer) bool { return o.LibrarianID == librarian })
		if i < 0 {
			return match{}, false
		}
	}
	if i < 0 || i >= len(sl.Offers) {
		i = 0
	}
	o := sl.Offers[i]
	return match{LibrarianID: o.LibrarianID, Name: o.Name, Online: sl.Online, Place: o.Location, Languages: o.Languages, Level: o.Level}, true
}

// languageNames are the match's languages by name, in lang.
func (m match) languageNames(lang string) string {
	names := make([]string, 0, len(m.Languages))
	for _, l := range m.Languages {
		names = append(names, i18n.LanguageName(lang, l))
	}
	return strings.Join(names, ", ")
}

// why is the one line that explains the match: "Zotero, primary
// competence, speaks English".
func (m match) why(lang string, t booking.Topic) string {
	parts := []string{t.Name(lang)}
	if m.Level != "" {
		parts = append(parts, T(lang, "match.level."+string(m.Level)))
	}
	if names := m.languageNames(lang); names != "" {
		parts = append(parts, T(lang, "match.speaks", names))
	}
	return strings.Join(parts, ", ")
}

// librarianChoice is one librarian the student may ask for.
type librarianChoice struct {
	ID   int64
	Name string
}

// Value is the choice's form value.
func (l librarianChoice) Value() string { return strconv.FormatInt(l.ID, 10) }

// librarianChoices are the librarians free at some time among slots, by
// name, for the "which librarian" choice.
func librarianChoices(slots []booking.Slot) []librarianChoice {
	seen := map[int64]bool{}
	var out []librarianChoice
	for _, sl := range slots {
		for _, o := range sl.Offers {
			if o.Name == "" || seen[o.LibrarianID] {
				continue
			}
			seen[o.LibrarianID] = true
			out = append(out, librarianChoice{ID: o.LibrarianID, Name: o.Name})
		}
	}
	slices.SortFunc(out, func(a, b librarianChoice) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// DisplayPlace is where to meet as a slot list shows it: the place of an
// in-person window; for online, nothing of a link (the page says
// "online"), only a window's own words such as "Digitalt (Zoom)".
func (m match) DisplayPlace() string {
	if m.Online && strings.Contains(m.Place, "://") {
		return ""
	}
	return m.Place
}
