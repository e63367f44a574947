// Package migrations holds Veileder's database schema as numbered goose SQL
// files, one directory per dialect, embedded in the binary so that the store
// can apply them at start.
//
// Files are never edited once they have landed on the main branch: a change
// to the schema is a new numbered file in both directories.
package migrations

import (
	"embed"
	"io/fs"
)

// FS holds postgres/*.sql and sqlite/*.sql.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS

// Postgres returns the PostgreSQL migrations, rooted so that goose sees the
// numbered files directly.
func Postgres() fs.FS { return sub("postgres") }

// SQLite returns the SQLite migrations, rooted like Postgres.
func SQLite() fs.FS { return sub("sqlite") }

func sub(dir string) fs.FS {
	f, err := fs.Sub(FS, dir)
	if err != nil {
		// fs.Sub fails only for an invalid path, and dir is a constant.
		panic(err)
	}
	return f
}
