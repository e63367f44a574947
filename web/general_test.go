package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The general topic ("help me choose") asks what the student needs before
// anything else, will not book without it, and says on the confirmation
// that the librarian got it.
func TestGeneralTopicAsksTheNeed(t *testing.T) {
	generalPath := "/book/generell?" + url.Values{"start": {slotTue9.UTC().Format(time.RFC3339)}, "mode": {"in-person"}}.Encode()
	for _, tc := range []struct {
		lang                                string
		list, heading, label, missing, done string
	}{
		{"nb", "Hjelp meg å velge: ledige tider", "<h2>Hva du trenger</h2>", `<label for="question">Hva trenger du hjelp til?</label>`,
			"Skriv hva du trenger hjelp til", "Vi har gitt beskrivelsen din til Kari Nordmann"},
		{"en", "Help me choose: free times", "<h2>What you need</h2>", `<label for="question">What do you need help with?</label>`,
			"Tell us what you need help with", "We have passed your description on to Kari Nordmann"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			e := newEnv(t)
			c := e.client(t)
			e.get(t, c, "/?lang="+tc.lang) // the cookie keeps the language
			if res := e.get(t, c, "/topics/generell"); !strings.Contains(res.body, "<h1>"+tc.list+"</h1>") {
				t.Errorf("slot list lacks its heading %q:\n%s", tc.list, res.body)
			}
			res := e.get(t, c, generalPath)
			body := res.body
			for _, want := range []string{tc.heading, tc.label, `maxlength="4000" required`} {
				if !strings.Contains(body, want) {
					t.Errorf("form lacks %q", want)
				}
			}
			// The question comes before the name.
			if q, n := strings.Index(body, `id="question"`), strings.Index(body, `id="name"`); q < 0 || n < 0 || q > n {
				t.Errorf("question at %d, name at %d: want the question first", q, n)
			}
			form := validForm(csrfFrom(t, body))
			form.Set("question", "   ")
			form.Set("language", tc.lang)
			res = e.postForm(t, c, "/book/generell", form)
			if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `<a href="#question">`+tc.missing) {
				t.Fatalf("without the question = %d, want 422 with %q:\n%s", res.status, tc.missing, res.body)
			}
			// What was typed stays.
			if !strings.Contains(res.body, `value="Ola Nordmann"`) {
				t.Errorf("the form lost the name")
			}
			form.Set("question", "Jeg skal skrive bacheloroppgave om klima og vet ikke hvor jeg skal søke.")
			res = e.postForm(t, c, "/book/generell", form)
			if res.status != http.StatusSeeOther {
				t.Fatalf("with the question = %d, want 303:\n%s", res.status, res.body)
			}
			res = e.get(t, c, res.header.Get("Location"))
			for _, want := range []string{tc.done, `<dd class="question">Jeg skal skrive bacheloroppgave`} {
				if !strings.Contains(res.body, want) {
					t.Errorf("confirmation lacks %q:\n%s", want, res.body)
				}
			}
		})
	}
}
