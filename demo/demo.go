// Package demo fills a fresh Veileder with librarians, calendars and events
// so that a newcomer can click through the service and connect a calendar
// app at once. Seeding is idempotent: users that exist are left alone.
package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/recurrence"
)

// Store is what seeding needs.
type Store interface {
	CreateUser(ctx context.Context, u booking.User, password string) (booking.User, error)
	UserByUsername(ctx context.Context, username string) (booking.User, error)
	CalendarBySlug(ctx context.Context, userID int64, slug string) (booking.Calendar, error)
	PutObject(ctx context.Context, obj booking.CalendarObject, cond booking.WriteCondition) (booking.CalendarObject, bool, error)

	ServiceBySlug(ctx context.Context, slug string) (booking.Service, error)
	CreateService(ctx context.Context, svc booking.Service) (booking.Service, error)
	TopicBySlug(ctx context.Context, slug string) (booking.Topic, error)
	CreateTopic(ctx context.Context, t booking.Topic) (booking.Topic, error)
	SetProfile(ctx context.Context, p booking.Profile) error
	AddCompetence(ctx context.Context, userID int64, topicSlug string, level booking.Level, languages []string) error
	Competences(ctx context.Context, userID int64) ([]booking.Competence, error)
}

// Login is a demo account to print for the newcomer.
type Login struct {
	Username, Password, Name string
	Role                     booking.Role
}

// Password is every demo account's password.
const Password = "veileder-demo"

type person struct {
	username, name string
	role           booking.Role
	// windows are weekly availability windows: weekday, start and end
	// hour, and an optional "#topic" narrowing and place.
	windows []window
	busy    []busy
	// profile and competences make the person bookable; every #tag of
	// their windows is among the competences.
	profile     profile
	competences []competence
}

type profile struct {
	languages        []string
	campus           string
	inPerson, online bool
}

type competence struct {
	topic     string
	level     booking.Level
	languages []string // nil: the profile's
}

func primary(topics ...string) []competence   { return levelled(booking.LevelPrimary, topics) }
func secondary(topics ...string) []competence { return levelled(booking.LevelSecondary, topics) }

func levelled(l booking.Level, topics []string) []competence {
	out := make([]competence, 0, len(topics))
	for _, t := range topics {
		out = append(out, competence{topic: t, level: l})
	}
	return out
}

type window struct {
	day        time.Weekday
	from, to   int
	tags, room string
}

type busy struct {
	dayOffset int
	from, to  int
	title     string
	transp    bool
	cancelled bool
}

var people = []person{
	{username: "ingrid", name: "Ingrid Haugen", role: booking.RoleLibrarian,
		windows:     []window{{time.Monday, 9, 12, "#systematisk-sok #medisin", "Georg Sverdrups hus, rom 2.12"}, {time.Wednesday, 13, 16, "", "Digitalt (Zoom)"}},
		busy:        []busy{{1, 10, 11, "Instituttmøte", false, false}, {2, 13, 14, "Lunsj med kollega", true, false}},
		profile:     profile{[]string{"nb", "en"}, "Georg Sverdrups hus", true, true},
		competences: slices.Concat(primary("systematisk-sok", "medisin"), secondary("kildebruk", "generell"))},
	{username: "lars", name: "Lars Berg", role: booking.RoleLibrarian,
		windows:     []window{{time.Tuesday, 10, 14, "#zotero #endnote #referanseverktoy", "Georg Sverdrups hus, rom 2.14"}, {time.Thursday, 9, 11, "", "Digitalt (Teams)"}},
		busy:        []busy{{3, 9, 10, "Kurs: EndNote for ph.d.", false, false}},
		profile:     profile{[]string{"nb", "en"}, "Georg Sverdrups hus", true, true},
		competences: slices.Concat(primary("zotero", "endnote", "referanseverktoy", "generell"), secondary("kildebruk"))},
	{username: "sara", name: "Sara Nilsen", role: booking.RoleLibrarian,
		windows: []window{{time.Monday, 12, 15, "#jus", "Domus Bibliotheca"}, {time.Friday, 9, 12, "", "Domus Bibliotheca"}},
		busy:    []busy{{4, 10, 11, "Avlyst møte", false, true}},
		profile: profile{[]string{"nb"}, "Domus Bibliotheca", true, false},
		competences: slices.Concat(primary("jus"), secondary("kildebruk", "akademisk-skriving"),
			[]competence{{topic: "systematisk-sok", level: booking.LevelSecondary, languages: []string{"nb"}}})},
	{username: "ahmed", name: "Ahmed Khan", role: booking.RoleLibrarian,
		windows: []window{{time.Tuesday, 9, 12, "#datahandtering #apen-publisering", "Digitalt (Zoom)"}, {time.Thursday, 13, 16, "", "Realfagsbiblioteket"}},
		profile: profile{[]string{"en", "nb"}, "Realfagsbiblioteket", true, true},
		competences: slices.Concat(primary("datahandtering", "apen-publisering"), secondary("zotero", "systematisk-sok"),
			[]competence{{topic: "generell", level: booking.LevelSecondary, languages: []string{"en"}}})},
	{username: "kari", name: "Kari Lund", role: booking.RoleLibrarian,
		windows:     []window{{time.Wednesday, 9, 12, "#historie #filosofi", "HumSam-biblioteket"}, {time.Friday, 12, 15, "", "HumSam-biblioteket"}},
		profile:     profile{[]string{"nb", "en"}, "HumSam-biblioteket", true, false},
		competences: slices.Concat(primary("historie", "filosofi", "akademisk-skriving", "kildebruk"), secondary("generell", "endnote"))},
	{username: "ola", name: "Ola Dahl", role: booking.RoleLibrarian,
		windows:     []window{{time.Monday, 13, 16, "#medisin #systematisk-sok", "Medisinsk bibliotek"}, {time.Thursday, 10, 13, "", "Digitalt (Zoom)"}},
		profile:     profile{[]string{"nb"}, "Medisinsk bibliotek", true, true},
		competences: slices.Concat(primary("medisin", "systematisk-sok"), secondary("endnote", "apen-publisering", "generell"))},
	{username: "marit", name: "Marit Solberg", role: booking.RoleCoordinator},
	{username: "admin", name: "Veileder Admin", role: booking.RoleAdmin},
}

