package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/veileder/veileder/store"
)

// after-restore renews the database's sync epoch and says so; it takes
// no arguments.
func TestAfterRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	epoch := func() string {
		t.Helper()
		st, err := store.OpenWith(ctx, store.Config{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		e, err := st.SyncEpoch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	before := epoch()
	var stdout bytes.Buffer
	if err := run(ctx, []string{"after-restore", "--data-dir", dir}, strings.NewReader(""), &stdout, io.Discard); err != nil {
		t.Fatalf("after-restore: %v", err)
	}
	after := epoch()
	if after == before || !strings.Contains(stdout.String(), "sync epoch renewed ("+after+")") {
		t.Errorf("after-restore: epoch %q then %q, output %q; want a new epoch, named in the output", before, after, stdout.String())
	}
	if err := run(ctx, []string{"after-restore", "--data-dir", dir, "now"}, strings.NewReader(""), io.Discard, io.Discard); err == nil {
		t.Error("after-restore with an argument: no error")
	}
	if got := epoch(); got != after {
		t.Errorf("epoch after a refused after-restore: got %q, want %q", got, after)
	}
}
