package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
)

// catalogUsage is the part of the usage text for the commands in this file.
const catalogUsage = `  veileder service add --slug SLUG --name-nb NAME --name-en NAME [--description-nb TEXT --description-en TEXT --length 45m]
  veileder service list
  veileder topic add --slug SLUG --service SLUG --name-nb NAME --name-en NAME [--description-nb TEXT --description-en TEXT --length 45m --general]
  veileder topic list
  veileder topic disable|enable SLUG
  veileder competence add USER TOPIC [--level primary|secondary] [--languages nb,en]
  veileder competence remove USER TOPIC
  veileder competence list USER
  veileder profile set USER [--languages nb,en] [--campus NAME] [--in-person=true] [--online=true] [--notify=false] [--meeting-url URL]
  veileder profile show USER
`

// parseInterleaved parses flags that may come before, between or after
// the positional arguments ("competence add ola zotero --level secondary"),
// which flag.FlagSet.Parse alone does not: it stops at the first
// positional argument. Everything after "--" is positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if k := len(args) - len(rest); k > 0 && args[k-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// openStore opens the store the shared flags name.
func openStore(ctx context.Context, o *options) (*store.Store, error) {
	return store.OpenWith(ctx, store.Config{DatabaseURL: o.databaseURL, DataDir: o.dataDir})
}

// catalogFlags are the flags of "service add" and "topic add".
type catalogFlags struct {
	slug, service, nameNB, nameEN, descNB, descEN string
	length                                        time.Duration
	general                                       bool
}

func (c *catalogFlags) register(fs *flag.FlagSet, topic bool) {
	fs.StringVar(&c.slug, "slug", "", "short name: 2 to 60 of a-z, 0-9 and '-'; for a topic also its #hashtag")
	fs.StringVar(&c.nameNB, "name-nb", "", "name in Norwegian Bokmål")
	fs.StringVar(&c.nameEN, "name-en", "", "name in English")
	fs.StringVar(&c.descNB, "description-nb", "", "one-line description in Norwegian Bokmål")
	fs.StringVar(&c.descEN, "description-en", "", "one-line description in English")
	fs.DurationVar(&c.length, "length", 0, "meeting length such as 45m or 1h; default the library's (45m)")
	if topic {
		fs.StringVar(&c.service, "service", "bibliotekar", "slug of the service the topic belongs to")
		fs.BoolVar(&c.general, "general", false, `the "I don't know – help me choose" topic`)
	}
}

func (c *catalogFlags) rules() booking.RulesOverride {
	var r booking.RulesOverride
	if c.length != 0 {
		r.MeetingLength = &c.length
	}
	return r
}

// serviceCommand runs "veileder service add|list".
func serviceCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, "Usage:\n"+catalogUsage)
		return errors.New("service needs a subcommand: add or list")
	}
	sub := args[0]
	fs, o := newFlagSet("veileder service "+sub, stderr)
	var c catalogFlags
	c.register(fs, false)
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("service %s: unexpected argument %q", sub, pos[0])
	}
	st, err := openStore(ctx, o)
	if err != nil {
		return err
	}
	defer st.Close()

	switch sub {
	case "add":
		svc, err := st.CreateService(ctx, booking.Service{Slug: c.slug, NameNB: c.nameNB, NameEN: c.nameEN,
			DescriptionNB: c.descNB, DescriptionEN: c.descEN, Rules: c.rules()})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created service %s (%s / %s)\n", svc.Slug, svc.NameNB, svc.NameEN)
	case "list":
		svcs, err := st.Services(ctx)
		if err != nil {
			return err
		}
		for _, svc := range svcs {
			fmt.Fprintf(stdout, "%-20s %-8s %s / %s\n", svc.Slug, lengthOf(svc.Rules), svc.NameNB, svc.NameEN)
		}
	default:
		return fmt.Errorf("unknown service subcommand %q", sub)
	}
	return nil
}

// lengthOf shows a meeting length override, or "-" for the default.
func lengthOf(r booking.RulesOverride) string {
	if r.MeetingLength == nil {
		return "-"
	}
	return strings.TrimSuffix(r.MeetingLength.String(), "0s")
}

// topicCommand runs "veileder topic add|list|disable|enable".
func topicCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, "Usage:\n"+catalogUsage)
		return errors.New("topic needs a subcommand: add, list, disable or enable")
	}
	sub := args[0]
	fs, o := newFlagSet("veileder topic "+sub, stderr)
	var c catalogFlags
	c.register(fs, true)
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	st, err := openStore(ctx, o)
	if err != nil {
		return err
	}
	defer st.Close()

	switch sub {
	case "add":
		t, err := st.CreateTopic(ctx, booking.Topic{Slug: c.slug, ServiceSlug: c.service, NameNB: c.nameNB, NameEN: c.nameEN,
			DescriptionNB: c.descNB, DescriptionEN: c.descEN, General: c.general, Rules: c.rules()})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created topic %s in %s (%s / %s); librarians narrow a window to it with #%s\n",
			t.Slug, t.ServiceSlug, t.NameNB, t.NameEN, t.Slug)
	case "list":
		topics, err := st.AllTopics(ctx)
		if err != nil {
			return err
		}
		for _, t := range topics {
			state := "active"
			if !t.Active {
				state = "disabled"
			}
			if t.General {
				state += ",general"
			}
			fmt.Fprintf(stdout, "%-24s %-14s %-15s %-6s %s / %s\n", t.Slug, t.ServiceSlug, state, lengthOf(t.Rules), t.NameNB, t.NameEN)
		}
	case "disable", "enable":
		if len(pos) != 1 {
			return fmt.Errorf("usage: veileder topic %s SLUG", sub)
		}
		t, err := st.TopicBySlug(ctx, pos[0])
		if err != nil {
			return err
		}
		if err := st.SetTopicActive(ctx, t.ID, sub == "enable"); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%sd topic %s\n", sub, t.Slug)
	default:
		return fmt.Errorf("unknown topic subcommand %q", sub)
	}
	return nil
}

