package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/veileder/veileder/booking"
)

func TestParseInterleaved(t *testing.T) {
	tests := []struct {
		args      []string
		wantPos   []string
		wantLevel string
	}{
		{[]string{"ola", "zotero"}, []string{"ola", "zotero"}, ""},
		{[]string{"--level", "secondary", "ola", "zotero"}, []string{"ola", "zotero"}, "secondary"},
		{[]string{"ola", "--level=secondary", "zotero"}, []string{"ola", "zotero"}, "secondary"},
		{[]string{"ola", "zotero", "--level", "secondary"}, []string{"ola", "zotero"}, "secondary"},
		{[]string{"ola", "--", "--level"}, []string{"ola", "--level"}, ""},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		level := fs.String("level", "", "")
		pos, err := parseInterleaved(fs, tt.args)
		if err != nil || !slices.Equal(pos, tt.wantPos) || *level != tt.wantLevel {
			t.Errorf("parseInterleaved(%q): got %q, level %q, %v; want %q, level %q", tt.args, pos, *level, err, tt.wantPos, tt.wantLevel)
		}
	}
}

// The catalogue commands, run one after another on one SQLite database as
// an admin would type them.
func TestCatalogCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	type command func(ctx context.Context, args []string, stdout, stderr io.Writer) error
	userAdd := func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		return userCommand(ctx, args, strings.NewReader(""), stdout, stderr)
	}
	steps := []struct {
		cmd     command
		args    []string
		want    string // in the output
		wantErr error  // nil: success; errAny: some error
	}{
		{userAdd, []string{"add", "--username", "ola", "--name", "Ola Dahl", "--password", "long enough"}, "created ola", nil},
		{serviceCommand, []string{"add", "--slug", "skrivestotte", "--name-nb", "Skrivestøtte", "--name-en", "Writing support", "--length", "1h"}, "created service skrivestotte", nil},
		{serviceCommand, []string{"list"}, "skrivestotte", nil},
		{serviceCommand, []string{"add", "--slug", "x", "--name-nb", "a", "--name-en", "b"}, "", booking.ErrInvalid},
		{topicCommand, []string{"add", "--slug", "zotero", "--name-nb", "Zotero", "--name-en", "Zotero", "--length", "30m"}, "#zotero", nil},
		{topicCommand, []string{"add", "--slug", "kildebruk", "--service", "skrivestotte", "--name-nb", "Kildebruk", "--name-en", "Using sources"}, "in skrivestotte", nil},
		{topicCommand, []string{"add", "--slug", "zotero", "--name-nb", "Zotero", "--name-en", "Zotero"}, "", booking.ErrConflict},
		{topicCommand, []string{"add", "--slug", "ny", "--service", "nope", "--name-nb", "a", "--name-en", "b"}, "", booking.ErrNotFound},
		{topicCommand, []string{"disable", "kildebruk"}, "disabled topic kildebruk", nil},
		{topicCommand, []string{"list"}, "kildebruk                skrivestotte   disabled", nil},
		{topicCommand, []string{"list"}, "zotero                   bibliotekar    active          30m", nil},
		{competenceCommand, []string{"add", "ola", "zotero", "--level", "secondary", "--languages", "en"}, "ola guides in zotero (secondary)", nil},
		{competenceCommand, []string{"add", "OLA", "generell"}, "ola guides in generell (primary)", nil},
		{competenceCommand, []string{"add", "ola", "nope"}, "", booking.ErrNotFound},
		{competenceCommand, []string{"add", "ola", "zotero", "--level", "guru"}, "", booking.ErrInvalid},
		{competenceCommand, []string{"list", "ola"}, "zotero                   secondary  en", nil},
		{competenceCommand, []string{"remove", "ola", "generell"}, "no longer guides in generell", nil},
		{competenceCommand, []string{"remove", "ola", "generell"}, "", booking.ErrNotFound},
		{competenceCommand, []string{"add", "nobody", "zotero"}, "", booking.ErrNotFound},
		{profileCommand, []string{"set", "ola", "--languages", "nb", "--campus", "Domus Bibliotheca", "--online=false"}, `ola: languages nb, campus "Domus Bibliotheca", in person true, online false`, nil},
		// Flags not given keep their values.
		{profileCommand, []string{"set", "ola", "--notify"}, `languages nb, campus "Domus Bibliotheca", in person true, online false, e-mail on new booking true`, nil},
		{profileCommand, []string{"set", "ola", "--in-person=false"}, "", booking.ErrInvalid},
		{profileCommand, []string{"set", "ola", "--languages", "norsk"}, "", booking.ErrInvalid},
		{profileCommand, []string{"show", "ola"}, `campus "Domus Bibliotheca"`, nil},
		{profileCommand, []string{"set", "ola", "--meeting-url", "https://uio.zoom.us/my/ola"}, `meeting link "https://uio.zoom.us/my/ola"`, nil},
		{profileCommand, []string{"set", "ola", "--meeting-url", "uio.zoom.us/my/ola"}, "", booking.ErrInvalid},
		{profileCommand, []string{"show", "ola"}, `campus "Domus Bibliotheca", in person true, online false, e-mail on new booking true, meeting link "https://uio.zoom.us/my/ola"`, nil},
		{profileCommand, []string{"set", "ola", "--meeting-url", ""}, `meeting link ""`, nil},
	}
	for _, st := range steps {
		var stdout, stderr bytes.Buffer
		args := append(st.args, "--data-dir", dir)
		err := st.cmd(ctx, args, &stdout, &stderr)
		switch {
		case st.wantErr == nil && err != nil:
			t.Errorf("%q: got error %v, want success", st.args, err)
		case st.wantErr != nil && !errors.Is(err, st.wantErr):
			t.Errorf("%q: got error %v, want %v", st.args, err, st.wantErr)
		case !strings.Contains(stdout.String(), st.want):
			t.Errorf("%q: got output %q, want it to hold %q", st.args, stdout.String(), st.want)
		}
	}
}

func TestCatalogCommandsUsage(t *testing.T) {
	for _, cmd := range []func(ctx context.Context, args []string, stdout, stderr io.Writer) error{
		serviceCommand, topicCommand, competenceCommand, profileCommand,
	} {
		var stderr bytes.Buffer
		if err := cmd(context.Background(), nil, io.Discard, &stderr); err == nil || !strings.Contains(stderr.String(), "veileder topic add") {
			t.Errorf("no subcommand: got %v and usage %q, want an error and the usage", err, stderr.String())
		}
	}
}
