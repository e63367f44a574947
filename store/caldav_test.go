package store_test

import (
	"veileder/caldav"
	"veileder/scheduling"
	"veileder/store"
)

// The store implements what the CalDAV server and the scheduling service
// need. The checks live in a test so that package store does not import
// caldav.
var (
	_ caldav.Store     = (*store.Store)(nil)
	_ scheduling.Store = (*store.Store)(nil)
	_ scheduling.Tx    = (*store.Tx)(nil)
)
