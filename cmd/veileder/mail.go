package main

import (
	"encoding/base64"
	"flag"
	"fmt"
	"time"

	"github.com/veileder/veileder/app"
	"github.com/veileder/veileder/notify"
)

// mailOptions are the e-mail settings of serve and demo.
type mailOptions struct {
	smtpURL, from, dir, secretKey, reminderBefore string
	followUp                                      bool
	followUpAfter                                 string
}

func (m *mailOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&m.smtpURL, "smtp-url", envOr("VEILEDER_SMTP_URL", ""),
		"mail server: smtp://user:pass@host:587?starttls=required|opportunistic|none&auth=plain&timeout=1m, or smtps://user:pass@host:465; "+
			"empty writes each e-mail as an .eml file to --mail-dir (env VEILEDER_SMTP_URL)")
	fs.StringVar(&m.from, "mail-from", envOr("VEILEDER_MAIL_FROM", ""),
		`sender of the e-mails, "Name <address>"; default noreply at the --base-url host (env VEILEDER_MAIL_FROM)`)
	fs.StringVar(&m.dir, "mail-dir", envOr("VEILEDER_MAIL_DIR", ""),
		"folder for the .eml files when there is no --smtp-url; default <data-dir>/mail (env VEILEDER_MAIL_DIR)")
	fs.StringVar(&m.reminderBefore, "reminder-before", envOr("VEILEDER_REMINDER_BEFORE", notify.DefaultReminderBefore.String()),
		"how long before a meeting the student gets a reminder, such as 24h (env VEILEDER_REMINDER_BEFORE)")
	fs.BoolVar(&m.followUp, "follow-up", envOr("VEILEDER_FOLLOW_UP", "true") != "false",
		"after each meeting, ask the student for a rating and the librarian whether it took place, by e-mail (env VEILEDER_FOLLOW_UP=false turns it off)")
	fs.StringVar(&m.followUpAfter, "follow-up-after", envOr("VEILEDER_FOLLOW_UP_AFTER", notify.DefaultFollowUpAfter.String()),
		"how long after a meeting's end the follow-up e-mails go out, such as 2h (env VEILEDER_FOLLOW_UP_AFTER)")
	fs.StringVar(&m.secretKey, "secret-key", envOr("VEILEDER_SECRET_KEY", ""),
		"base64 key of at least 32 bytes that derives the manage links in e-mails; replicas need the same; "+
			"default a random key kept in the database (env VEILEDER_SECRET_KEY)")
}

// apply puts the settings into the app's configuration.
func (m *mailOptions) apply(cfg *app.Config) error {
	before, err := time.ParseDuration(m.reminderBefore)
	if err != nil || before <= 0 {
		return fmt.Errorf("reminder time %q: want a positive duration such as 24h", m.reminderBefore)
	}
	after, err := time.ParseDuration(m.followUpAfter)
	if err != nil || after <= 0 {
		return fmt.Errorf("follow-up time %q: want a positive duration such as 2h", m.followUpAfter)
	}
	if m.secretKey != "" {
		key, err := base64.StdEncoding.DecodeString(m.secretKey)
		if err != nil || len(key) < 32 {
			return fmt.Errorf("secret key: want base64 of at least 32 bytes (openssl rand -base64 32)")
		}
		cfg.SecretKey = key
	}
	// An empty folder means <data-dir>/mail (app.MailConfig).
	cfg.Mail = app.MailConfig{SMTPURL: m.smtpURL, From: m.from, Dir: m.dir, ReminderBefore: before,
		NoFollowUp: !m.followUp, FollowUpAfter: after}
	return nil
}