// services are the demo's kinds of guidance. bibliotekar is made by the
// migrations; it is listed so that Seed works on any database.
var services = []booking.Service{
	{Slug: "bibliotekar", NameNB: "Bestill en bibliotekar", NameEN: "Book a librarian",
		DescriptionNB: "Få veiledning av en bibliotekar med riktig fagkompetanse.",
		DescriptionEN: "Get guidance from a librarian with the right subject expertise."},
	{Slug: "skrivestotte", NameNB: "Skrivestøtte", NameEN: "Writing support",
		DescriptionNB: "Hjelp med oppgaveskriving, struktur og kildebruk.",
		DescriptionEN: "Help with writing assignments, structure and sources."},
}

// topics are the demo's topics, in the order students see them. generell
// is made by the migrations, like bibliotekar.
var topics = []booking.Topic{
	{Slug: "systematisk-sok", ServiceSlug: "bibliotekar", NameNB: "Systematisk søk", NameEN: "Systematic searching",
		DescriptionNB: "Planlegg, gjennomfør og dokumenter søk til oppgave eller systematisk oversikt.",
		DescriptionEN: "Plan, run and document searches for a thesis or a systematic review."},
	{Slug: "medisin", ServiceSlug: "bibliotekar", NameNB: "Medisin og helsefag", NameEN: "Medicine and health sciences",
		DescriptionNB: "Kilder og databaser i medisin og helsefag, som PubMed og Embase.",
		DescriptionEN: "Sources and databases in medicine and health, such as PubMed and Embase."},
	{Slug: "jus", ServiceSlug: "bibliotekar", NameNB: "Jus", NameEN: "Law",
		DescriptionNB: "Juridiske kilder: lovdata, rettspraksis og juridisk litteratur.",
		DescriptionEN: "Legal sources: statutes, case law and legal literature."},
	{Slug: "historie", ServiceSlug: "bibliotekar", NameNB: "Historie", NameEN: "History",
		DescriptionNB: "Historiske kilder, arkiver og digitaliserte samlinger.",
		DescriptionEN: "Historical sources, archives and digitised collections."},
	{Slug: "filosofi", ServiceSlug: "bibliotekar", NameNB: "Filosofi", NameEN: "Philosophy",
		DescriptionNB: "Litteratursøk og oppslagsverk i filosofi og idéhistorie.",
		DescriptionEN: "Literature searching and reference works in philosophy and history of ideas."},
	{Slug: "zotero", ServiceSlug: "bibliotekar", NameNB: "Zotero", NameEN: "Zotero",
		DescriptionNB: "Kom i gang med Zotero og få referansene inn i Word.",
		DescriptionEN: "Get started with Zotero and get your references into Word.",
		Rules:         booking.RulesOverride{MeetingLength: ptr(30 * time.Minute)}},
	{Slug: "endnote", ServiceSlug: "bibliotekar", NameNB: "EndNote", NameEN: "EndNote",
		DescriptionNB: "Bygg opp et EndNote-bibliotek og siter mens du skriver.",
		DescriptionEN: "Build an EndNote library and cite while you write.",
		Rules:         booking.RulesOverride{MeetingLength: ptr(30 * time.Minute)}},
	{Slug: "referanseverktoy", ServiceSlug: "bibliotekar", NameNB: "Referanseverktøy", NameEN: "Reference managers",
		DescriptionNB: "Hvilket referanseverktøy passer for deg, og hvordan bytter du?",
		DescriptionEN: "Which reference manager suits you, and how to switch."},
	{Slug: "datahandtering", ServiceSlug: "bibliotekar", NameNB: "Datahåndtering og DMP", NameEN: "Research data management",
		DescriptionNB: "Datahåndteringsplan, lagring, deling og arkivering av forskningsdata.",
		DescriptionEN: "Data management plans, storing, sharing and archiving research data."},
	{Slug: "apen-publisering", ServiceSlug: "bibliotekar", NameNB: "Åpen publisering", NameEN: "Open access publishing",
		DescriptionNB: "Publiser åpent: avtaler, kostnader, rettigheter og arkivering i DUO.",
		DescriptionEN: "Publish open access: agreements, costs, rights and self-archiving."},
	{Slug: "akademisk-skriving", ServiceSlug: "skrivestotte", NameNB: "Akademisk skriving", NameEN: "Academic writing",
		DescriptionNB: "Problemstilling, struktur og argumentasjon i oppgaven.",
		DescriptionEN: "Research question, structure and argument in your thesis.",
		Rules:         booking.RulesOverride{MeetingLength: ptr(60 * time.Minute)}},
	{Slug: "kildebruk", ServiceSlug: "skrivestotte", NameNB: "Kildebruk og sitering", NameEN: "Using and citing sources",
		DescriptionNB: "Finn, vurder og siter kilder riktig, og unngå plagiat.",
		DescriptionEN: "Find, judge and cite sources properly, and avoid plagiarism."},
}

