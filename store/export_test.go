package store

import "github.com/jmoiron/sqlx"

// DB exposes a store's database to the tests in package store_test, for
// checks that no method offers (which schema it is in, pruning the log).
func DB(s *Store) *sqlx.DB { return s.db }
