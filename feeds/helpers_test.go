package feeds_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/feeds"
	"github.com/veileder/veileder/store/storetest"
)

var oslo = mustLoad("Europe/Oslo")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// testNow is Thursday 1 October 2026, 12:00 in Oslo: before the autumn
// DST change of 25 October.
var testNow = time.Date(2026, 10, 1, 12, 0, 0, 0, oslo)

// testTopics are the themes. Their names hold commas, quotes and æøå, as
// CATEGORIES values must survive.
var testTopics = []booking.Topic{
	{ID: 1, Slug: "zotero", NameNB: "Zotero og referanser", NameEN: "Zotero and references", DescriptionNB: "Referanseverktøyet Zotero.", DescriptionEN: "The Zotero reference manager."},
	{ID: 2, Slug: "systematisk", NameNB: "Systematisk søk", NameEN: "Systematic searching"},
	{ID: 3, Slug: "skriving-akademisk", NameNB: `Akademisk skriving, "oppgaver" og sitater`, NameEN: `Academic writing, "theses" and citations`},
	{ID: 4, Slug: "dmp", NameNB: "Datahåndteringsplan", NameEN: "Data management plan"},
	{ID: 5, Slug: "open-access", NameNB: "Åpen publisering", NameEN: "Open access publishing"},
}

// fakeStore is an in-memory feeds.Store with the shared drop-in calendar.
type fakeStore struct {
	mu         sync.Mutex
	cal        booking.Calendar
	objects    map[string]booking.CalendarObject
	tombstones map[string]booking.DropInTombstone
	topics     []booking.Topic
	now        func() time.Time
	objectsN   int // Objects calls
	byNameN    int // names fetched with data
}

func newFakeStore() *fakeStore {
	return &fakeStore{
		cal:        booking.Calendar{ID: 7, Slug: "dropin", Kind: booking.KindDropIn, Components: []string{"VEVENT"}},
		objects:    map[string]booking.CalendarObject{},
		tombstones: map[string]booking.DropInTombstone{},
		topics:     slices.Clone(testTopics),
		now:        func() time.Time { return testNow },
	}
}

func (f *fakeStore) DropInCalendar(context.Context) (booking.Calendar, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cal, nil
}

func (f *fakeStore) DropInVersion(_ context.Context, since time.Time, ttl time.Duration) (booking.DropInVersion, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := booking.DropInVersion{CalendarID: f.cal.ID, SyncSeq: f.cal.SyncSeq}
	for _, o := range f.objects {
		if o.ModifiedAt.After(v.Modified) {
			v.Modified = o.ModifiedAt
		}
	}
	for _, t := range f.tombstones {
		if !t.DeletedAt.Before(since) {
			v.Tombstones++
		} else if t.DeletedAt.Add(ttl).After(v.Modified) {
			v.Modified = t.DeletedAt.Add(ttl)
		}
		if t.DeletedAt.After(v.Modified) {
			v.Modified = t.DeletedAt
		}
	}
	return v, nil
}

func (f *fakeStore) DropInTombstones(_ context.Context, _ int64, since time.Time) ([]booking.DropInTombstone, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []booking.DropInTombstone
	for _, t := range f.tombstones {
		if !t.DeletedAt.Before(since) {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UID < out[j].UID })
	return out, nil
}

func (f *fakeStore) Topics(context.Context) ([]booking.Topic, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.topics), nil
}

func (f *fakeStore) Objects(_ context.Context, _ int64, withData bool) ([]booking.CalendarObject, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.objectsN++
	var out []booking.CalendarObject
	for _, o := range f.objects {
		if !withData {
			o.Data = nil
		}
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (f *fakeStore) ObjectsByName(_ context.Context, _ int64, names []string) ([]booking.CalendarObject, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []booking.CalendarObject
	for _, n := range names {
		if o, ok := f.objects[n]; ok {
			out = append(out, o)
			f.byNameN++
		}
	}
	return out, nil
}

func (f *fakeStore) PutObject(_ context.Context, obj booking.CalendarObject, cond booking.WriteCondition) (booking.CalendarObject, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cur, exists := f.objects[obj.Name]
	switch {
	case cond.IfNoneMatchAny && exists, cond.IfMatch != "" && (!exists || cond.IfMatch != cur.ETag):
		return booking.CalendarObject{}, false, booking.ErrPreconditionFailed
	}
	f.cal.SyncSeq++
	obj.ETag = fmt.Sprintf("%x", sha256.Sum256(obj.Data))[:32]
	obj.Seq = f.cal.SyncSeq
	obj.ModifiedAt = f.now().UTC().Truncate(time.Second)
	f.objects[obj.Name] = obj
	return obj, !exists, nil
}

// put stores a session as the CalDAV handler would: validated, with its
// index bounds, at the given time.
func (f *fakeStore) put(t testing.TB, name string, data []byte, at time.Time) booking.CalendarObject {
	t.Helper()
	obj, err := storetest.Object(f.cal, name, data, oslo)
	if err != nil {
		t.Fatalf("validate %s: %v", name, err)
	}
	old := f.now
	f.now = func() time.Time { return at }
	stored, _, err := f.PutObject(context.Background(), obj, booking.WriteCondition{})
	f.now = old
	if err != nil {
		t.Fatalf("put %s: %v", name, err)
	}
	return stored
}

// sessionFiles are the coordinators' sessions in testdata/sessions, in
// the order they were put.
var sessionFiles = []string{
	"zotero-weekly.ics", "systematic.ics", "writing-week.ics", "private.ics",
	"dmp-outlook.ics", "oa-utc.ics", "cancelled.ics",
}

func readSession(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "sessions", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// loadedStore holds every test session and two tombstones: one of a
// session deleted last week, and one too old to be shown.
func loadedStore(t testing.TB) *fakeStore {
	t.Helper()
	f := newFakeStore()
	for i, name := range sessionFiles {
		f.put(t, name, readSession(t, name), time.Date(2026, 9, 15, 8, i, 0, 0, time.UTC))
	}
	f.cal.SyncSeq++
	f.tombstones["deleted-zotero@ub.example.org"] = booking.DropInTombstone{
		CalendarID: f.cal.ID, UID: "deleted-zotero@ub.example.org", Summary: "Zotero på engelsk #zotero",
		Start: time.Date(2026, 10, 5, 14, 0, 0, 0, oslo), End: time.Date(2026, 10, 5, 15, 0, 0, 0, oslo),
		Themes: []string{"zotero"}, DeletedAt: time.Date(2026, 9, 25, 9, 30, 0, 0, time.UTC), Seq: f.cal.SyncSeq,
	}
	f.tombstones["old@ub.example.org"] = booking.DropInTombstone{
		CalendarID: f.cal.ID, UID: "old@ub.example.org", Summary: "Gammel økt",
		Start: time.Date(2026, 8, 20, 10, 0, 0, 0, oslo), End: time.Date(2026, 8, 20, 11, 0, 0, 0, oslo),
		DeletedAt: time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC), Seq: 1,
	}
	return f
}

func newService(t testing.TB, st feeds.Store) *feeds.Service {
	t.Helper()
	svc, err := feeds.New(feeds.Config{
		Store: st, Location: oslo, BaseURL: "https://veileder.example.org",
		Now: func() time.Time { return testNow },
	})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}