func ptr[T any](v T) *T { return &v }

// Seed creates the demo services, topics and accounts, the librarians'
// profiles and competences, and their events. now anchors the events in
// the coming weeks; loc is the library's zone. What exists is left alone,
// but a demo librarian without competences (seeded by an older version)
// gets them.
func Seed(ctx context.Context, st Store, loc *time.Location, now time.Time) ([]Login, error) {
	if err := seedCatalog(ctx, st); err != nil {
		return nil, err
	}
	var logins []Login
	monday := startOfWeek(now.In(loc))
	for _, p := range people {
		logins = append(logins, Login{Username: p.username, Password: Password, Name: p.name, Role: p.role})
		if u, err := st.UserByUsername(ctx, p.username); err == nil {
			if err := seedGuide(ctx, st, u, p, false); err != nil {
				return nil, err
			}
			continue
		} else if !errors.Is(err, booking.ErrNotFound) {
			return nil, fmt.Errorf("demo: look up %s: %w", p.username, err)
		}
		u, err := st.CreateUser(ctx, booking.User{Username: p.username, DisplayName: p.name,
			Email: p.username + "@ub.example.org", Role: p.role}, Password)
		if err != nil {
			return nil, fmt.Errorf("demo: create %s: %w", p.username, err)
		}
		if err := seedGuide(ctx, st, u, p, true); err != nil {
			return nil, err
		}
		for i, w := range p.windows {
			start := monday.AddDate(0, 0, (int(w.day)+6)%7)
			ics := event(fmt.Sprintf("demo-%s-window-%d", p.username, i), "Veiledning "+w.tags,
				w.room, at(start, w.from, loc), at(start, w.to, loc), "RRULE:FREQ=WEEKLY;COUNT=26\r\n", now)
			if err := put(ctx, st, u, "availability", fmt.Sprintf("window-%d.ics", i), ics, loc); err != nil {
				return nil, err
			}
		}
		for i, b := range p.busy {
			day := monday.AddDate(0, 0, 7+b.dayOffset)
			extra := ""
			if b.transp {
				extra += "TRANSP:TRANSPARENT\r\n"
			}
			if b.cancelled {
				extra += "STATUS:CANCELLED\r\n"
			}
			ics := event(fmt.Sprintf("demo-%s-busy-%d", p.username, i), b.title, "", at(day, b.from, loc), at(day, b.to, loc), extra, now)
			if err := put(ctx, st, u, "personal", fmt.Sprintf("busy-%d.ics", i), ics, loc); err != nil {
				return nil, err
			}
		}
		if p.role == booking.RoleCoordinator {
			thursday := monday.AddDate(0, 0, 3)
			ics := event("demo-dropin-zotero", "Drop-in: Zotero #zotero", "Georg Sverdrups hus, Kafé",
				at(thursday, 14, loc), at(thursday, 15, loc), "RRULE:FREQ=WEEKLY;COUNT=10\r\n", now)
			if err := put(ctx, st, u, "dropin", "zotero.ics", ics, loc); err != nil {
				return nil, err
			}
		}
	}
	return logins, nil
}

