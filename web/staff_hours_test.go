package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
)

// fakeHours keeps a librarian's windows in memory; it refuses as the
// scheduling service does for the cases the page must answer.
type fakeHours struct {
	mu    sync.Mutex
	list  []booking.WeeklyHours
	saved []booking.WeeklyHours
	// refuse, when set, is what the next save returns.
	refuse error
	next   int
}

func (f *fakeHours) WeeklyHours(_ context.Context, userID int64) ([]booking.WeeklyHours, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.list), nil
}

func (f *fakeHours) WeeklyHoursWindow(_ context.Context, userID int64, name string) (booking.WeeklyHours, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, h := range f.list {
		if h.Name == name {
			return h, nil
		}
	}
	return booking.WeeklyHours{}, fmt.Errorf("fake: %s: %w", name, booking.ErrNotFound)
}

func (f *fakeHours) SaveWeeklyHours(_ context.Context, userID int64, h booking.WeeklyHours) (booking.WeeklyHours, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.refuse; err != nil {
		f.refuse = nil
		return booking.WeeklyHours{}, err
	}
	f.saved = append(f.saved, h)
	if h.Name == "" {
		f.next++
		h.Name = fmt.Sprintf("w%d.ics", f.next)
	}
	h.Managed, h.Editable, h.ETag = true, true, fmt.Sprintf(`"%d"`, len(f.saved))
	f.list = append(slices.DeleteFunc(f.list, func(o booking.WeeklyHours) bool { return o.Name == h.Name }), h)
	return h, nil
}

func (f *fakeHours) DeleteWeeklyHours(_ context.Context, userID int64, name, etag string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, h := range f.list {
		if h.Name == name {
			if !h.Managed {
				return booking.ErrForbidden
			}
			if etag != "" && etag != h.ETag {
				return booking.ErrPreconditionFailed
			}
			f.list = slices.Delete(f.list, i, i+1)
			return nil
		}
	}
	return booking.ErrNotFound
}

func (f *fakeHours) lastSaved() (booking.WeeklyHours, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.saved) == 0 {
		return booking.WeeklyHours{}, 0
	}
	return f.saved[len(f.saved)-1], len(f.saved)
}

// Liv guides in Zotero; law is a topic she does not have.
var (
	zoteroTopic = booking.TopicListing{Topic: booking.Topic{ID: 10, Slug: "zotero", NameNB: "Zotero", NameEN: "Zotero"}, Active: true}
	lawTopic    = booking.TopicListing{Topic: booking.Topic{ID: 11, Slug: "jus", NameNB: "Jus", NameEN: "Law"}, Active: true}
)

func (externalStore) Competences(_ context.Context, userID int64) ([]booking.Competence, error) {
	return []booking.Competence{{LibrarianID: userID, TopicID: zoteroTopic.ID, Level: booking.LevelPrimary}}, nil
}

func (externalStore) AllTopics(context.Context) ([]booking.TopicListing, error) {
	return []booking.TopicListing{zoteroTopic, lawTopic}, nil
}

func hoursEnv(t *testing.T) (*env, *fakeHours) {
	t.Helper()
	hours := &fakeHours{}
	e := newEnv(t, func(c *Config) {
		c.Staff = StaffConfig{Store: externalStore{}, Service: fakeStaffService{}, Hours: hours}
	})
	return e, hours
}