// competenceCommand runs "veileder competence add|remove|list".
func competenceCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, "Usage:\n"+catalogUsage)
		return errors.New("competence needs a subcommand: add, remove or list")
	}
	sub := args[0]
	fs, o := newFlagSet("veileder competence "+sub, stderr)
	var level, languages string
	fs.StringVar(&level, "level", "primary", "primary or secondary")
	fs.StringVar(&languages, "languages", "", "languages for this topic, such as nb,en; default the librarian's")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	wantArgs := map[string]int{"add": 2, "remove": 2, "list": 1}
	n, ok := wantArgs[sub]
	if !ok {
		return fmt.Errorf("unknown competence subcommand %q", sub)
	}
	if len(pos) != n {
		if n == 1 {
			return fmt.Errorf("usage: veileder competence %s USER", sub)
		}
		return fmt.Errorf("usage: veileder competence %s USER TOPIC", sub)
	}
	st, err := openStore(ctx, o)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.UserByUsername(ctx, strings.ToLower(pos[0]))
	if err != nil {
		return err
	}

	switch sub {
	case "add":
		l, err := booking.ParseLevel(level)
		if err != nil {
			return err
		}
		langs, err := store.ParseLanguages(languages)
		if err != nil {
			return err
		}
		if err := st.AddCompetence(ctx, u.ID, pos[1], l, langs); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s guides in %s (%s)\n", u.Username, pos[1], l)
	case "remove":
		if err := st.RemoveCompetence(ctx, u.ID, pos[1]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s no longer guides in %s\n", u.Username, pos[1])
	case "list":
		comps, err := st.Competences(ctx, u.ID)
		if err != nil {
			return err
		}
		topics, err := st.AllTopics(ctx)
		if err != nil {
			return err
		}
		slugs := make(map[int64]string, len(topics))
		for _, t := range topics {
			slugs[t.ID] = t.Slug
		}
		for _, c := range comps {
			langs := strings.Join(c.Languages, ",")
			if langs == "" {
				langs = "(profile)"
			}
			fmt.Fprintf(stdout, "%-24s %-10s %s\n", slugs[c.TopicID], c.Level, langs)
		}
	}
	return nil
}

// profileCommand runs "veileder profile set|show". set changes only the
// fields whose flags are given.
func profileCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, "Usage:\n"+catalogUsage)
		return errors.New("profile needs a subcommand: set or show")
	}
	sub := args[0]
	fs, o := newFlagSet("veileder profile "+sub, stderr)
	var (
		languages, campus, meetingURL string
		inPerson, online, notify      bool
	)
	fs.StringVar(&languages, "languages", "nb,en", "languages the librarian guides in")
	fs.StringVar(&campus, "campus", "", "campus library of the librarian's in-person meetings")
	fs.BoolVar(&inPerson, "in-person", true, "meets students in person")
	fs.BoolVar(&online, "online", true, "meets students online")
	fs.BoolVar(&notify, "notify", false, "e-mail the librarian about each new booking")
	fs.StringVar(&meetingURL, "meeting-url", "", "the librarian's own online room (Zoom, Teams), for online bookings whose window names none; empty removes it")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("usage: veileder profile %s USER", sub)
	}
	st, err := openStore(ctx, o)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.UserByUsername(ctx, strings.ToLower(pos[0]))
	if err != nil {
		return err
	}
	p, err := st.Profile(ctx, u.ID)
	if err != nil {
		return err
	}

	switch sub {
	case "set":
		var langErr error
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "languages":
				p.Languages, langErr = store.ParseLanguages(languages)
			case "campus":
				p.Campus = campus
			case "in-person":
				p.InPerson = inPerson
			case "online":
				p.Online = online
			case "notify":
				p.NotifyNewBooking = notify
			case "meeting-url":
				p.MeetingURL = meetingURL
			}
		})
		if langErr != nil {
			return langErr
		}
		if !p.InPerson && !p.Online {
			return fmt.Errorf("%s would meet students neither in person nor online: %w", u.Username, booking.ErrInvalid)
		}
		if err := st.SetProfile(ctx, p); err != nil {
			return err
		}
		fallthrough
	case "show":
		fmt.Fprintf(stdout, "%s: languages %s, campus %q, in person %s, online %s, e-mail on new booking %s, meeting link %q\n",
			u.Username, strings.Join(p.Languages, ","), p.Campus,
			strconv.FormatBool(p.InPerson), strconv.FormatBool(p.Online), strconv.FormatBool(p.NotifyNewBooking), p.MeetingURL)
	default:
		return fmt.Errorf("unknown profile subcommand %q", sub)
	}
	return nil
}
