package store_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

func TestProfiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)

		got, err := s.Profile(ctx, ola.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := booking.DefaultProfile(ola.ID); !reflect.DeepEqual(got, want) {
			t.Errorf("Profile before SetProfile: got %+v, want %+v", got, want)
		}

		set := booking.Profile{UserID: ola.ID, Languages: []string{" NB", "en", "nb", ""}, Campus: " Domus Bibliotheca ",
			InPerson: true, Online: false, NotifyNewBooking: true}
		checkErr(t, "SetProfile", s.SetProfile(ctx, set), nil)
		got, err = s.Profile(ctx, ola.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := booking.Profile{UserID: ola.ID, Languages: []string{"nb", "en"}, Campus: "Domus Bibliotheca",
			InPerson: true, Online: false, NotifyNewBooking: true}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Profile: got %+v, want %+v", got, want)
		}
		// Setting again replaces.
		checkErr(t, "SetProfile again", s.SetProfile(ctx, booking.Profile{UserID: ola.ID, Languages: []string{"en"}, Online: true}), nil)
		got, _ = s.Profile(ctx, ola.ID)
		if want := (booking.Profile{UserID: ola.ID, Languages: []string{"en"}, Online: true}); !reflect.DeepEqual(got, want) {
			t.Errorf("Profile after replace: got %+v, want %+v", got, want)
		}

		tests := []struct {
			name string
			p    booking.Profile
			want error
		}{
			{"unknown user", booking.Profile{UserID: 9999}, booking.ErrNotFound},
			{"bad language", booking.Profile{UserID: ola.ID, Languages: []string{"norsk"}}, booking.ErrInvalid},
			{"language with a digit", booking.Profile{UserID: ola.ID, Languages: []string{"n1"}}, booking.ErrInvalid},
			{"NUL in campus", booking.Profile{UserID: ola.ID, Campus: "a\x00"}, booking.ErrInvalid},
		}
		for _, tt := range tests {
			checkErr(t, tt.name, s.SetProfile(ctx, tt.p), tt.want)
		}
		_, err = s.Profile(ctx, 9999)
		checkErr(t, "Profile unknown user", err, booking.ErrNotFound)
	})
}

