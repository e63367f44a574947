package web

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/veileder/veileder/booking"
)

// zoteroQuestions are intake questions of the topic zotero (ID 1): one of
// each kind.
func zoteroQuestions() []booking.Question {
	return []booking.Question{
		{ID: 11, TopicID: 1, Position: 1, Kind: booking.QuestionChoice, Required: true, LabelNB: "Fakultet", LabelEN: "Faculty",
			Options: []booking.Option{{NB: "Jus", EN: "Law"}, {NB: "Medisin", EN: "Medicine"}}},
		{ID: 12, TopicID: 1, Position: 2, Kind: booking.QuestionText, Required: true, LabelNB: "Emnekode", LabelEN: "Course code"},
		{ID: 13, TopicID: 1, Position: 3, Kind: booking.QuestionLongText, LabelNB: "Hva har du prøvd?", LabelEN: "What have you tried?"},
		{ID: 14, TopicID: 1, Position: 4, Kind: booking.QuestionYesNo, Required: true, LabelNB: "Skriver du masteroppgave?", LabelEN: "Are you writing a thesis?"},
	}
}

func TestIntakeQuestionsOnTheForm(t *testing.T) {
	e := newEnv(t)
	e.booker.cat.Questions = zoteroQuestions()
	c := e.client(t)
	res := e.get(t, c, bookPath)
	for _, want := range []string{
		`<label for="q11">Fakultet</label>`,
		`<option value="2">Medisin</option>`,
		`<label for="q12">Emnekode</label>`,
		`<input type="text" id="q12" name="q12" value="" maxlength="200" required>`,
		`<label for="q13">Hva har du prøvd? (valgfritt)</label>`,
		`<textarea id="q13" name="q13" rows="4" maxlength="2000">`,
		`<legend>Skriver du masteroppgave?</legend>`,
		`id="q14-yes" name="q14" value="yes"`,
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("form lacks %q", want)
		}
	}
	// The topic's own questions replace the default ones.
	if strings.Contains(res.body, `id="programme"`) || strings.Contains(res.body, `id="level"`) {
		t.Errorf("form with questions of its own still asks the default ones")
	}
	// Another topic keeps the defaults.
	other := e.get(t, c, strings.Replace(bookPath, "zotero", "systematisk", 1))
	if !strings.Contains(other.body, `id="programme"`) || strings.Contains(other.body, `id="q11"`) {
		t.Errorf("topic without questions: want the default questions only")
	}

	csrf := csrfFrom(t, res.body)
	for _, tc := range []struct {
		name    string
		answers url.Values
		errors  []string
	}{
		{"nothing", url.Values{}, []string{
			`<a href="#q11">Velg et svar på «Fakultet»</a>`,
			`<a href="#q12">Svar på «Emnekode»</a>`,
			`<a href="#q14-yes">Velg et svar på «Skriver du masteroppgave?»</a>`,
		}},
		{"not an option", url.Values{"q11": {"7"}, "q12": {"HIS4090"}, "q14": {"maybe"}}, []string{
			`<a href="#q11">Velg et svar på «Fakultet»</a>`,
			`<a href="#q14-yes">Velg et svar på «Skriver du masteroppgave?»</a>`,
		}},
		{"too long", url.Values{"q11": {"1"}, "q12": {strings.Repeat("x", 201)}, "q14": {"no"}}, []string{
			`<a href="#q12">Svaret på «Emnekode» kan være høyst 200 tegn</a>`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := validForm(csrf)
			for k, v := range tc.answers {
				form[k] = v
			}
			res := e.postForm(t, c, "/book/zotero", form)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status = %d, want 422", res.status)
			}
			for _, want := range tc.errors {
				if !strings.Contains(res.body, want) {
					t.Errorf("errors lack %q:\n%s", want, res.body)
				}
			}
			// What was typed stays.
			if v := tc.answers.Get("q12"); v != "" && !strings.Contains(res.body, `value="`+v+`"`) {
				t.Errorf("the form lost the answer %q", v)
			}
			if tc.answers.Get("q11") == "1" && !strings.Contains(res.body, `<option value="1" selected>`) {
				t.Errorf("the form lost the choice")
			}
		})
	}

	form := validForm(csrf)
	form.Set("q11", "2")
	form.Set("q12", " HIS4090 ")
	form.Set("q13", "Oria\r\nGoogle Scholar")
	form.Set("q14", "yes")
	res = e.postForm(t, c, "/book/zotero", form)
	if res.status != http.StatusSeeOther {
		t.Fatalf("complete form = %d, want 303:\n%s", res.status, res.body)
	}
	got := e.booker.last.Answers
	if got[11] != "2" || got[12] != " HIS4090 " || got[14] != "yes" {
		t.Errorf("answers sent to the service: %v", got)
	}
}

func TestAPIIntakeQuestions(t *testing.T) {
	e := newEnv(t)
	e.booker.cat.Questions = zoteroQuestions()
	res := e.get(t, e.client(t), "/api/topics")
	var topics struct{ Topics []apiTopic }
	if err := json.Unmarshal([]byte(res.body), &topics); err != nil {
		t.Fatal(err)
	}
	if qs := topics.Topics[0].Questions; len(qs) != 4 || qs[0].ID != 11 || qs[0].Kind != "choice" || !qs[0].Required ||
		len(qs[0].Options) != 2 || qs[0].Options[1].Value != "2" || qs[0].Options[1].Label.EN != "Medicine" || qs[1].MaxLen != 200 {
		t.Errorf("zotero's questions: %+v", qs)
	}
	if qs := topics.Topics[1].Questions; qs == nil || len(qs) != 0 {
		t.Errorf("a topic without questions: %#v, want []", qs)
	}

	const head = `{"topic":"zotero","start":"2026-03-10T08:00:00Z","language":"nb","mode":"in-person","name":"Ola","email":"ola@example.com","consent":true`
	for _, tc := range []struct {
		name, answers     string
		status            int
		code, field       string
		wantSentToService map[int64]string
	}{
		{"required missing", `{"11":"2","14":true}`, http.StatusUnprocessableEntity, "required", "q12", nil},
		{"not an option", `{"11":"Astrologi","12":"HIS4090","14":true}`, http.StatusUnprocessableEntity, "invalid", "q11", nil},
		{"not a question id", `{"elleve":"x"}`, http.StatusUnprocessableEntity, "invalid", "answers", nil},
		{"an object", `{"12":{"x":1}}`, http.StatusUnprocessableEntity, "invalid", "q12", nil},
		{"complete", `{"11":"Medicine","12":"HIS4090","14":false}`, http.StatusCreated, "", "",
			map[int64]string{11: "Medicine", 12: "HIS4090", 14: "no"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := e.postJSON(t, "/api/bookings", head+`,"answers":`+tc.answers+`}`)
			if res.status != tc.status {
				t.Fatalf("status = %d, want %d: %s", res.status, tc.status, res.body)
			}
			if tc.code != "" {
				var got apiErrorJSON
				if err := json.Unmarshal([]byte(res.body), &got); err != nil || got.Error.Code != tc.code || got.Error.Field != tc.field {
					t.Errorf("error = %s, want code %q field %q", res.body, tc.code, tc.field)
				}
				return
			}
			if got := e.booker.last.Answers; !maps.Equal(got, tc.wantSentToService) {
				t.Errorf("answers sent = %v, want %v", got, tc.wantSentToService)
			}
		})
	}
}
