package booking

import (
	"fmt"
	"slices"
	"strings"
)

// Service groups topics under one kind of guidance ("Book a librarian",
// "Writing support") and may set rules for all of them.
type Service struct {
	ID            int64
	Slug          string
	NameNB        string
	NameEN        string
	DescriptionNB string
	DescriptionEN string
	Rules         RulesOverride
	// MeetingURLTemplate makes a room per online booking whose window and
	// librarian name none: MeetingIDPlaceholder becomes the booking's
	// number (MeetingLink).
	MeetingURLTemplate string
	// RequireSignIn refuses bookings from students who have not signed
	// in with the provider (when one is configured).
	RequireSignIn bool
}

// Topic is what a student can ask for help with.
type Topic struct {
	ID            int64
	Slug          string // also the #hashtag or CATEGORIES value that narrows a window
	ServiceSlug   string
	NameNB        string
	NameEN        string
	DescriptionNB string
	DescriptionEN string
	// General marks the "I don't know — help me choose" topic. It is matched
	// like any other topic: librarians who take such requests hold a
	// competence in it.
	General bool
	Rules   RulesOverride
}

// Name is the service's name in lang ("en" for English, Bokmål for
// anything else), the other language's when that one is empty.
func (s Service) Name(lang string) string { return InLang(lang, s.NameNB, s.NameEN) }

// Description is the service's description in lang, as Name picks.
func (s Service) Description(lang string) string {
	return InLang(lang, s.DescriptionNB, s.DescriptionEN)
}

// Name is the topic's name in lang ("en" for English, Bokmål for anything
// else), the other language's when that one is empty, and the slug when
// both are.
func (t Topic) Name(lang string) string {
	if n := InLang(lang, t.NameNB, t.NameEN); n != "" {
		return n
	}
	return t.Slug
}

// Description is the topic's description in lang, as Name picks.
func (t Topic) Description(lang string) string {
	return InLang(lang, t.DescriptionNB, t.DescriptionEN)
}

// InLang picks the English text for "en" and the Norwegian one for any
// other language, falling back to the other text when the picked one is
// empty: what the staff wrote in one language is better than nothing.
func InLang(lang, nb, en string) string {
	if lang == "en" && en != "" || nb == "" {
		return en
	}
	return nb
}

// Level is how central a topic is to a librarian.
type Level string

const (
	LevelPrimary   Level = "primary"
	LevelSecondary Level = "secondary"
)

// ParseLevel accepts a level name in any case.
func ParseLevel(s string) (Level, error) {
	switch l := Level(strings.ToLower(strings.TrimSpace(s))); l {
	case LevelPrimary, LevelSecondary:
		return l, nil
	}
	return "", fmt.Errorf("unknown competence level %q (want primary or secondary): %w", s, ErrInvalid)
}

// rank orders levels for assignment: primary before secondary before
// anything unknown.
func (l Level) rank() int {
	switch l {
	case LevelPrimary:
		return 0
	case LevelSecondary:
		return 1
	}
	return 2
}

// Competence links a librarian to a topic.
type Competence struct {
	LibrarianID int64
	TopicID     int64
	Level       Level
	// Languages the librarian guides in for this topic ("nb", "en"); empty
	// means the librarian's own Languages.
	Languages []string
}

// Librarian is a guide as the slot engine sees them.
type Librarian struct {
	ID        int64
	Name      string
	Languages []string
	Campus    string // the campus library of their in-person windows
	// InPerson and Online say which kinds of window the librarian offers;
	// a window of a kind they do not offer is ignored.
	InPerson    bool
	Online      bool
	Competences []Competence
	// MeetingURL is the default room of the librarian's profile.
	MeetingURL string
}

// competence returns the librarian's competence in the topic.
func (l *Librarian) competence(topicID int64) (Competence, bool) {
	for _, c := range l.Competences {
		if c.TopicID == topicID {
			return c, true
		}
	}
	return Competence{}, false
}

// speaks reports whether the librarian guides in lang for competence c.
func (l *Librarian) speaks(c Competence, lang string) bool {
	langs := c.Languages
	if len(langs) == 0 {
		langs = l.Languages
	}
	return slices.ContainsFunc(langs, func(s string) bool { return strings.EqualFold(s, lang) })
}

// Mode is how a student wants to meet.
type Mode string

const (
	ModeAny      Mode = ""
	ModeInPerson Mode = "in-person"
	ModeOnline   Mode = "online"
)

// ParseMode accepts "", "any", "in-person" or "online" in any case.
func ParseMode(s string) (Mode, error) {
	switch m := strings.ToLower(strings.TrimSpace(s)); m {
	case "", "any":
		return ModeAny, nil
	case string(ModeInPerson), string(ModeOnline):
		return Mode(m), nil
	}
	return "", fmt.Errorf("unknown meeting mode %q (want in-person, online or any): %w", s, ErrInvalid)
}
