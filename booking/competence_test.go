package booking

import (
	"testing"
	"time"
)

func TestDevelopCompetence(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	// Two weeks: 2026-W19 and W20.
	from := time.Date(2026, 5, 4, 0, 0, 0, 0, loc)
	to := from.AddDate(0, 0, 14)
	mon, nextMon := from.Add(10*time.Hour), from.AddDate(0, 0, 7).Add(10*time.Hour)
	search := Topic{ID: 1, Slug: "sok", NameEN: "Systematic searching"}
	zotero := Topic{ID: 2, Slug: "zotero", NameEN: "Zotero"}
	law := Topic{ID: 3, Slug: "jus", NameEN: "Law"}
	idle := Topic{ID: 4, Slug: "idle", NameEN: "Idle"}
	in := CompetenceInput{
		From: from, To: to, Topics: []Topic{search, zotero, law, idle},
		Inquiries: []Inquiry{
			{TopicID: 1, READ: 2, Outcome: OutcomeReferred, At: mon},
			{TopicID: 1, READ: 4, Outcome: OutcomeBooked, At: mon},
			{TopicID: 1, READ: 3, Outcome: OutcomeAnswered, At: nextMon},
			{TopicID: 3, READ: 5, Outcome: OutcomeReferred, At: nextMon},
			{TopicID: 0, Tags: []string{"printing"}, READ: 1, Outcome: OutcomeAnswered, At: mon},
			{TopicID: 0, Tags: []string{"printing", "wifi"}, READ: 1, Outcome: OutcomeElsewhere, At: nextMon},
			{TopicID: 1, READ: 6, Outcome: OutcomeReferred, At: to}, // after the period
		},
		Bookings: []BookingFact{
			{TopicSlug: "sok", Start: mon.Add(24 * time.Hour), End: mon.Add(24*time.Hour + 45*time.Minute), Status: StatusConfirmed, AtDesk: true},
			{TopicSlug: "zotero", Start: nextMon, End: nextMon.Add(30 * time.Minute), Status: StatusConfirmed},
			{TopicSlug: "zotero", Start: nextMon.Add(time.Hour), End: nextMon.Add(90 * time.Minute), Status: StatusCancelled},
		},
		Demand: []DemandRecord{
			{TopicSlug: "sok", Date: "2026-05-05"}, {TopicSlug: "sok", Date: "2026-05-12"}, {TopicSlug: "sok", Date: "2026-05-12"},
			{TopicSlug: "sok", Date: "2026-05-18"}, // after the period
		},
		Librarians: map[int64][]SupplyLibrarian{
			1: {{ID: 10, Level: LevelPrimary, Languages: []string{"nb"}}, {ID: 11, Level: LevelSecondary, Languages: []string{"en", "nb"}}},
			2: {{ID: 10, Level: LevelPrimary, Languages: []string{"nb"}}},
		},
	}
	rows := DevelopCompetence(in, loc)
	type row struct {
		slug                                                  string
		inquiries, readSum, referred, bookings, atDesk, unmet int
		primary, secondary, minutes                           int
		langs, tags                                           string
		gap                                                   bool
		weekInquiries, weekBookings, weekUnmet                [2]int
	}
	var got []row
	for _, r := range rows {
		g := row{r.Topic.Slug, r.Inquiries, r.READSum, r.Referred, r.Bookings, r.AtDesk, r.Unmet, r.Primary, r.Secondary, r.BookedMinutes,
			join(r.Languages), join(r.Tags), r.Gap(), [2]int{}, [2]int{}, [2]int{}}
		if len(r.Weeks) != 2 || r.Weeks[0].Week != "2026-W19" || r.Weeks[1].Week != "2026-W20" {
			t.Fatalf("%s: got weeks %+v, want 2026-W19 and W20", r.Topic.Slug, r.Weeks)
		}
		for i, w := range r.Weeks {
			g.weekInquiries[i], g.weekBookings[i], g.weekUnmet[i] = w.Inquiries, w.Bookings, w.Unmet
		}
		got = append(got, g)
	}
	want := []row{
		// Gaps first, by demand: searching has unmet searches, law nobody.
		{"sok", 3, 9, 2, 1, 1, 3, 1, 1, 45, "en nb", "", true, [2]int{2, 1}, [2]int{1, 0}, [2]int{1, 2}},
		{"jus", 1, 5, 1, 0, 0, 0, 0, 0, 0, "", "", true, [2]int{0, 1}, [2]int{}, [2]int{}},
		{"zotero", 0, 0, 0, 2, 0, 0, 1, 0, 30, "nb", "", false, [2]int{}, [2]int{0, 2}, [2]int{}},
		{"", 2, 2, 0, 0, 0, 0, 0, 0, 0, "", "printing wifi", false, [2]int{1, 1}, [2]int{}, [2]int{}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rows %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if m := rows[0].MeanREAD(); m != 3 {
		t.Errorf("MeanREAD of sok: got %v, want 3", m)
	}
}

func join(list []string) string {
	s := ""
	for i, v := range list {
		if i > 0 {
			s += " "
		}
		s += v
	}
	return s
}

// Offered hours, requests (open and overdue) and mapped tags, per topic
// and week.
func TestDevelopCompetenceSupplyAndRequests(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 5, 4, 0, 0, 0, 0, loc)
	to := from.AddDate(0, 0, 14)
	mon, nextMon := from.Add(9*time.Hour), from.AddDate(0, 0, 7).Add(9*time.Hour)
	search := Topic{ID: 1, Slug: "sok", NameEN: "Systematic searching"}
	endnote := Topic{ID: 2, Slug: "endnote", NameEN: "EndNote"}
	lib := Librarian{ID: 7}
	scheds := []LibrarianSchedule{{Librarian: lib, Windows: []Window{
		{Start: mon, End: mon.Add(3 * time.Hour), Topics: []string{"#sok"}},
		// Overlapping the first: counts once.
		{Start: mon.Add(2 * time.Hour), End: mon.Add(4 * time.Hour)},
		{Start: nextMon, End: nextMon.Add(2 * time.Hour), Topics: []string{"endnote"}},
		// Half outside the period.
		{Start: to.Add(-time.Hour), End: to.Add(time.Hour)},
	}}}
	offered := append(OfferedTimes(search, scheds, from, to), OfferedTimes(endnote, scheds, from, to)...)
	now := nextMon.Add(48 * time.Hour)
	in := CompetenceInput{
		From: from, To: to, Topics: []Topic{search, endnote}, Now: now, Offered: offered,
		Librarians: map[int64][]SupplyLibrarian{1: {{ID: 7, Level: LevelPrimary}}, 2: {{ID: 7, Level: LevelPrimary}}},
		Inquiries: []Inquiry{
			{TopicID: 0, Tags: []string{"reference manager"}, READ: 2, Outcome: OutcomeReferred, At: mon},
			{TopicID: 0, Tags: []string{"printing"}, READ: 1, Outcome: OutcomeAnswered, At: mon},
		},
		TagTopics: map[string]int64{"reference manager": 2},
		Requests: []RequestFact{
			{TopicID: 1, State: RequestOpen, CreatedAt: mon, DueAt: DueBy(mon, 2, loc)},            // overdue
			{TopicID: 1, State: RequestTaken, CreatedAt: nextMon, DueAt: DueBy(nextMon, 2, loc)},   // open, not yet due
			{TopicID: 1, State: RequestOffered, CreatedAt: nextMon, DueAt: DueBy(nextMon, 2, loc)}, // answered
			{TopicID: 2, State: RequestClosed, CreatedAt: mon, DueAt: DueBy(mon, 2, loc)},
			{TopicID: 2, State: RequestOpen, CreatedAt: to, DueAt: DueBy(to, 2, loc)}, // after the period
		},
	}
	rows := DevelopCompetence(in, loc)
	byID := map[int64]CompetenceRow{}
	for _, r := range rows {
		byID[r.Topic.ID] = r
	}
	s, e, o := byID[1], byID[2], byID[0]
	// sok: the tagged window (3 h) and the untagged one merged (4 h in
	// all), and the untagged last hour of the period.
	if s.OfferedMinutes != 5*60 || s.Weeks[0].OfferedMinutes != 4*60 || s.Weeks[1].OfferedMinutes != 60 {
		t.Errorf("sok offered: got %d (%d, %d), want 300 (240, 60)", s.OfferedMinutes, s.Weeks[0].OfferedMinutes, s.Weeks[1].OfferedMinutes)
	}
	if s.Requests != 3 || s.OpenRequests != 2 || s.OverdueRequests != 1 || s.Weeks[0].Requests != 1 || s.Weeks[1].Requests != 2 || !s.Gap() {
		t.Errorf("sok requests: got %d, %d open, %d overdue, weeks %d %d, gap %v", s.Requests, s.OpenRequests, s.OverdueRequests, s.Weeks[0].Requests, s.Weeks[1].Requests, s.Gap())
	}
	// endnote: the untagged window (2 h; the #sok one is not open to
	// it), its own (2 h) and the last hour; the mapped tag's inquiry.
	if e.OfferedMinutes != 5*60 || e.Weeks[0].OfferedMinutes != 2*60 || e.Inquiries != 1 || e.Referred != 1 || e.Requests != 1 || e.OpenRequests != 0 {
		t.Errorf("endnote: got %+v", e)
	}
	if o.Inquiries != 1 || len(o.Tags) != 1 || o.Tags[0] != "printing" {
		t.Errorf("other: got %d inquiries, tags %v; want the unmapped one", o.Inquiries, o.Tags)
	}
	if got := UnmappedTags(in.Inquiries, in.TagTopics); len(got) != 1 || got[0] != (TagCount{"printing", 1}) {
		t.Errorf("UnmappedTags: got %v", got)
	}
}
