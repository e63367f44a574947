package store_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

func ptr[T any](v T) *T { return &v }

func createTopic(t *testing.T, s *store.Store, slug string) booking.Topic {
	t.Helper()
	topic, err := s.CreateTopic(t.Context(), booking.Topic{
		Slug: slug, ServiceSlug: "bibliotekar", NameNB: "Emne " + slug, NameEN: "Topic " + slug,
	})
	if err != nil {
		t.Fatalf("CreateTopic(%s): %v", slug, err)
	}
	return topic
}

func topicSlugs(topics []booking.Topic) []string {
	var out []string
	for _, t := range topics {
		out = append(out, t.Slug)
	}
	return out
}

func TestSeededCatalog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		svcs, err := s.Services(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(svcs) != 1 || svcs[0].Slug != "bibliotekar" || svcs[0].NameNB != "Bestill en bibliotekar" || svcs[0].NameEN != "Book a librarian" {
			t.Errorf("Services: got %+v, want the seeded bibliotekar", svcs)
		}
		g, err := s.TopicBySlug(ctx, "generell")
		if err != nil {
			t.Fatal(err)
		}
		if !g.General || g.ServiceSlug != "bibliotekar" || g.NameNB != "Vet ikke – hjelp meg å velge" || g.NameEN != "I don't know – help me choose" {
			t.Errorf("TopicBySlug(generell): got %+v, want the seeded general topic", g)
		}
	})
}

func TestServices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		created, err := s.CreateService(ctx, booking.Service{
			Slug: "skrivestotte", NameNB: " Skrivestøtte ", NameEN: "Writing support",
			Rules: booking.RulesOverride{MeetingLength: ptr(60 * time.Minute), MaxActivePerStudent: ptr(1)},
		})
		if err != nil {
			t.Fatal(err)
		}
		if created.ID == 0 || created.NameNB != "Skrivestøtte" || *created.Rules.MeetingLength != time.Hour ||
			*created.Rules.MaxActivePerStudent != 1 || created.Rules.Buffer != nil {
			t.Errorf("CreateService: got %+v, want the service with its two rules", created)
		}
		got, err := s.ServiceBySlug(ctx, "skrivestotte")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != created.ID || *got.Rules.MeetingLength != time.Hour {
			t.Errorf("ServiceBySlug: got %+v, want %+v", got, created)
		}

		tests := []struct {
			name string
			svc  booking.Service
			want error
		}{
			{"taken slug", booking.Service{Slug: "skrivestotte", NameNB: "a", NameEN: "b"}, booking.ErrConflict},
			{"upper case slug", booking.Service{Slug: "Skrive", NameNB: "a", NameEN: "b"}, booking.ErrInvalid},
			{"no English name", booking.Service{Slug: "x-y", NameNB: "a", NameEN: " "}, booking.ErrInvalid},
			{"NUL in description", booking.Service{Slug: "x-y", NameNB: "a", NameEN: "b", DescriptionEN: "a\x00"}, booking.ErrInvalid},
			{"bad rules", booking.Service{Slug: "x-y", NameNB: "a", NameEN: "b", Rules: booking.RulesOverride{SlotGrid: ptr(7 * time.Hour)}}, booking.ErrInvalid},
		}
		for _, tt := range tests {
			_, err := s.CreateService(ctx, tt.svc)
			checkErr(t, tt.name, err, tt.want)
		}
		_, err = s.ServiceBySlug(ctx, "missing")
		checkErr(t, "ServiceBySlug missing", err, booking.ErrNotFound)
	})
}

