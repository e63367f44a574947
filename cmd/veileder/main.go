// Command veileder runs the Veileder booking service: the CalDAV server for
// librarians' calendars and the web front for students, on one port.
//
//	veileder serve              run the service
//	veileder demo               run the service with demo data on SQLite
//	veileder migrate            apply database migrations and exit
//	veileder after-restore      renew the sync epoch after restoring a backup
//	veileder user add|list|passwd|disable|enable
//	veileder external add|list|remove|refresh|bookings-link|prefs
//
// Every flag has an environment variable; flags win.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/veileder/veileder/app"
	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/demo"
	"github.com/veileder/veileder/store"
)

var usage = `Veileder: book the right librarian.

Usage:
  veileder serve   [flags]   run the service
  veileder demo    [flags]   run the service with demo users and calendars
  veileder migrate [flags]   apply database migrations and exit
  veileder after-restore [flags]
                             run once after restoring a backup, before serving:
                             calendar apps then sync in full (docs/OPERATIONS.md)
  veileder user add --username NAME --name "Full Name" --email ADDR --role desk|librarian|coordinator|admin [--password PW]
  veileder user list
  veileder user passwd NAME [--password PW]
  veileder user disable NAME
  veileder user enable NAME
  veileder user role NAME desk|librarian|coordinator|admin
` + catalogUsage + externalUsage + `
Without --password, the password is read from the first line of standard input.
Run "veileder serve --help" to see the flags and their environment variables.
`

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		// --help printed the flags; asking for help is no failure.
	case err != nil:
		fmt.Fprintln(os.Stderr, "veileder:", err)
		os.Exit(1)
	}
}

// options are the settings every subcommand shares.
type options struct {
	listen, databaseURL, dataDir, baseURL, timeZone, logLevel, logFormat string
	trustedProxies                                                       string
}

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func (o *options) register(fs *flag.FlagSet) {
	fs.StringVar(&o.listen, "listen", envOr("VEILEDER_LISTEN", "127.0.0.1:8080"),
		"address to listen on, host:port (env VEILEDER_LISTEN)")
	fs.StringVar(&o.databaseURL, "database-url", envOr("VEILEDER_DATABASE_URL", ""),
		"PostgreSQL URL such as postgres://user@host/db?sslmode=disable; empty uses the embedded SQLite file in --data-dir (env VEILEDER_DATABASE_URL)")
	fs.StringVar(&o.dataDir, "data-dir", envOr("VEILEDER_DATA_DIR", "data"),
		"folder for the SQLite file and other local data (env VEILEDER_DATA_DIR)")
	fs.StringVar(&o.baseURL, "base-url", envOr("VEILEDER_BASE_URL", ""),
		"public address of the service, used in links and e-mails; default http://<listen> (env VEILEDER_BASE_URL)")
	fs.StringVar(&o.trustedProxies, "trusted-proxies", envOr("VEILEDER_TRUSTED_PROXIES", ""),
		"comma-separated addresses or CIDRs of load balancers whose X-Forwarded-For is believed, for the per-address booking and login limits (env VEILEDER_TRUSTED_PROXIES)")
	fs.StringVar(&o.timeZone, "timezone", envOr("VEILEDER_TIMEZONE", "Europe/Oslo"),
		"the library's IANA time zone, in which times are shown (env VEILEDER_TIMEZONE)")
	fs.StringVar(&o.logLevel, "log-level", envOr("VEILEDER_LOG_LEVEL", "info"),
		"debug, info, warn or error (env VEILEDER_LOG_LEVEL)")
	fs.StringVar(&o.logFormat, "log-format", envOr("VEILEDER_LOG_FORMAT", "text"),
		"text or json (env VEILEDER_LOG_FORMAT)")
}

func (o *options) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", o.logLevel)
	}
	hopts := &slog.HandlerOptions{Level: level}
	switch o.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, hopts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, hopts)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", o.logFormat)
}

func (o *options) config(logger *slog.Logger) app.Config {
	base := o.baseURL
	if base == "" {
		base = "http://" + o.listen
	}
	var proxies []string
	for _, p := range strings.Split(o.trustedProxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			proxies = append(proxies, p)
		}
	}
	return app.Config{DatabaseURL: o.databaseURL, DataDir: o.dataDir, BaseURL: strings.TrimSuffix(base, "/"),
		TimeZone: o.timeZone, Logger: logger, TrustedProxies: proxies}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve", "demo":
		return serve(ctx, cmd, rest, stdout, stderr)
	case "migrate":
		return migrate(ctx, rest, stdout, stderr)
	case "after-restore":
		return afterRestore(ctx, rest, stdout, stderr)
	case "user":
		return userCommand(ctx, rest, stdin, stdout, stderr)
	case "service":
		return serviceCommand(ctx, rest, stdout, stderr)
	case "topic":
		return topicCommand(ctx, rest, stdout, stderr)
	case "competence":
		return competenceCommand(ctx, rest, stdout, stderr)
	case "profile":
		return profileCommand(ctx, rest, stdout, stderr)
	case "external":
		return externalCommand(ctx, rest, stdout, stderr)
	}
	return fmt.Errorf("unknown command %q; run veileder --help", cmd)
}

func newFlagSet(name string, stderr io.Writer) (*flag.FlagSet, *options) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &options{}
	o.register(fs)
	return fs, o
}

// serveOptions are the settings of serve and demo: every flag the
// README's configuration table lists (a test checks that it lists them).
type serveOptions struct {
	mo mailOptions
	so staffOptions
	lo limitOptions
	eo externalOptions
}

