package caldav_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/lib/pq"
	_ "modernc.org/sqlite"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/caldav"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// After a database restore the calendars' change-log positions are used
// again, so a sync token must carry the database's epoch: a client whose
// token is from before the restore is told valid-sync-token (RFC 6578
// section 3.2) and syncs in full, instead of being told that nothing
// changed. The restore is emulated in SQL: the objects, change-log entries
// and sync_seq of a backup taken after the first change.
func TestSyncAfterRestore(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := t.Context()
			cfg := storetest.NewConfig(t, d)
			var mu sync.Mutex
			now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			advance := func(by time.Duration) { mu.Lock(); now = now.Add(by); mu.Unlock() }
			cfg.Now = clock
			s, err := store.OpenWith(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			alice, err := s.CreateUser(ctx, booking.User{Username: "alice", Email: "alice@ub.example.org"}, testPassword)
			if err != nil {
				t.Fatal(err)
			}
			h := caldav.NewHandler(caldav.Config{Store: s, Prefix: "/dav", Location: oslo, Now: clock})
			ts := httptest.NewServer(h)
			t.Cleanup(ts.Close)
			srv := &server{t: t, url: ts.URL, store: s, users: map[string]booking.User{"alice": alice}}
			cal := "/dav/calendars/alice/personal/"
			put := func(name string) {
				t.Helper()
				r := srv.do("alice", "PUT", cal+name+".ics", event(name, name, "20261104T090000Z", "20261104T100000Z"), "Content-Type", icalType)
				if r.status != http.StatusCreated {
					t.Fatalf("put %s: got %d:\n%s", name, r.status, r.body)
				}
			}
			sync := func(token string) reply {
				t.Helper()
				return srv.do("alice", "REPORT", cal, syncBody(token), "Depth", "1")
			}
			ctag := func() string {
				t.Helper()
				r := srv.do("alice", "PROPFIND", cal, `<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:prop><CS:getctag/></D:prop></D:propfind>`, "Depth", "0")
				return regexp.MustCompile(`<CS:getctag>([^<]*)<`).FindStringSubmatch(r.body)[1]
			}
			refused := func(what, token string) {
				t.Helper()
				r := sync(token)
				if r.status != http.StatusForbidden || !strings.Contains(r.body, "valid-sync-token") {
					t.Errorf("%s: got %d, want 403 valid-sync-token:\n%s", what, r.status, r.body)
				}
			}

			put("a")
			t1 := lastToken(t, sync("").body) // position 1, before the backup
			put("b")
			put("c")
			t3 := lastToken(t, sync(t1).body) // position 3, after it
			ctag3 := ctag()

			restore := func(keep int64) {
				t.Helper()
				db := rawDB(t, d, cfg)
				personal, err := s.CalendarBySlug(ctx, alice.ID, "personal")
				if err != nil {
					t.Fatal(err)
				}
				for _, q := range []string{
					fmt.Sprintf(`DELETE FROM calendar_objects WHERE calendar_id = %d AND seq > %d`, personal.ID, keep),
					fmt.Sprintf(`DELETE FROM calendar_changes WHERE calendar_id = %d AND seq > %d`, personal.ID, keep),
					fmt.Sprintf(`UPDATE calendars SET sync_seq = %d WHERE id = %d`, keep, personal.ID),
				} {
					if _, err := db.ExecContext(ctx, q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
			}

			// The backup from position 1 is restored. A client at position
			// 3 is ahead of the calendar: the service sees the restore,
			// refuses that token and renews the epoch, so that a client at
			// position 1, whose token is no longer trustworthy either once
			// new changes reuse 2 and 3, syncs in full too.
			restore(1)
			refused("a token ahead of the restored calendar", t3)
			refused("a token from before the backup, once the restore is seen", t1)
			if got := ctag(); got == ctag3 {
				t.Errorf("getctag after the restore: got %q, the same as before", got)
			}
			put("x")
			put("y")
			full := sync("")
			for _, name := range []string{"a", "x", "y"} {
				contains(t, full.body, "<D:href>"+cal+name+".ics</D:href>", "full sync after the restore")
			}
			lacks(t, full.body, cal+"b.ics", "full sync after the restore")
			t3 = lastToken(t, full.body) // position 3 again, in the new epoch
			put("z")
			r := sync(t3)
			contains(t, r.body, "<D:href>"+cal+"z.ics</D:href>", "incremental sync in the new epoch")
			t4 := lastToken(t, r.body)

			// A restore the service cannot see: back to position 2, then
			// new changes past the client's position 4 before it syncs
			// again. The operator's after-restore command renews the
			// epoch; every replica has it within seconds.
			restore(2)
			put("p")
			put("q")
			put("r")
			if got := sync(t4); got.status != http.StatusMultiStatus {
				t.Fatalf("sync before the after-restore command: got %d", got.status)
			}
			if _, err := s.RenewSyncEpoch(ctx); err != nil {
				t.Fatal(err)
			}
			advance(10 * time.Second)
			refused("a token from before the after-restore command", t4)
		})
	}
}

// rawDB opens the test's database directly, for what no store method does.
func rawDB(t *testing.T, d store.Dialect, cfg store.Config) *sql.DB {
	t.Helper()
	var (
		db  *sql.DB
		err error
	)
	if d == store.SQLite {
		db, err = sql.Open("sqlite", filepath.Join(cfg.DataDir, "veileder.db")+"?_pragma=busy_timeout(10000)")
	} else {
		db, err = sql.Open("postgres", cfg.DatabaseURL)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
