package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// TestTryTx: while one transaction holds a librarian's lock, TryTx for
// that librarian runs nothing and says so on PostgreSQL (locks are per
// librarian), and for another librarian runs at once. On SQLite, whose
// one writer serialises every transaction, TryTx is Tx: it runs when the
// writer is free and is never "locked".
func TestTryTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		kari := createUser(t, s, "kari", booking.RoleLibrarian)
		ran := func(id int64) (bool, bool, error) {
			did := false
			locked, err := s.TryTx(ctx, id, func(ctx context.Context, tx *store.Tx) error { did = true; return nil })
			return locked, did, err
		}
		if locked, did, err := ran(ola.ID); locked || !did || err != nil {
			t.Fatalf("free librarian: locked %v, ran %v, %v; want false, true, nil", locked, did, err)
		}
		if _, _, err := ran(999999); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("no such librarian: got %v, want ErrNotFound", err)
		}
		fnErr := errors.New("rolled back")
		if _, err := s.TryTx(ctx, ola.ID, func(context.Context, *store.Tx) error { return fnErr }); !errors.Is(err, fnErr) {
			t.Errorf("fn's error: got %v, want it returned", err)
		}
		if s.Dialect() != store.Postgres {
			return
		}
		held, release := make(chan struct{}), make(chan struct{})
		done := make(chan error)
		go func() {
			done <- s.Tx(ctx, ola.ID, func(context.Context, *store.Tx) error {
				close(held)
				<-release
				return nil
			})
		}()
		<-held
		if locked, did, err := ran(ola.ID); !locked || did || err != nil {
			t.Errorf("locked librarian: locked %v, ran %v, %v; want true, false, nil", locked, did, err)
		}
		if locked, did, err := ran(kari.ID); locked || !did || err != nil {
			t.Errorf("other librarian: locked %v, ran %v, %v; want false, true, nil", locked, did, err)
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if locked, did, err := ran(ola.ID); locked || !did || err != nil {
			t.Errorf("after the lock is released: locked %v, ran %v, %v; want false, true, nil", locked, did, err)
		}
	})
}
