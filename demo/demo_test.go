package demo

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// Every #tag of a demo window is a demo topic that its librarian holds, so
// that the window offers what it says.
func TestTagsMatchCompetences(t *testing.T) {
	known := map[string]bool{"generell": true}
	for _, tp := range topics {
		known[tp.Slug] = true
	}
	for _, p := range people {
		var held []string
		for _, c := range p.competences {
			if !known[c.topic] {
				t.Errorf("%s: competence in unknown topic %q", p.username, c.topic)
			}
			held = append(held, c.topic)
		}
		for _, w := range p.windows {
			for _, tag := range strings.Fields(w.tags) {
				if slug := strings.TrimPrefix(tag, "#"); !slices.Contains(held, slug) {
					t.Errorf("%s: window tagged %s, but competences are %v", p.username, tag, held)
				}
			}
		}
		if len(p.windows) > 0 && (len(p.competences) == 0 || p.profile.campus == "" || len(p.profile.languages) == 0) {
			t.Errorf("%s has windows but no competences, campus or languages", p.username)
		}
	}
}

func TestSeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		loc, err := time.LoadLocation("Europe/Oslo")
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 3, 18, 10, 0, 0, 0, loc)
		// Twice: seeding is idempotent.
		for range 2 {
			logins, err := Seed(ctx, s, loc, now)
			if err != nil {
				t.Fatal(err)
			}
			if len(logins) != len(people) {
				t.Errorf("Seed: got %d logins, want %d", len(logins), len(people))
			}
		}

		svcs, err := s.Services(ctx)
		if err != nil || len(svcs) != 2 {
			t.Errorf("Services: got %d, %v; want 2", len(svcs), err)
		}
		all, err := s.Topics(ctx)
		if err != nil || len(all) != len(topics)+1 {
			t.Errorf("Topics: got %d, %v; want %d", len(all), err, len(topics)+1)
		}

		tests := []struct {
			topic string
			want  []string
		}{
			{"medisin", []string{"Ingrid Haugen", "Ola Dahl"}},
			{"jus", []string{"Sara Nilsen"}},
			{"zotero", []string{"Lars Berg", "Ahmed Khan"}},
			{"generell", []string{"Ingrid Haugen", "Lars Berg", "Ahmed Khan", "Kari Lund", "Ola Dahl"}},
		}
		for _, tt := range tests {
			topic, err := s.TopicBySlug(ctx, tt.topic)
			if err != nil {
				t.Fatal(err)
			}
			libs, err := s.LibrariansForTopic(ctx, topic.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range libs {
				got = append(got, l.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("LibrariansForTopic(%s): got %v, want %v", tt.topic, got, tt.want)
			}
		}

		sara, err := s.UserByUsername(ctx, "sara")
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Profile(ctx, sara.ID)
		if err != nil || p.Campus != "Domus Bibliotheca" || p.Online || !p.InPerson || !slices.Equal(p.Languages, []string{"nb"}) {
			t.Errorf("Profile(sara): got %+v, %v; want Domus Bibliotheca, in person, nb", p, err)
		}
		cal, err := s.CalendarBySlug(ctx, sara.ID, "availability")
		if err != nil {
			t.Fatal(err)
		}
		if objs, err := s.Objects(ctx, cal.ID, false); err != nil || len(objs) != 2 {
			t.Errorf("sara's availability: got %d objects, %v; want 2", len(objs), err)
		}

		// A changed competence survives seeding again.
		if err := s.RemoveCompetence(ctx, sara.ID, "kildebruk"); err != nil {
			t.Fatal(err)
		}
		if _, err := Seed(ctx, s, loc, now); err != nil {
			t.Fatal(err)
		}
		comps, err := s.Competences(ctx, sara.ID)
		if err != nil || len(comps) != 3 {
			t.Errorf("sara's competences after reseeding: got %+v, %v; want 3", comps, err)
		}
	})
}
