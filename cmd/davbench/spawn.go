package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/lib/pq" // the postgres driver, to create and drop the database
)

// server is a veileder process started for one run: on a free loopback
// port, with a fresh SQLite folder or a fresh PostgreSQL database, and one
// staff user.
type server struct {
	url, user, password string
	dir                 string // temporary folder: SQLite data, the log
	cmd                 *exec.Cmd
	exited              chan struct{}
	dropDB              func() error // drops the PostgreSQL database, or nil
}

// spawnOptions say how to start the server.
type spawnOptions struct {
	binary      string // the veileder executable
	dialect     string // "sqlite" or "postgres"
	databaseURL string // the PostgreSQL server on which to create a database
	timeZone    string
}

// spawn starts the server and waits until /readyz answers 200.
func spawn(ctx context.Context, o spawnOptions) (_ *server, err error) {
	if o.binary == "" {
		return nil, errors.New("-spawn needs -veileder PATH (build it with go build -o /tmp/veileder ./cmd/veileder)")
	}
	if _, err := os.Stat(o.binary); err != nil {
		return nil, fmt.Errorf("-veileder: %w", err)
	}
	dir, err := os.MkdirTemp("", "davbench-")
	if err != nil {
		return nil, err
	}
	s := &server{dir: dir, user: "davbench", password: strings.ToLower(rand.Text()), exited: make(chan struct{})}
	defer func() {
		if err != nil {
			s.stop()
		}
	}()

	args := []string{"--data-dir", dir, "--timezone", o.timeZone, "--log-level", "warn"}
	switch o.dialect {
	case "sqlite":
		// Explicitly empty, so that a VEILEDER_DATABASE_URL in the
		// environment cannot turn this into a PostgreSQL run.
		args = append(args, "--database-url=")
	case "postgres":
		dbURL, drop, err := freshDatabase(ctx, o.databaseURL)
		if err != nil {
			return nil, err
		}
		s.dropDB = drop
		args = append(args, "--database-url", dbURL)
	default:
		return nil, fmt.Errorf("-spawn %q: want sqlite or postgres", o.dialect)
	}

	add := exec.CommandContext(ctx, o.binary, append([]string{"user", "add", "--username", s.user, "--name", "Davbench",
		"--email", "davbench@example.org", "--role", "librarian"}, args...)...)
	add.Stdin = strings.NewReader(s.password + "\n")
	add.Env = cleanEnv()
	if out, err := add.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("veileder user add: %w: %s", err, out)
	}

	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	s.url = "http://" + addr
	logf, err := os.Create(dir + "/server.log")
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	s.cmd = exec.Command(o.binary, append([]string{"serve", "--listen", addr}, args...)...)
	s.cmd.Env = cleanEnv()
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start veileder: %w", err)
	}
	go func() { _ = s.cmd.Wait(); close(s.exited) }()

	deadline := time.Now().Add(60 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/readyz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case <-s.exited:
			return nil, fmt.Errorf("veileder serve exited before it was ready: %s", s.logTail())
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("veileder serve not ready after 60 s: %s", s.logTail())
		}
	}
}

// cleanEnv is the environment without VEILEDER_ variables, so that only the
// flags given configure the server.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VEILEDER_") {
			env = append(env, kv)
		}
	}
	return env
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// freshDatabase creates an empty database davbench_<random> on the
// PostgreSQL server of base and returns its URL and a function that drops
// it.
func freshDatabase(ctx context.Context, base string) (string, func() error, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, fmt.Errorf("-database-url: %w", err)
	}
	admin, err := sql.Open("postgres", base)
	if err != nil {
		return "", nil, err
	}
	defer admin.Close()
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// 130 random bits in lower case need no quoting.
	name := "davbench_" + strings.ToLower(rand.Text())
	if _, err := admin.ExecContext(cctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("create database on %s: %w", u.Redacted(), err)
	}
	drop := func() error {
		db, err := sql.Open("postgres", base)
		if err != nil {
			return err
		}
		defer db.Close()
		// Generous: a DROP cancelled halfway leaves an invalid database
		// behind (PostgreSQL 15), which only another DROP removes.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// stop ends the server (SIGTERM, then SIGKILL after 20 s), drops its
// database and removes its folder.
func (s *server) stop() error {
	var errs []error
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(20 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
			errs = append(errs, errors.New("veileder did not stop within 20 s of SIGTERM"))
		}
	}
	if s.dropDB != nil {
		errs = append(errs, s.dropDB())
	}
	errs = append(errs, os.RemoveAll(s.dir))
	return errors.Join(errs...)
}

func (s *server) logTail() string {
	b, _ := os.ReadFile(s.dir + "/server.log")
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// memory is a process's resident set: now and the peak so far (VmRSS and
// VmHWM of /proc/PID/status), in KiB.
type memory struct{ rss, peak int64 }

func (m memory) String() string {
	if m.peak == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f MiB", float64(m.peak)/1024)
}

// readMemory reads the memory of process pid; 0 gives zeros.
func readMemory(pid int) memory {
	if pid <= 0 {
		return memory{}
	}
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return memory{}
	}
	defer f.Close()
	var m memory
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(val)
		if len(fields) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(fields[0], 10, 64)
		switch name {
		case "VmRSS":
			m.rss = n
		case "VmHWM":
			m.peak = n
		}
	}
	return m
}

func (s *server) pid() int {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}