func TestParseLanguages(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		ok   bool
	}{
		{"nb,en", []string{"nb", "en"}, true},
		{" NB , en ,", []string{"nb", "en"}, true},
		{"", nil, true},
		{"nn,nb,nn", []string{"nn", "nb"}, true},
		{"norsk", nil, false},
	}
	for _, tt := range tests {
		got, err := store.ParseLanguages(tt.in)
		if (err == nil) != tt.ok || !slices.Equal(got, tt.want) {
			t.Errorf("ParseLanguages(%q): got %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestCompetences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		zotero := createTopic(t, s, "zotero")
		jus := createTopic(t, s, "jus")

		tests := []struct {
			name  string
			user  int64
			topic string
			level booking.Level
			langs []string
			want  error
		}{
			{"primary by default", ola.ID, "zotero", "", nil, nil},
			{"secondary with languages", ola.ID, "jus", "Secondary", []string{"en"}, nil},
			{"unknown topic", ola.ID, "nope", "", nil, booking.ErrNotFound},
			{"unknown user", 9999, "zotero", "", nil, booking.ErrNotFound},
			{"bad level", ola.ID, "zotero", "expert", nil, booking.ErrInvalid},
			{"bad language", ola.ID, "zotero", "", []string{"english"}, booking.ErrInvalid},
		}
		for _, tt := range tests {
			checkErr(t, tt.name, s.AddCompetence(ctx, tt.user, tt.topic, tt.level, tt.langs), tt.want)
		}
		got, err := s.Competences(ctx, ola.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []booking.Competence{
			{LibrarianID: ola.ID, TopicID: zotero.ID, Level: booking.LevelPrimary},
			{LibrarianID: ola.ID, TopicID: jus.ID, Level: booking.LevelSecondary, Languages: []string{"en"}},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Competences: got %+v, want %+v", got, want)
		}

		// Adding again changes the level and languages.
		checkErr(t, "AddCompetence again", s.AddCompetence(ctx, ola.ID, "zotero", booking.LevelSecondary, []string{"nb", "en"}), nil)
		got, _ = s.Competences(ctx, ola.ID)
		if len(got) != 2 || got[0].Level != booking.LevelSecondary || !slices.Equal(got[0].Languages, []string{"nb", "en"}) {
			t.Errorf("Competences after re-adding zotero: got %+v, want zotero secondary in nb, en", got)
		}

		checkErr(t, "RemoveCompetence", s.RemoveCompetence(ctx, ola.ID, "zotero"), nil)
		checkErr(t, "RemoveCompetence again", s.RemoveCompetence(ctx, ola.ID, "zotero"), booking.ErrNotFound)
		checkErr(t, "RemoveCompetence unknown topic", s.RemoveCompetence(ctx, ola.ID, "nope"), booking.ErrNotFound)
		got, _ = s.Competences(ctx, ola.ID)
		if len(got) != 1 || got[0].TopicID != jus.ID {
			t.Errorf("Competences after removal: got %+v, want jus only", got)
		}
	})
}

func TestLibrariansForTopic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ingrid := createUser(t, s, "ingrid", booking.RoleLibrarian)
		lars := createUser(t, s, "lars", booking.RoleLibrarian)
		marit := createUser(t, s, "marit", booking.RoleCoordinator)
		gone := createUser(t, s, "gone", booking.RoleLibrarian)
		createUser(t, s, "none", booking.RoleLibrarian) // no competence
		medisin := createTopic(t, s, "medisin")
		zotero := createTopic(t, s, "zotero")
		jus := createTopic(t, s, "jus")

		for _, c := range []struct {
			user  booking.User
			topic string
			level booking.Level
			langs []string
		}{
			{ingrid, "medisin", booking.LevelPrimary, nil},
			{ingrid, "zotero", booking.LevelSecondary, []string{"en"}},
			{lars, "zotero", booking.LevelPrimary, nil},
			{marit, "zotero", booking.LevelSecondary, nil},
			{gone, "zotero", booking.LevelPrimary, nil},
		} {
			if err := s.AddCompetence(ctx, c.user.ID, c.topic, c.level, c.langs); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SetProfile(ctx, booking.Profile{UserID: ingrid.ID, Languages: []string{"nb"}, Campus: "Georg Sverdrups hus", InPerson: true}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetDisabled(ctx, "gone", true); err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			name  string
			topic int64
			want  []booking.Librarian
		}{
			{"one librarian", medisin.ID, []booking.Librarian{
				{ID: ingrid.ID, Name: "User ingrid", Languages: []string{"nb"}, Campus: "Georg Sverdrups hus", InPerson: true,
					Competences: []booking.Competence{
						{LibrarianID: ingrid.ID, TopicID: medisin.ID, Level: booking.LevelPrimary},
						{LibrarianID: ingrid.ID, TopicID: zotero.ID, Level: booking.LevelSecondary, Languages: []string{"en"}},
					}},
			}},
			{"enabled staff of any role, not the disabled one", zotero.ID, []booking.Librarian{
				{ID: ingrid.ID, Name: "User ingrid", Languages: []string{"nb"}, Campus: "Georg Sverdrups hus", InPerson: true,
					Competences: []booking.Competence{
						{LibrarianID: ingrid.ID, TopicID: medisin.ID, Level: booking.LevelPrimary},
						{LibrarianID: ingrid.ID, TopicID: zotero.ID, Level: booking.LevelSecondary, Languages: []string{"en"}},
					}},
				{ID: lars.ID, Name: "User lars", Languages: []string{"nb", "en"}, InPerson: true, Online: true,
					Competences: []booking.Competence{{LibrarianID: lars.ID, TopicID: zotero.ID, Level: booking.LevelPrimary}}},
				{ID: marit.ID, Name: "User marit", Languages: []string{"nb", "en"}, InPerson: true, Online: true,
					Competences: []booking.Competence{{LibrarianID: marit.ID, TopicID: zotero.ID, Level: booking.LevelSecondary}}},
			}},
			{"nobody", jus.ID, nil},
			{"unknown topic", 9999, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.LibrariansForTopic(ctx, tt.topic)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != 0 || len(tt.want) != 0 {
					if !reflect.DeepEqual(got, tt.want) {
						t.Errorf("LibrariansForTopic:\n got %+v\nwant %+v", got, tt.want)
					}
				}
			})
		}
	})
}
