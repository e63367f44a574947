package feeds

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/recurrence"
)

// A session's themes are topic slugs given as #hashtags in its SUMMARY or
// DESCRIPTION, or as CATEGORIES values (a slug, with or without '#', or a
// topic's name in either language, as calendar apps that offer a category
// list let coordinators pick names).

// hashtagRE finds "#tag" at the start of the text or after a space or an
// opening bracket or quote, so that "page#section" in a URL and "&#39;"
// are not tags. A tag starts with a letter ("#1" is a number).
var hashtagRE = regexp.MustCompile(`(?:^|[\s(\[{"'«,;])#(\p{L}[\p{L}\p{N}_-]*)`)

// hashtags returns the tags in s, lower-cased, in order, with trailing
// '-' and '_' cut ("#zotero-" at the end of a sentence).
func hashtags(s string) []string {
	var out []string
	for _, m := range hashtagRE.FindAllStringSubmatch(s, -1) {
		if tag := normTag(m[1]); tag != "" {
			out = append(out, tag)
		}
	}
	return out
}

func normTag(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "#")
	s = strings.TrimRight(s, "-_")
	return strings.ToLower(strings.TrimSpace(s))
}

// componentTags collects the tags of one component: hashtags in SUMMARY
// and DESCRIPTION, then CATEGORIES values, without repeats.
func componentTags(c *ical.Component) []string {
	var tags []string
	add := func(t string) {
		if t != "" && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	for _, name := range []string{ical.PropSummary, ical.PropDescription} {
		for _, p := range c.Props.Values(name) {
			for _, t := range hashtags(recurrence.UnescapeText(p.Value)) {
				add(t)
			}
		}
	}
	for _, p := range c.Props.Values(ical.PropCategories) {
		for _, v := range textList(p.Value) {
			add(normTag(v))
		}
	}
	return tags
}

// themeIndex resolves tags to topics.
type themeIndex struct {
	bySlug map[string]booking.Topic
	byName map[string]string // lower-cased name -> slug
}

func newThemeIndex(topics []booking.Topic) themeIndex {
	ix := themeIndex{bySlug: map[string]booking.Topic{}, byName: map[string]string{}}
	for _, t := range topics {
		ix.bySlug[t.Slug] = t
	}
	for _, t := range topics {
		for _, n := range []string{t.NameNB, t.NameEN} {
			n = strings.ToLower(strings.TrimSpace(n))
			if _, taken := ix.byName[n]; n != "" && !taken {
				ix.byName[n] = t.Slug
			}
		}
	}
	return ix
}

// resolve returns the slug of the topic a tag names.
func (ix themeIndex) resolve(tag string) (string, bool) {
	if _, ok := ix.bySlug[tag]; ok {
		return tag, true
	}
	slug, ok := ix.byName[tag]
	return slug, ok
}

// split sorts tags into theme slugs (without repeats) and unknown tags.
func (ix themeIndex) split(tags []string) (themes, unknown []string) {
	for _, t := range tags {
		if slug, ok := ix.resolve(t); ok {
			if !slices.Contains(themes, slug) {
				themes = append(themes, slug)
			}
		} else if !slices.Contains(unknown, t) {
			unknown = append(unknown, t)
		}
	}
	return themes, unknown
}

// cleanText tidies a SUMMARY or DESCRIPTION for subscribers: hashtags that
// name a topic are removed where they trail a line ("Zotero-verksted
// #zotero") and lose their '#' inside it ("Hjelp med #zotero og #endnote.").
// Unknown tags are left as the coordinator wrote them.
func (ix themeIndex) cleanText(s string) string {
	known := func(tag string) bool {
		_, ok := ix.resolve(normTag(tag))
		return ok
	}
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		fields := strings.Fields(line)
		run := len(fields)
		for run > 0 && bareTagRE.MatchString(fields[run-1]) {
			run--
		}
		var kept []string
		for _, f := range fields[run:] {
			if !known(f) {
				kept = append(kept, f)
			}
		}
		if run < len(fields) {
			// The line up to its last word before the trailing tags, with
			// its own spacing.
			end := 0
			for _, f := range fields[:run] {
				end += strings.Index(line[end:], f) + len(f)
			}
			line = line[:end]
		}
		line = hashtagRE.ReplaceAllStringFunc(line, func(m string) string {
			k := strings.IndexByte(m, '#')
			if known(m[k+1:]) {
				return m[:k] + m[k+1:]
			}
			return m
		})
		lines[i] = strings.TrimSpace(strings.Join(append([]string{line}, kept...), " "))
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// bareTagRE is a word that is nothing but a hashtag.
var bareTagRE = regexp.MustCompile(`^#\p{L}[\p{L}\p{N}_-]*$`)

// textList splits a multi-valued TEXT value (CATEGORIES) at unescaped
// commas and unescapes each item.
func textList(v string) []string {
	var out []string
	start := 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case ',':
			out = append(out, recurrence.UnescapeText(v[start:i]))
			start = i + 1
		}
	}
	return append(out, recurrence.UnescapeText(v[start:]))
}

// cleanControl makes text safe to write as a TEXT value: CR LF and CR
// become LF (which golang-ical writes as "\n"), tabs become spaces, and
// other control characters are dropped.
func cleanControl(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f || unicode.Is(unicode.Cc, r):
			return -1
		}
		return r
	}, s)
}
