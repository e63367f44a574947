package booking

import "testing"

func TestTopicName(t *testing.T) {
	both := Topic{Slug: "zotero", NameNB: "Zotero på norsk", NameEN: "Zotero in English",
		DescriptionNB: "Kom i gang", DescriptionEN: "Get started"}
	tests := []struct {
		topic           Topic
		lang            string
		name, desc      string
		service, svDesc string
	}{
		{both, "nb", "Zotero på norsk", "Kom i gang", "Zotero på norsk", "Kom i gang"},
		{both, "en", "Zotero in English", "Get started", "Zotero in English", "Get started"},
		// Anything but English is Bokmål.
		{both, "nn", "Zotero på norsk", "Kom i gang", "Zotero på norsk", "Kom i gang"},
		// A missing text falls back to the other language, a missing name
		// to the slug.
		{Topic{Slug: "zotero", NameNB: "Zotero", DescriptionNB: "Kom i gang"}, "en", "Zotero", "Kom i gang", "Zotero", "Kom i gang"},
		{Topic{Slug: "zotero", NameEN: "Zotero", DescriptionEN: "Get started"}, "nb", "Zotero", "Get started", "Zotero", "Get started"},
		{Topic{Slug: "zotero"}, "en", "zotero", "", "", ""},
	}
	for _, tt := range tests {
		tp := tt.topic
		sv := Service{Slug: tp.Slug, NameNB: tp.NameNB, NameEN: tp.NameEN, DescriptionNB: tp.DescriptionNB, DescriptionEN: tp.DescriptionEN}
		if got := tp.Name(tt.lang); got != tt.name {
			t.Errorf("%+v.Name(%q) = %q, want %q", tp, tt.lang, got, tt.name)
		}
		if got := tp.Description(tt.lang); got != tt.desc {
			t.Errorf("%+v.Description(%q) = %q, want %q", tp, tt.lang, got, tt.desc)
		}
		if got := sv.Name(tt.lang); got != tt.service {
			t.Errorf("%+v.Name(%q) = %q, want %q", sv, tt.lang, got, tt.service)
		}
		if got := sv.Description(tt.lang); got != tt.svDesc {
			t.Errorf("%+v.Description(%q) = %q, want %q", sv, tt.lang, got, tt.svDesc)
		}
	}
}

func TestUserName(t *testing.T) {
	tests := []struct {
		user User
		want string
	}{
		{User{Username: "lars", DisplayName: "Lars Berg"}, "Lars Berg"},
		{User{Username: "lars", DisplayName: "  Lars Berg "}, "Lars Berg"},
		{User{Username: "lars"}, "lars"},
		{User{Username: "lars", DisplayName: " "}, "lars"},
	}
	for _, tt := range tests {
		if got := tt.user.Name(); got != tt.want {
			t.Errorf("%+v.Name() = %q, want %q", tt.user, got, tt.want)
		}
	}
}