func TestStaffHoursPage(t *testing.T) {
	e, hours := hoursEnv(t)
	oslo := mustLoad("Europe/Oslo")
	hours.list = []booking.WeeklyHours{
		{Name: "own.ics", ETag: `"1"`, Managed: true, Editable: true, Weekday: time.Tuesday, From: 600, To: 720,
			Topics: []string{"zotero"}, Place: "Georg Sverdrups hus", Exceptions: []time.Time{time.Date(2027, 3, 16, 0, 0, 0, 0, oslo)}},
		{Name: "changed.ics", Managed: true, Weekday: time.Friday, From: 540, To: 600},
		{Name: "app.ics", Summary: "Veiledning #zotero", Recurring: true, Weekday: time.Monday,
			Start: time.Date(2027, 3, 1, 9, 0, 0, 0, oslo), End: time.Date(2027, 3, 1, 11, 0, 0, 0, oslo)},
	}
	lib := e.staffClient(t, "librarian-session")
	for _, tt := range []struct{ lang, title, day, app, from string }{
		{"nb", "Faste veiledningstider", "<h3>tirsdag 10.00–12.00</h3>", "Tider fra kalenderappen", "gjentas, mandag 09.00–11.00, fra mandag 1. mars 2027"},
		{"en", "Weekly guidance hours", "<h3>Tuesday 10:00–12:00</h3>", "Hours from your calendar app", "repeating, Monday 09:00–11:00, from Monday 1 March 2027"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			r := e.get(t, lib, "/staff/hours?lang="+tt.lang)
			if r.status != http.StatusOK {
				t.Fatalf("got %d, want 200", r.status)
			}
			for _, want := range []string{
				"<h1>" + tt.title + "</h1>", tt.day, "<dd>#zotero</dd>", "<dd>Georg Sverdrups hus</dd>", "<dd>2027-03-16</dd>",
				`href="/staff/hours/own.ics"`, `action="/staff/hours/own.ics/delete"`, `name="etag" value="&#34;1&#34;"`,
				tt.app, "Veiledning #zotero", tt.from,
				`<a href="/staff/hours" aria-current="page"`, `id="topic-zotero" name="topics" value="zotero"`,
				`<input type="time" id="from" name="from" value="10:00"`, `<option value="1" selected>`,
			} {
				if !strings.Contains(r.body, want) {
					t.Errorf("page lacks %s:\n%s", want, r.body)
				}
			}
			// Only Liv's competences are offered; the window changed in an
			// app and the app's own are not to be changed here.
			for _, unwanted := range []string{`value="jus"`, `href="/staff/hours/changed.ics"`, `href="/staff/hours/app.ics"`, "MISSING:"} {
				if strings.Contains(r.body, unwanted) {
					t.Errorf("page has %s", unwanted)
				}
			}
		})
	}
	if r := e.get(t, lib, "/staff/hours/app.ics"); r.status != http.StatusNotFound {
		t.Errorf("edit form for the app's window: got %d, want 404", r.status)
	}
	r := e.get(t, lib, "/staff/hours/own.ics?lang=en")
	for _, want := range []string{"<h1>Change guidance hours</h1>", `action="/staff/hours/own.ics"`, `<option value="2" selected>`,
		`value="12:00"`, `id="topic-zotero" name="topics" value="zotero" checked`, ">2027-03-16</textarea>", `value="Georg Sverdrups hus"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("edit form lacks %s", want)
		}
	}
}

func TestStaffHoursSave(t *testing.T) {
	e, hours := hoursEnv(t)
	lib := e.staffClient(t, "librarian-session")
	form := e.formFrom(t, lib, "/staff/hours", "weekday", "3", "from", "09:30", "to", "11:00", "place", "  ", "online", "1",
		"exceptions", "2027-03-10\n17.03.2027, 2027-03-24")
	form["topics"] = []string{"zotero"}
	r := e.postForm(t, lib, "/staff/hours", form)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/staff/hours?done=hours.saved" {
		t.Fatalf("save: got %d to %q, want 303 to the page", r.status, r.header.Get("Location"))
	}
	got, n := hours.lastSaved()
	var days []string
	for _, d := range got.Exceptions {
		days = append(days, d.Format(time.DateOnly))
	}
	if n != 1 || got.Name != "" || got.Weekday != time.Wednesday || got.From != 570 || got.To != 660 || !got.Online ||
		!slices.Equal(got.Topics, []string{"zotero"}) || !slices.Equal(days, []string{"2027-03-10", "2027-03-17", "2027-03-24"}) {
		t.Errorf("saved %+v (exceptions %v)", got, days)
	}

	// An edit keeps the name and the ETag read.
	form = e.formFrom(t, lib, "/staff/hours/w1.ics", "weekday", "3", "from", "09:30", "to", "12:00")
	if !strings.Contains(e.get(t, lib, "/staff/hours/w1.ics").body, `name="etag" value="&#34;1&#34;"`) {
		t.Errorf("edit form lacks the ETag")
	}
	form.Set("etag", `"1"`)
	if r := e.postForm(t, lib, "/staff/hours/w1.ics", form); r.status != http.StatusSeeOther {
		t.Errorf("edit: got %d, want 303", r.status)
	}
	if got, _ := hours.lastSaved(); got.Name != "w1.ics" || got.ETag != `"1"` || got.To != 720 {
		t.Errorf("edit saved %+v", got)
	}

	if r := e.postForm(t, lib, "/staff/hours/w1.ics/delete", e.formFrom(t, lib, "/staff/hours", "etag", `"2"`)); r.status != http.StatusSeeOther || len(hours.list) != 0 {
		t.Errorf("delete: got %d, %d windows left", r.status, len(hours.list))
	}
}

// TestStaffHoursErrors: what the page cannot read, and what the service
// refuses, is told at its field in the page's language, with what was
// typed kept.
func TestStaffHoursErrors(t *testing.T) {
	tests := []struct {
		name, lang string
		form       []string
		refuse     error
		field      string
		want       string
	}{
		{"bad time nb", "nb", []string{"weekday", "1", "from", "ni", "to", "11:00"}, nil, "from", "Skriv når tiden begynner"},
		{"bad time en", "en", []string{"weekday", "1", "from", "10:00", "to", "25:00"}, nil, "to", "Enter when the hours end"},
		{"no weekday", "en", []string{"weekday", "9", "from", "10:00", "to", "11:00"}, nil, "weekday", "Choose a weekday"},
		{"bad date", "nb", []string{"weekday", "1", "from", "10:00", "to", "11:00", "exceptions", "neste uke"}, nil, "exceptions", "Skriv datoene som 2027-03-10"},
		{"ends first", "en", []string{"weekday", "1", "from", "12:00", "to", "11:00"}, &booking.FieldError{Field: "to", Code: "invalid"}, "to", "after they begin"},
		{"exception weekday nb", "nb", []string{"weekday", "1", "from", "10:00", "to", "11:00", "exceptions", "2027-03-10"},
			&booking.FieldError{Field: "exceptions", Code: "weekday"}, "exceptions", "samme ukedag"},
		{"unknown topic en", "en", []string{"weekday", "1", "from", "10:00", "to", "11:00"}, &booking.FieldError{Field: "topics", Code: "invalid"}, "topics", "Choose among your topics"},
		{"changed meanwhile", "en", []string{"weekday", "1", "from", "10:00", "to", "11:00"}, fmt.Errorf("stale: %w", booking.ErrPreconditionFailed), "", "changed in a calendar app"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, hours := hoursEnv(t)
			hours.refuse = tt.refuse
			lib := e.staffClient(t, "librarian-session")
			path := "/staff/hours?lang=" + tt.lang
			r := e.postForm(t, lib, path, e.formFrom(t, lib, path, tt.form...))
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("got %d, want 422:\n%s", r.status, r.body)
			}
			if !strings.Contains(r.body, tt.want) || tt.field != "" && !strings.Contains(r.body, `id="`+tt.field+`-error"`) {
				t.Errorf("page lacks %q at %q:\n%s", tt.want, tt.field, r.body)
			}
			if strings.Contains(r.body, "MISSING:") {
				t.Errorf("page has a missing text")
			}
			// What was typed comes back.
			for i := 0; i+1 < len(tt.form); i += 2 {
				if k, v := tt.form[i], tt.form[i+1]; (k == "from" || k == "to") && !strings.Contains(r.body, `name="`+k+`" value="`+v+`"`) {
					t.Errorf("field %s does not keep %q", k, v)
				}
			}
			if _, n := hours.lastSaved(); n != 0 {
				t.Errorf("saved %d windows, want none", n)
			}
		})
	}
}
