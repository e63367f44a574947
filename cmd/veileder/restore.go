package main

import (
	"context"
	"fmt"
	"io"

	"github.com/veileder/veileder/store"
)

// afterRestore is what a restored database needs before it serves: the
// calendars' change-log positions of the backup are used again for new
// changes, so the sync epoch that sync tokens and CTags carry is renewed,
// and every calendar app syncs in full once instead of missing changes.
// Running it when no restore happened costs one full sync per app.
func afterRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, o := newFlagSet("veileder after-restore", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("after-restore takes no arguments, got %q", fs.Args())
	}
	st, err := store.OpenWith(ctx, store.Config{DatabaseURL: o.databaseURL, DataDir: o.dataDir})
	if err != nil {
		return err
	}
	defer st.Close()
	epoch, err := st.RenewSyncEpoch(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sync epoch renewed (%s): calendar apps will sync in full at their next sync\n", epoch)
	return nil
}