func serveFlagSet(name string, stderr io.Writer) (*flag.FlagSet, *options, *serveOptions) {
	fs, o := newFlagSet(name, stderr)
	var so serveOptions
	so.mo.register(fs)
	so.so.register(fs)
	so.lo.register(fs)
	so.eo.register(fs)
	return fs, o, &so
}

func serve(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) error {
	fs, o, opts := serveFlagSet("veileder "+cmd, stderr)
	mo, so, lo, eo := &opts.mo, &opts.so, &opts.lo, &opts.eo
	var sio signInOptions
	sio.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger, err := o.logger(stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	cfg := o.config(logger)
	if err := mo.apply(&cfg); err != nil {
		return err
	}
	if err := so.apply(&cfg); err != nil {
		return err
	}
	if err := lo.apply(&cfg); err != nil {
		return err
	}
	if err := eo.apply(&cfg); err != nil {
		return err
	}
	if err := sio.apply(&cfg); err != nil {
		return err
	}
	a, err := app.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	var logins []demo.Login
	if cmd == "demo" {
		if logins, err = demo.Seed(ctx, a.Store, a.Location, time.Now()); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}

	// The e-mail sender and the reminder job, until ctx ends (a.Close
	// waits for them).
	a.Start(ctx)
	// The retention purge and other periodic jobs, until ctx ends; the
	// store is closed only after they stop.
	jobsDone := make(chan struct{})
	go func() { defer close(jobsDone); a.RunJobs(ctx) }()
	defer func() { stop(); <-jobsDone }()

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.listen, err)
	}
	srv := a.HTTPServer()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	where := "SQLite file in " + o.dataDir
	if o.databaseURL != "" {
		where = "PostgreSQL"
	}
	logger.Info("veileder listening", "addr", ln.Addr().String(), "base_url", cfg.BaseURL, "store", where)
	fmt.Fprintf(stdout, "\nVeileder is running on %s (data: %s)\n", cfg.BaseURL, where)
	fmt.Fprintf(stdout, "  Students:      %s/\n", cfg.BaseURL)
	fmt.Fprintf(stdout, "  CalDAV server: %s/dav/  (or just %s in the calendar app)\n", cfg.BaseURL, cfg.BaseURL)
	fmt.Fprintf(stdout, "  Staff pages:   %s/staff/login  (metrics %s/metrics, health /healthz, /readyz)\n", cfg.BaseURL, cfg.BaseURL)
	fmt.Fprintf(stdout, "  E-mail:        %s\n", a.Mailer.Transport())
	for _, l := range logins {
		fmt.Fprintf(stdout, "  CalDAV login:  %-10s password %-16s (%s, %s)\n", l.Username, l.Password, l.Name, l.Role)
	}
	fmt.Fprintln(stdout, "Press Ctrl+C to stop.")

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, o := newFlagSet("veileder migrate", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := store.OpenWith(ctx, store.Config{DatabaseURL: o.databaseURL, DataDir: o.dataDir})
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintln(stdout, "migrations applied")
	return nil
}

func readPassword(stdin io.Reader, given string) (string, error) {
	if given != "" {
		return given, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func userCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("user needs a subcommand: add, list, passwd, disable, enable or role")
	}
	sub := args[0]
	fs, o := newFlagSet("veileder user "+sub, stderr)
	var username, name, email, role, password string
	fs.StringVar(&username, "username", "", "log-in name (a-z, 0-9, . - _ @)")
	fs.StringVar(&name, "name", "", "full name")
	fs.StringVar(&email, "email", "", "e-mail address")
	fs.StringVar(&role, "role", "librarian", "desk, librarian, coordinator or admin")
	fs.StringVar(&password, "password", "", "password (8 to 128 characters); read from standard input if not given")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	if username == "" && len(pos) > 0 {
		username, pos = pos[0], pos[1:]
	}
	st, err := store.OpenWith(ctx, store.Config{DatabaseURL: o.databaseURL, DataDir: o.dataDir})
	if err != nil {
		return err
	}
	defer st.Close()

	switch sub {
	case "add":
		r, err := booking.ParseRole(role)
		if err != nil {
			return err
		}
		pw, err := readPassword(stdin, password)
		if err != nil {
			return err
		}
		u, err := st.CreateUser(ctx, booking.User{Username: strings.ToLower(username), DisplayName: name, Email: email, Role: r}, pw)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created %s (%s) with calendars availability, bookings and personal\n", u.Username, u.Role)
	case "list":
		users, err := st.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			state := "active"
			if u.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(stdout, "%-20s %-12s %-8s %-30s %s\n", u.Username, u.Role, state, u.Email, u.DisplayName)
		}
	case "passwd":
		pw, err := readPassword(stdin, password)
		if err != nil {
			return err
		}
		if err := st.SetPassword(ctx, username, pw); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "password changed for %s\n", username)
	case "disable", "enable":
		if err := st.SetDisabled(ctx, username, sub == "disable"); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%sd %s\n", sub, username)
	case "role":
		if len(pos) != 1 {
			return errors.New("usage: veileder user role NAME desk|librarian|coordinator|admin")
		}
		r, err := booking.ParseRole(pos[0])
		if err != nil {
			return err
		}
		if err := st.SetRole(ctx, username, r); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is now %s\n", username, r)
	default:
		return fmt.Errorf("unknown user subcommand %q", sub)
	}
	return nil
}
