package notify

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Every letter to a person begins its first sentence after the greeting
// with a capital letter ("Dear Kari," then "Your booking", as letters
// are written in both languages), and every time it gives carries the
// time zone, in Norwegian too.
func TestLetterConventions(t *testing.T) {
	tmpl, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	greeting := regexp.MustCompile(`(?m)^(?:<p>)?(?:Dear|Hei) [^\n]*,(?:</p>)?\n+(?:<p>)?(.)`)
	timeLine := regexp.MustCompile(`(?m)^(?:Tid|Time): .*$`)
	// The words of the pages (i18n's TestOneWordForOneThing): a booking
	// is a booking, a topic a tema.
	wrongWord := map[string]*regexp.Regexp{
		"nb": regexp.MustCompile(`(?i)\b(timen|timebestilling\w*|bestilling\w*|emne|emnet)\b`),
		"en": regexp.MustCompile(`(?i)\bappointments?\b`),
	}
	for _, lang := range []string{"nb", "en"} {
		for _, k := range kinds {
			for _, by := range []string{"student", "librarian", "system"} {
				d := mailData{Lang: lang, Kind: k, StudentName: "Kari Nordmann", Librarian: "Lars Berg", Topic: "Zotero",
					Date: "tirsdag 5. mai 2026", Time: "10.00–10.45", Zone: "CEST", CancelledBy: by,
					ManageURL: "https://veileder.example.org/booking/x", AnotherURL: "https://veileder.example.org/topics/zotero"}
				var text, html bytes.Buffer
				if err := tmpl.text[lang].ExecuteTemplate(&text, string(k), d); err != nil {
					t.Fatal(err)
				}
				if err := tmpl.html[lang].ExecuteTemplate(&html, string(k), d); err != nil {
					t.Fatal(err)
				}
				for part, body := range map[string]string{"text": text.String(), "html": html.String()} {
					if w := wrongWord[lang].FindString(body); w != "" {
						t.Errorf("%s %s (%s): says %q", lang, k, part, w)
					}
					m := greeting.FindStringSubmatch(body)
					if m == nil {
						t.Errorf("%s %s (%s): no greeting:\n%s", lang, k, part, body)
						continue
					}
					if r, _ := utf8.DecodeRuneInString(m[1]); !unicode.IsUpper(r) {
						t.Errorf("%s %s (%s, cancelled by %s): the first sentence after the greeting begins with %q", lang, k, part, by, m[1])
					}
				}
				for _, line := range timeLine.FindAllString(text.String(), -1) {
					if !strings.Contains(line, "(CEST)") {
						t.Errorf("%s %s: %q gives no time zone", lang, k, line)
					}
				}
			}
		}
	}
}
