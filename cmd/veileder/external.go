package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/veileder/veileder/app"
	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/external"
)

// externalUsage is the part of the usage text for the commands in this file.
const externalUsage = `  veileder external add USER URL [--name TEXT]     link an Outlook/Google calendar (its ICS address)
  veileder external list [USER]
  veileder external remove USER ID
  veileder external refresh [USER]                  fetch now, wait, print the outcome
  veileder external bookings-link USER [--renew | --revoke]
  veileder external prefs USER [--invites=true|false] [--failing-mail=true|false]
`

// externalOptions are the serve flags of the external calendars.
type externalOptions struct {
	refresh, flagAfter, keyword string
	allowPrivate                bool
}

func (o *externalOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.refresh, "external-refresh", envOr("VEILEDER_EXTERNAL_REFRESH", "15m"),
		"how often an external calendar is fetched when its feed gives no refresh hint; a hint wins within [5m, 24h] (env VEILEDER_EXTERNAL_REFRESH)")
	fs.BoolVar(&o.allowPrivate, "external-allow-private", envOr("VEILEDER_EXTERNAL_ALLOW_PRIVATE", "") == "true",
		"let external calendar links reach private, loopback and link-local addresses and plain http, for on-premises Exchange (env VEILEDER_EXTERNAL_ALLOW_PRIVATE=true)")
	fs.StringVar(&o.keyword, "external-keyword", envOr("VEILEDER_EXTERNAL_KEYWORD", "veiledning"),
		"the #tag that makes an event of an external calendar an availability window for every topic (env VEILEDER_EXTERNAL_KEYWORD)")
	fs.StringVar(&o.flagAfter, "external-flag-after", envOr("VEILEDER_EXTERNAL_FLAG_AFTER", "6h"),
		"how long an external calendar fails before it is flagged in /metrics and its librarian is mailed (env VEILEDER_EXTERNAL_FLAG_AFTER)")
}

func (o *externalOptions) apply(cfg *app.Config) error {
	every, err := time.ParseDuration(o.refresh)
	if err != nil || every < external.MinRefresh || every > external.MaxRefresh {
		return fmt.Errorf("external refresh %q: want a duration from %s to %s", o.refresh, external.MinRefresh, external.MaxRefresh)
	}
	after, err := time.ParseDuration(o.flagAfter)
	if err != nil || after <= 0 {
		return fmt.Errorf("external flag-after %q: want a positive duration such as 6h", o.flagAfter)
	}
	kw := strings.TrimPrefix(strings.TrimSpace(o.keyword), "#")
	if kw == "" || strings.ContainsAny(kw, " \t#,") {
		return fmt.Errorf("external keyword %q: want one tag such as veiledning", o.keyword)
	}
	cfg.External = app.ExternalConfig{Refresh: every, AllowPrivate: o.allowPrivate, Keyword: kw, FlagAfter: after}
	return nil
}

func externalCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("external needs a subcommand: add, list, remove, refresh, bookings-link or prefs")
	}
	sub := args[0]
	fs, o := newFlagSet("veileder external "+sub, stderr)
	var mo mailOptions
	mo.register(fs)
	var eo externalOptions
	eo.register(fs)
	name := fs.String("name", "", "a name for the calendar (add)")
	renew := fs.Bool("renew", false, "make a new bookings link; the old one stops working (bookings-link)")
	revoke := fs.Bool("revoke", false, "remove the bookings link (bookings-link)")
	invites := fs.String("invites", "", "true: e-mail each booking as an invitation even without an external calendar (prefs)")
	failing := fs.String("failing-mail", "", "true: a daily e-mail while an external calendar is failing (prefs)")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	logger, err := o.logger(stderr)
	if err != nil {
		return err
	}
	cfg := o.config(logger)
	if err := mo.apply(&cfg); err != nil {
		return err
	}
	if err := eo.apply(&cfg); err != nil {
		return err
	}
	// The whole wiring, not only the store: the links' key and the
	// fetcher's settings must be the server's.
	cfg.Logger = slog.New(slog.DiscardHandler)
	a, err := app.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	user := func(i int) (booking.User, error) {
		if len(pos) <= i {
			return booking.User{}, fmt.Errorf("usage:\n%s", externalUsage)
		}
		return a.Store.UserByUsername(ctx, strings.ToLower(pos[i]))
	}
	switch sub {
	case "add":
		if len(pos) != 2 {
			return fmt.Errorf("usage: veileder external add USER URL [--name TEXT]")
		}
		u, err := user(0)
		if err != nil {
			return err
		}
		c, err := a.External.Add(ctx, u.ID, pos[1], *name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added external calendar %d for %s (%s): %d events\n", c.ID, u.Username, c.URLHint, c.Events)
	case "list":
		var id int64
		if len(pos) > 0 {
			u, err := user(0)
			if err != nil {
				return err
			}
			id = u.ID
		}
		cs, err := a.External.List(ctx, id)
		if err != nil {
			return err
		}
		names := map[int64]string{}
		for _, c := range cs {
			if _, ok := names[c.UserID]; !ok {
				u, err := a.Store.UserByID(ctx, c.UserID)
				if err != nil {
					return err
				}
				names[c.UserID] = u.Username
			}
			printCalendar(stdout, names[c.UserID], c, a.External.FlagAfter())
		}
	case "remove":
		if len(pos) != 2 {
			return errors.New("usage: veileder external remove USER ID")
		}
		u, err := user(0)
		if err != nil {
			return err
		}
		id, err := strconv.ParseInt(pos[1], 10, 64)
		if err != nil {
			return fmt.Errorf("calendar id %q: want a number from veileder external list", pos[1])
		}
		if err := a.External.Remove(ctx, u.ID, id); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "removed external calendar %d of %s\n", id, u.Username)
	case "refresh":
		var id int64
		if len(pos) > 0 {
			u, err := user(0)
			if err != nil {
				return err
			}
			id = u.ID
		}
		out, err := a.External.RefreshNow(ctx, id)
		if err != nil {
			return err
		}
		failed := 0
		for _, r := range out {
			switch {
			case r.Busy:
				fmt.Fprintf(stdout, "%d %s: being fetched by another process; try again in a minute\n", r.Calendar.ID, r.Calendar.URLHint)
			case r.Err != "":
				failed++
				fmt.Fprintf(stdout, "%d %s: failed: %s (the last good events still count)\n", r.Calendar.ID, r.Calendar.URLHint, r.Err)
			default:
				fmt.Fprintf(stdout, "%d %s: ok, %d events\n", r.Calendar.ID, r.Calendar.URLHint, r.Calendar.Events)
			}
		}
		if failed > 0 {
			return fmt.Errorf("%d of %d external calendars failed", failed, len(out))
		}
	case "bookings-link":
		u, err := user(0)
		if err != nil {
			return err
		}
		switch {
		case *revoke:
			if err := a.Links.Revoke(ctx, u.ID); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "the bookings link of %s is revoked\n", u.Username)
		case *renew:
			link, err := a.Links.Renew(ctx, u.ID)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, link)
		default:
			link, err := a.Links.Link(ctx, u.ID)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, link)
		}
	case "prefs":
		u, err := user(0)
		if err != nil {
			return err
		}
		p, err := a.Store.ExternalPrefs(ctx, u.ID)
		if err != nil {
			return err
		}
		for _, f := range []struct {
			value string
			to    *bool
		}{{*invites, &p.InviteBookings}, {*failing, &p.NotifyFailing}} {
			if f.value == "" {
				continue
			}
			if *f.to, err = strconv.ParseBool(f.value); err != nil {
				return fmt.Errorf("%q: want true or false", f.value)
			}
		}
		if err := a.Store.SetExternalPrefs(ctx, u.ID, p); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: invitations %v, failing-calendar e-mail %v\n", u.Username, p.InviteBookings, p.NotifyFailing)
	default:
		return fmt.Errorf("unknown external subcommand %q", sub)
	}
	return nil
}

// printCalendar writes one calendar's line: never its URL, only the host.
func printCalendar(w io.Writer, username string, c booking.ExternalCalendar, flagAfter time.Duration) {
	state := string(c.State)
	switch {
	case c.Flagged(time.Now(), flagAfter):
		state = "FAILING since " + c.FailingSince.Local().Format("2006-01-02 15:04")
	case c.State == booking.ExternalFailing:
		state = "failing since " + c.FailingSince.Local().Format("2006-01-02 15:04")
	}
	fetched := "never"
	if !c.LastFetched.IsZero() {
		fetched = c.LastFetched.Local().Format("2006-01-02 15:04")
	}
	fmt.Fprintf(w, "%-4d %-16s %-24s %-38s %-28s fetched %s, %d events\n", c.ID, username, c.Name, c.URLHint, state, fetched, c.Events)
	if c.Error != "" {
		fmt.Fprintf(w, "     %s\n", c.Error)
	}
}
