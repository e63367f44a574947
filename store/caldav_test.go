package store_test

import (
	"veileder/caldav"
	"veileder/store"
)

// The store implements what the CalDAV server needs. The check lives in a
// test so that package store does not import caldav.
var _ caldav.Store = (*store.Store)(nil)
