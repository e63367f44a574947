package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// Secret returns the random key called name, size bytes long, making it
// the first time it is asked for. Every replica gets the same key: the
// first insert wins and the others read it. The notifications use one to
// derive the manage links they carry, so that the links can be made again
// at send time without the plain tokens ever being stored.
func (s *Store) Secret(ctx context.Context, name string, size int) ([]byte, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	fresh := make([]byte, size)
	_, _ = rand.Read(fresh) // crypto/rand.Read never fails
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`
		INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO NOTHING`),
		name, base64.StdEncoding.EncodeToString(fresh), s.now().Unix())
	if err != nil {
		return nil, fmt.Errorf("store: secret %s: %w", name, dbErr(err))
	}
	var value string
	if err := s.db.GetContext(ctx, &value, s.db.Rebind(`SELECT value FROM secrets WHERE name = ?`), name); err != nil {
		return nil, fmt.Errorf("store: secret %s: %w", name, dbErr(err))
	}
	key, err := base64.StdEncoding.DecodeString(value)
	if err != nil || len(key) != size {
		return nil, fmt.Errorf("store: secret %s: stored value is not a %d-byte key", name, size)
	}
	return key, nil
}
