package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
)

// withLibrarians gives the fake's Tuesday 09:00 slot two librarians, the
// second preferred, and its other slots the first one.
func withLibrarians(f *fakeBooker) {
	kari := booking.Offer{LibrarianID: 1, Name: "Kari Nordmann", Level: booking.LevelPrimary, Languages: []string{"nb", "en"}, Location: "Georg Sverdrups hus"}
	ola := booking.Offer{LibrarianID: 2, Name: "Ola Hansen", Level: booking.LevelSecondary, Languages: []string{"en"}, Location: "Rom 2"}
	for i := range f.slots {
		f.slots[i].Offers = []booking.Offer{kari}
		if f.slots[i].Start.Equal(slotTue9.UTC()) {
			f.slots[i].Offers = []booking.Offer{kari, ola}
			f.slots[i].Preferred = 1
		}
	}
}

func TestSlotsSayWho(t *testing.T) {
	tests := []struct {
		lang       string
		with, why  string
		choose     string
		noPref     string
		formWho    string
		formAssign string
	}{
		{"nb", "med Ola Hansen", "Zotero og referanser, også kompetanse, snakker engelsk", "Bibliotekar", "Ingen preferanse", "Ola Hansen", "Blir Ola Hansen opptatt"},
		{"en", "with Ola Hansen", "Zotero and references, secondary competence, speaks English", "Librarian", "No preference", "Ola Hansen", "If Ola Hansen is taken"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			e := newEnv(t)
			withLibrarians(e.booker)
			c := e.client(t)
			accept := []string{"Accept-Language", tt.lang}
			page := e.get(t, c, "/topics/zotero", accept...)
			for _, want := range []string{tt.with, tt.why, "Rom 2", `<select id="librarian" name="librarian"`, `<option value="">` + tt.noPref + `</option>`,
				`<option value="1">Kari Nordmann</option>`, `<option value="2">Ola Hansen</option>`} {
				if !strings.Contains(page.body, want) {
					t.Errorf("slot list lacks %q", want)
				}
			}
			// Asking for Kari: only her times, with her.
			page = e.get(t, c, "/topics/zotero?librarian=1", accept...)
			if strings.Contains(page.body, "Ola Hansen</span>") || !strings.Contains(page.body, `<option value="1" selected>`) {
				t.Errorf("slot list for Kari still shows Ola or lacks the choice")
			}
			if !strings.Contains(page.body, "librarian=1") {
				t.Errorf("slot links do not carry the chosen librarian")
			}

			// The form repeats who and where.
			form := e.get(t, c, bookPath, accept...)
			for _, want := range []string{tt.formWho, tt.formAssign, tt.why, "Rom 2"} {
				if !strings.Contains(form.body, want) {
					t.Errorf("form lacks %q", want)
				}
			}
			chosen := e.get(t, c, bookPath+"&librarian=1", accept...)
			if !strings.Contains(chosen.body, `<input type="hidden" name="librarian" value="1">`) || !strings.Contains(chosen.body, "Kari Nordmann") || strings.Contains(chosen.body, tt.formAssign) {
				t.Errorf("form for Kari lacks her or the hidden choice, or says another may come")
			}
			f := validForm(csrfFrom(t, chosen.body))
			f.Set("librarian", "1")
			res := e.postForm(t, c, "/book/zotero", f)
			if res.status != http.StatusSeeOther {
				t.Fatalf("book: got %d:\n%s", res.status, res.body)
			}
			e.booker.mu.Lock()
			got := e.booker.last.LibrarianID
			e.booker.mu.Unlock()
			if got != 1 {
				t.Errorf("Book got librarian %d, want 1", got)
			}
			// Asking for a librarian not free then: the time is gone.
			gone := e.get(t, c, "/book/zotero?"+url.Values{"start": {slotWed13.UTC().Format(time.RFC3339)}, "mode": {"in-person"}, "librarian": {"2"}}.Encode(), accept...)
			if gone.status != http.StatusConflict {
				t.Errorf("form for a librarian not free then: got %d, want 409", gone.status)
			}
		})
	}
}

func TestAPISlotsSayWho(t *testing.T) {
	e := newEnv(t)
	withLibrarians(e.booker)
	c := e.client(t)
	tests := []struct {
		query string
		want  map[string]string // slot start → librarian name
	}{
		{"", map[string]string{slotTue9.UTC().Format(time.RFC3339): "Ola Hansen", slotWed13.UTC().Format(time.RFC3339): "Kari Nordmann"}},
		{"&librarian=2", map[string]string{slotTue9.UTC().Format(time.RFC3339): "Ola Hansen"}},
		{"&librarian=1", map[string]string{slotTue9.UTC().Format(time.RFC3339): "Kari Nordmann", slotWed13.UTC().Format(time.RFC3339): "Kari Nordmann"}},
	}
	for _, tt := range tests {
		res := e.get(t, c, "/api/slots?topic=zotero"+tt.query)
		var out struct {
			Slots []struct {
				Start     string `json:"start"`
				Librarian *struct {
					Name      string   `json:"name"`
					Languages []string `json:"languages"`
					Level     string   `json:"level"`
				} `json:"librarian"`
			} `json:"slots"`
		}
		if err := json.Unmarshal([]byte(res.body), &out); err != nil || res.status != http.StatusOK {
			t.Fatalf("%s: %d %s", tt.query, res.status, res.body)
		}
		got := map[string]string{}
		for _, sl := range out.Slots {
			if sl.Librarian == nil || len(sl.Librarian.Languages) == 0 || sl.Librarian.Level == "" {
				t.Fatalf("%s: slot %s without its librarian: %s", tt.query, sl.Start, res.body)
			}
			got[sl.Start] = sl.Librarian.Name
		}
		for start, name := range tt.want {
			if got[start] != name {
				t.Errorf("%s: slot %s with %q, want %q", tt.query, start, got[start], name)
			}
		}
		if tt.query == "&librarian=2" && len(got) != 1 {
			t.Errorf("%s: got %d slots, want only Ola's one", tt.query, len(got))
		}
	}
}
