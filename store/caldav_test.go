package store_test

import (
	"github.com/veileder/veileder/caldav"
	"github.com/veileder/veileder/scheduling"
	"github.com/veileder/veileder/store"
)

// The store implements what the CalDAV server needs, and its transaction
// what the scheduling service's does (the wiring adapts Store.Tx, whose
// function takes a *store.Tx). The checks live in a test so that package
// store imports neither.
var (
	_ caldav.Store         = (*store.Store)(nil)
	_ scheduling.Tx        = (*store.Tx)(nil)
	_ scheduling.RequestTx = (*store.Tx)(nil)
)
