// Package i18n holds every text Veileder writes, in Norwegian Bokmål and
// English, with one lookup, the date and time formats of both languages
// and the choice of a language from a browser's Accept-Language.
//
// The catalogue is data: one map per area of the product (site.go,
// staff.go, dropin.go, admin.go, feeds.go, events.go), each entry holding
// both languages side by side, so that a text cannot lack its translation.
// A key lives in one area only; the tests check that, that both texts take
// the same arguments, and that every key the code and the page templates
// name exists.
package i18n

import (
	"fmt"
	"strings"

	"golang.org/x/text/language"
)

// The languages of the product. Bokmål is the default: the language of
// anything not asked for in English.
const (
	NB = "nb"
	EN = "en"
)

// Languages are the product's languages, the default first.
func Languages() []string { return []string{NB, EN} }

// Supported reports whether lang names one of the languages exactly, as a
// ?lang= switch or a stored locale spells it.
func Supported(lang string) bool { return lang == NB || lang == EN }

// text is one message in both languages.
type text struct{ nb, en string }

func (t text) in(lang string) string {
	if lang == EN {
		return t.en
	}
	return t.nb
}

// areas are the parts of the catalogue; a key is in one of them.
func areas() [11]map[string]text {
	return [...]map[string]text{site, dropIn, staff, admin, feeds, events, desk, student, requests, waitlist, signIn}
}

// lookup finds a key in the catalogue's areas.
func lookup(key string) (text, bool) {
	for _, area := range areas() {
		if t, ok := area[key]; ok {
			return t, true
		}
	}
	return text{}, false
}

// Lookup is the message for key in lang ("en" for English, Bokmål for
// anything else), unformatted, and whether the catalogue has it. It is
// for keys made at run time from a prefix and a value, which may name no
// message.
func Lookup(lang, key string) (string, bool) {
	t, ok := lookup(key)
	return t.in(lang), ok
}

// T is the message for key in lang, formatted with args as fmt.Sprintf
// does. A missing key shows as "MISSING:key", which the page tests look
// for.
func T(lang, key string, args ...any) string {
	t, ok := lookup(key)
	if !ok {
		return "MISSING:" + key
	}
	if len(args) == 0 {
		return t.in(lang)
	}
	return fmt.Sprintf(t.in(lang), args...)
}

// LanguageName is a meeting language's name in lang, as it stands in a
// sentence ("norsk", "English"): Nynorsk and the generic "no" read as
// Norwegian. A code the product does not speak comes back as it is, for
// the caller to clean as its output needs.
func LanguageName(lang, code string) string {
	switch strings.ToLower(strings.TrimSpace(code)) {
	case "nb", "nn", "no":
		return T(lang, "lang.nb.in")
	case "en":
		return T(lang, "lang.en.in")
	}
	return code
}

// StudyLevel is a study level's name in lang as it stands in a sentence
// ("bachelor", "master's"). A level the product does not know (what an API
// client sent) comes back as it is, for the caller to clean.
func StudyLevel(lang, level string) string {
	if n, ok := Lookup(lang, "event.level."+strings.ToLower(strings.TrimSpace(level))); ok {
		return n
	}
	return level
}

// offered are the tags the matcher chooses from, and the language each
// stands for. Bokmål comes first: it is what a request that matches none
// gets. Nynorsk and the generic "no" are offered as Bokmål, the nearest we
// have: left to the matcher's own distances they count as a weaker match
// than English, and a Nynorsk browser that also accepts English
// ("nn-NO,nn;q=0.9,en;q=0.8") would get English pages.
var offered = [...]struct {
	tag  language.Tag
	lang string
}{
	{language.Make("nb"), NB},
	{language.Make("en"), EN},
	{language.Make("nn"), NB},
	{language.Make("no"), NB},
}

// matcher is built once from offered; it is only read.
var matcher = func() language.Matcher {
	tags := make([]language.Tag, len(offered))
	for i, o := range offered {
		tags[i] = o.tag
	}
	return language.NewMatcher(tags)
}()

// Negotiate picks the language for an Accept-Language header (RFC 9110,
// section 12.5.4) with x/text's matcher: the one the header prefers by
// quality, the first listed winning a tie; Bokmål when the header is
// empty, malformed or names neither.
func Negotiate(acceptLanguage string) string {
	_, i := language.MatchStrings(matcher, acceptLanguage)
	return offered[i].lang
}

// FeedReason is the text in lang of why an external calendar's address or
// feed was refused (external.Reason codes: "staff.external.error."+reason,
// with arg the one value it shows), if the reason has one. The staff pages
// and the librarian's daily e-mail say it the same way.
func FeedReason(lang, reason, arg string) (string, bool) {
	key := "staff.external.error." + reason
	if _, ok := Lookup(lang, key); reason == "" || !ok {
		return "", false
	}
	if arg == "" {
		return T(lang, key), true
	}
	return T(lang, key, arg), true
}