func TestValidSlug(t *testing.T) {
	tests := []struct {
		slug string
		ok   bool
	}{
		{"zotero", true},
		{"apen-publisering", true},
		{"b2", true},
		{"ab", true},
		{strings.Repeat("a", 60), true},
		{"a", false},
		{strings.Repeat("a", 61), false},
		{"Zotero", false},
		{"åpen", false},
		{"a_b", false},
		{"a b", false},
		{"#zotero", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := store.ValidSlug(tt.slug) == nil; got != tt.ok {
			t.Errorf("ValidSlug(%q): got ok %v, want %v", tt.slug, got, tt.ok)
		}
	}
}

func TestTopics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		if _, err := s.CreateService(ctx, booking.Service{Slug: "skrivestotte", NameNB: "Skrivestøtte", NameEN: "Writing support"}); err != nil {
			t.Fatal(err)
		}
		zotero, err := s.CreateTopic(ctx, booking.Topic{
			Slug: "zotero", ServiceSlug: "bibliotekar", NameNB: "Zotero", NameEN: "Zotero",
			DescriptionNB: "Referanser i Zotero", DescriptionEN: "References in Zotero",
			Rules: booking.RulesOverride{MeetingLength: ptr(30 * time.Minute)},
		})
		if err != nil {
			t.Fatal(err)
		}
		if zotero.ID == 0 || zotero.ServiceSlug != "bibliotekar" || zotero.DescriptionEN != "References in Zotero" ||
			zotero.General || *zotero.Rules.MeetingLength != 30*time.Minute {
			t.Errorf("CreateTopic: got %+v, want zotero with a 30m rule", zotero)
		}
		writing := createTopic(t, s, "akademisk-skriving")
		writing.ServiceSlug = "skrivestotte"
		jus := createTopic(t, s, "jus")

		tests := []struct {
			name  string
			topic booking.Topic
			want  error
		}{
			{"taken slug", booking.Topic{Slug: "zotero", ServiceSlug: "bibliotekar", NameNB: "a", NameEN: "b"}, booking.ErrConflict},
			{"one letter slug", booking.Topic{Slug: "z", ServiceSlug: "bibliotekar", NameNB: "a", NameEN: "b"}, booking.ErrInvalid},
			{"slug with a space", booking.Topic{Slug: "end note", ServiceSlug: "bibliotekar", NameNB: "a", NameEN: "b"}, booking.ErrInvalid},
			{"no Norwegian name", booking.Topic{Slug: "endnote", ServiceSlug: "bibliotekar", NameEN: "b"}, booking.ErrInvalid},
			{"name too long", booking.Topic{Slug: "endnote", ServiceSlug: "bibliotekar", NameNB: strings.Repeat("a", 201), NameEN: "b"}, booking.ErrInvalid},
			{"unknown service", booking.Topic{Slug: "endnote", ServiceSlug: "nope", NameNB: "a", NameEN: "b"}, booking.ErrNotFound},
			{"rules that cannot work", booking.Topic{Slug: "endnote", ServiceSlug: "bibliotekar", NameNB: "a", NameEN: "b",
				Rules: booking.RulesOverride{MeetingLength: ptr(-time.Minute)}}, booking.ErrInvalid},
		}
		for _, tt := range tests {
			_, err := s.CreateTopic(ctx, tt.topic)
			checkErr(t, tt.name, err, tt.want)
		}

		// Update moves a topic to another service and changes its rules,
		// but never its slug.
		writing.NameEN, writing.Slug = "Academic writing", "renamed"
		writing.Rules = booking.RulesOverride{Buffer: ptr(time.Duration(0))}
		updated, err := s.UpdateTopic(ctx, writing)
		if err != nil {
			t.Fatal(err)
		}
		if updated.Slug != "akademisk-skriving" || updated.ServiceSlug != "skrivestotte" || updated.NameEN != "Academic writing" ||
			updated.Rules.Buffer == nil || *updated.Rules.Buffer != 0 || updated.Rules.MeetingLength != nil {
			t.Errorf("UpdateTopic: got %+v, want the new service, name and a zero buffer under the old slug", updated)
		}
		_, err = s.UpdateTopic(ctx, booking.Topic{ID: 9999, ServiceSlug: "bibliotekar", NameNB: "a", NameEN: "b"})
		checkErr(t, "UpdateTopic missing", err, booking.ErrNotFound)
		_, err = s.UpdateTopic(ctx, booking.Topic{ID: jus.ID, ServiceSlug: "bibliotekar", NameNB: "", NameEN: "b"})
		checkErr(t, "UpdateTopic without name", err, booking.ErrInvalid)

		// Students see active topics by service, general last, then by
		// order and age.
		topics, err := s.Topics(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := topicSlugs(topics), []string{"zotero", "jus", "generell", "akademisk-skriving"}; !slices.Equal(got, want) {
			t.Errorf("Topics: got %v, want %v", got, want)
		}
		checkErr(t, "SetTopicOrder", s.SetTopicOrder(ctx, jus.ID, -1), nil)
		checkErr(t, "SetTopicActive", s.SetTopicActive(ctx, zotero.ID, false), nil)
		checkErr(t, "SetTopicActive missing", s.SetTopicActive(ctx, 9999, false), booking.ErrNotFound)
		topics, err = s.Topics(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := topicSlugs(topics), []string{"jus", "generell", "akademisk-skriving"}; !slices.Equal(got, want) {
			t.Errorf("Topics after reorder and withdrawal: got %v, want %v", got, want)
		}
		all, err := s.AllTopics(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var listed []string
		for _, tl := range all {
			listed = append(listed, tl.Slug+":"+map[bool]string{true: "on", false: "off"}[tl.Active])
		}
		if want := []string{"jus:on", "zotero:off", "generell:on", "akademisk-skriving:on"}; !slices.Equal(listed, want) {
			t.Errorf("AllTopics: got %v, want %v", listed, want)
		}

		// A withdrawn topic can still be looked up, for its bookings.
		got, err := s.TopicBySlug(ctx, "zotero")
		if err != nil || got.ID != zotero.ID {
			t.Errorf("TopicBySlug(withdrawn zotero): got %+v, %v; want it", got, err)
		}
		got, err = s.TopicByID(ctx, jus.ID)
		if err != nil || got.Slug != "jus" {
			t.Errorf("TopicByID(jus): got %+v, %v; want jus", got, err)
		}
		_, err = s.TopicBySlug(ctx, "missing")
		checkErr(t, "TopicBySlug missing", err, booking.ErrNotFound)
		_, err = s.TopicByID(ctx, 9999)
		checkErr(t, "TopicByID missing", err, booking.ErrNotFound)
	})
}