// seedCatalog creates the services and topics that do not exist yet.
func seedCatalog(ctx context.Context, st Store) error {
	for _, svc := range services {
		if _, err := st.ServiceBySlug(ctx, svc.Slug); err == nil {
			continue
		} else if !errors.Is(err, booking.ErrNotFound) {
			return fmt.Errorf("demo: look up service %s: %w", svc.Slug, err)
		}
		if _, err := st.CreateService(ctx, svc); err != nil {
			return fmt.Errorf("demo: create service %s: %w", svc.Slug, err)
		}
	}
	for _, t := range topics {
		if _, err := st.TopicBySlug(ctx, t.Slug); err == nil {
			continue
		} else if !errors.Is(err, booking.ErrNotFound) {
			return fmt.Errorf("demo: look up topic %s: %w", t.Slug, err)
		}
		if _, err := st.CreateTopic(ctx, t); err != nil {
			return fmt.Errorf("demo: create topic %s: %w", t.Slug, err)
		}
	}
	return nil
}

// seedGuide gives a demo librarian their profile and competences: always
// for a new account, else only if they have no competences yet, so that
// changes made while trying the demo are kept.
func seedGuide(ctx context.Context, st Store, u booking.User, p person, created bool) error {
	if len(p.competences) == 0 {
		return nil
	}
	if !created {
		comps, err := st.Competences(ctx, u.ID)
		if err != nil {
			return fmt.Errorf("demo: competences of %s: %w", p.username, err)
		}
		if len(comps) > 0 {
			return nil
		}
	}
	err := st.SetProfile(ctx, booking.Profile{UserID: u.ID, Languages: p.profile.languages, Campus: p.profile.campus,
		InPerson: p.profile.inPerson, Online: p.profile.online})
	if err != nil {
		return fmt.Errorf("demo: profile of %s: %w", p.username, err)
	}
	for _, c := range p.competences {
		if err := st.AddCompetence(ctx, u.ID, c.topic, c.level, c.languages); err != nil {
			return fmt.Errorf("demo: competence %s of %s: %w", c.topic, p.username, err)
		}
	}
	return nil
}

func put(ctx context.Context, st Store, u booking.User, slug, name, ics string, loc *time.Location) error {
	c, err := st.CalendarBySlug(ctx, u.ID, slug)
	if err != nil {
		return fmt.Errorf("demo: calendar %s of %s: %w", slug, u.Username, err)
	}
	v, err := recurrence.Validate([]byte(ics), c.AcceptsComponent, recurrence.Options{Location: loc})
	if err != nil {
		return fmt.Errorf("demo: %s/%s: %w", slug, name, err)
	}
	obj := booking.CalendarObject{
		CalendarID: c.ID, Name: name, UID: v.UID, Component: v.Component, Data: []byte(ics),
		FirstStart: v.FirstStart, LastEnd: v.LastEnd, Parsed: v.Calendar,
	}
	if _, _, err := st.PutObject(ctx, obj, booking.WriteCondition{}); err != nil {
		return fmt.Errorf("demo: store %s/%s: %w", slug, name, err)
	}
	return nil
}

func startOfWeek(t time.Time) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

func at(day time.Time, hour int, loc *time.Location) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), hour, 0, 0, 0, loc)
}

func event(uid, summary, location string, start, end time.Time, extra string, now time.Time) string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Veileder//Demo//NB\r\n")
	b.WriteString(osloVTimezone)
	b.WriteString("BEGIN:VEVENT\r\n")
	fmt.Fprintf(&b, "UID:%s@veileder.demo\r\n", uid)
	fmt.Fprintf(&b, "DTSTAMP:%s\r\n", now.UTC().Format("20060102T150405Z"))
	fmt.Fprintf(&b, "DTSTART;TZID=Europe/Oslo:%s\r\n", start.Format("20060102T150405"))
	fmt.Fprintf(&b, "DTEND;TZID=Europe/Oslo:%s\r\n", end.Format("20060102T150405"))
	fmt.Fprintf(&b, "SUMMARY:%s\r\n", recurrence.EscapeText(strings.TrimSpace(summary)))
	if location != "" {
		fmt.Fprintf(&b, "LOCATION:%s\r\n", recurrence.EscapeText(location))
	}
	b.WriteString(extra)
	b.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")
	return b.String()
}

const osloVTimezone = "BEGIN:VTIMEZONE\r\nTZID:Europe/Oslo\r\n" +
	"BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n" +
	"BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n" +
	"END:VTIMEZONE\r\n"
