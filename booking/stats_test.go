package booking

import (
	"reflect"
	"testing"
	"time"
)

func TestSummarise(t *testing.T) {
	loc := oslo(t)
	at := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, loc) }
	fact := func(topic string, lib int64, start time.Time, lead time.Duration, status Status, by Party, noShow bool, level, lang string) BookingFact {
		return BookingFact{TopicSlug: topic, TopicNameNB: topic + "-nb", TopicNameEN: topic + "-en", ServiceSlug: "bibliotekar",
			LibrarianID: lib, LibrarianName: "lib", Start: start, End: start.Add(45 * time.Minute), Created: start.Add(-lead),
			Status: status, CancelledBy: by, NoShow: noShow, StudyLevel: level, Language: lang}
	}
	facts := []BookingFact{
		fact("zotero", 1, at(9, 10), 2*time.Hour, StatusConfirmed, "", false, "master", "nb"),
		fact("zotero", 1, at(10, 10), 48*time.Hour, StatusConfirmed, "", true, "master", "en"),
		fact("zotero", 2, at(16, 10), 10*24*time.Hour, StatusCancelled, PartyStudent, false, "", "nb"),
		fact("endnote", 2, at(29, 10), 20*24*time.Hour, StatusCancelled, PartyLibrarian, false, "phd", "nb"),
	}
	demand := []DemandRecord{{TopicSlug: "endnote", Date: "2026-03-09"}, {TopicSlug: "endnote", Date: "2026-03-10"}, {TopicSlug: "zotero", Date: "2026-03-30"}}
	topics := []Topic{{Slug: "endnote", NameNB: "EndNote", NameEN: "EndNote"}, {Slug: "zotero", NameNB: "Zotero", NameEN: "Zotero"}}
	st := Summarise(facts, demand, topics, at(1, 0), at(31, 0), loc)

	if got, want := [5]int{st.Bookings, st.Held, st.Cancelled, st.NoShows, st.Unmet}, [5]int{4, 2, 2, 1, 3}; got != want {
		t.Errorf("totals: got %v, want %v", got, want)
	}
	// The median of the held bookings' lead times, 2 h and 48 h.
	if got, want := st.LeadMedian, 25*time.Hour; got != want {
		t.Errorf("lead median: got %v, want %v", got, want)
	}
	tests := []struct {
		name string
		got  []CountRow
		want []CountRow
	}{
		{"by topic", st.ByTopic, []CountRow{
			{Key: "zotero", NameNB: "zotero-nb", NameEN: "zotero-en", Bookings: 3, Held: 2, Cancelled: 1, NoShows: 1, Minutes: 90},
			{Key: "endnote", NameNB: "endnote-nb", NameEN: "endnote-en", Bookings: 1, Cancelled: 1},
		}},
		// 29 March is a Sunday, the DST change, still week 13.
		{"by week", st.ByWeek, []CountRow{
			{Key: "2026-W11", Bookings: 2, Held: 2, NoShows: 1, Minutes: 90},
			{Key: "2026-W12", Bookings: 1, Cancelled: 1},
			{Key: "2026-W13", Bookings: 1, Cancelled: 1},
		}},
		{"cancelled by", st.CancelledBy, []CountRow{{Key: "librarian", Bookings: 1}, {Key: "student", Bookings: 1}}},
		{"lead time", st.LeadTime, []CountRow{
			{Key: "0-1d", Bookings: 1, Held: 1, Minutes: 45},
			{Key: "1-3d", Bookings: 1, Held: 1, NoShows: 1, Minutes: 45},
			{Key: "3-7d"},
			{Key: "7-14d", Bookings: 1, Cancelled: 1},
			{Key: "14d+", Bookings: 1, Cancelled: 1},
		}},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, tt.got, tt.want)
		}
	}
	wantDemand := []DemandRow{
		{TopicSlug: "endnote", NameNB: "EndNote", NameEN: "EndNote", Week: "2026-W11", Searches: 2},
		{TopicSlug: "zotero", NameNB: "Zotero", NameEN: "Zotero", Week: "2026-W14", Searches: 1},
	}
	if !reflect.DeepEqual(st.Demand, wantDemand) {
		t.Errorf("demand:\n got %+v\nwant %+v", st.Demand, wantDemand)
	}
}
