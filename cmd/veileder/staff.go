package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/veileder/veileder/app"
)

// staffOptions are the flags of the privacy and periodic jobs.
type staffOptions struct {
	retention, jobInterval, syncLogRetention        string
	privacyController, privacyContact               string
	waitlistHold, waitlistMaxWait, waitlistInterval string
	responseDays                                    int
}

func (o *staffOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.retention, "retention", envOr("VEILEDER_RETENTION", "90d"),
		"how long after the meeting a booking keeps the student's name, e-mail and question, as days (90d) or a Go duration (2160h) (env VEILEDER_RETENTION)")
	fs.StringVar(&o.jobInterval, "job-interval", envOr("VEILEDER_JOB_INTERVAL", "1h"),
		"how often the retention job runs (env VEILEDER_JOB_INTERVAL)")
	fs.StringVar(&o.syncLogRetention, "sync-log-retention", envOr("VEILEDER_SYNC_LOG_RETENTION", "90d"),
		"how long the calendars' change log keeps an entry, as days (90d) or a Go duration; a calendar app that has not synced for longer syncs in full (env VEILEDER_SYNC_LOG_RETENTION)")
	fs.StringVar(&o.privacyController, "privacy-controller", envOr("VEILEDER_PRIVACY_CONTROLLER", ""),
		"the data controller the privacy page names, such as \"Universitetet i Oslo\"; empty says \"the library\" (env VEILEDER_PRIVACY_CONTROLLER)")
	fs.StringVar(&o.privacyContact, "privacy-contact", envOr("VEILEDER_PRIVACY_CONTACT", ""),
		"an e-mail or web address for privacy questions (the data protection officer), shown on the privacy page (env VEILEDER_PRIVACY_CONTACT)")
	days, _ := strconv.Atoi(envOr("VEILEDER_REQUEST_RESPONSE_DAYS", "2"))
	fs.IntVar(&o.responseDays, "request-response-days", days,
		"the response target of a request, in working days (Monday to Friday): a request still unanswered after it is overdue (env VEILEDER_REQUEST_RESPONSE_DAYS)")
	fs.StringVar(&o.waitlistHold, "waitlist-hold", envOr("VEILEDER_WAITLIST_HOLD", "30m"),
		"how long a time offered to a student on the waitlist is held for them before it goes to the next (env VEILEDER_WAITLIST_HOLD)")
	fs.StringVar(&o.waitlistMaxWait, "waitlist-max-wait", envOr("VEILEDER_WAITLIST_MAX_WAIT", ""),
		"how long a student stays on a waitlist at most, as days (14d) or a duration; empty: the topic's booking horizon (env VEILEDER_WAITLIST_MAX_WAIT)")
	fs.StringVar(&o.waitlistInterval, "waitlist-interval", envOr("VEILEDER_WAITLIST_INTERVAL", "1m"),
		"how often freed and new times are offered to the waitlists (env VEILEDER_WAITLIST_INTERVAL)")
}

func (o *staffOptions) apply(cfg *app.Config) error {
	r, err := parseDays(o.retention)
	if err != nil || r <= 0 {
		return fmt.Errorf("retention %q: want a positive number of days (90d) or a duration (2160h)", o.retention)
	}
	every, err := time.ParseDuration(o.jobInterval)
	if err != nil || every < time.Minute {
		return fmt.Errorf("job interval %q: want a duration of at least 1m", o.jobInterval)
	}
	syncLog, err := parseDays(o.syncLogRetention)
	if err != nil || syncLog < 24*time.Hour {
		return fmt.Errorf("sync log retention %q: want at least one day (1d) or a duration (24h)", o.syncLogRetention)
	}
	if o.responseDays < 1 || o.responseDays > 30 {
		return fmt.Errorf("request response days %d: want 1 to 30 working days", o.responseDays)
	}
	cfg.Retention, cfg.JobInterval, cfg.SyncLogRetention = r, every, syncLog
	if c := strings.TrimSpace(o.privacyContact); c != "" && !strings.Contains(c, "@") && !strings.HasPrefix(c, "https://") && !strings.HasPrefix(c, "http://") {
		return fmt.Errorf("privacy contact %q: want an e-mail address or an http(s) address", o.privacyContact)
	}
	cfg.PrivacyController, cfg.PrivacyContact = strings.TrimSpace(o.privacyController), strings.TrimSpace(o.privacyContact)
	cfg.RequestResponseDays = o.responseDays
	hold, err := time.ParseDuration(o.waitlistHold)
	if err != nil || hold < time.Minute {
		return fmt.Errorf("waitlist hold %q: want a duration of at least 1m", o.waitlistHold)
	}
	var maxWait time.Duration
	if strings.TrimSpace(o.waitlistMaxWait) != "" {
		if maxWait, err = parseDays(o.waitlistMaxWait); err != nil || maxWait < time.Hour {
			return fmt.Errorf("waitlist max wait %q: want days (14d) or a duration of at least 1h", o.waitlistMaxWait)
		}
	}
	wi, err := time.ParseDuration(o.waitlistInterval)
	if err != nil || wi < time.Second {
		return fmt.Errorf("waitlist interval %q: want a duration of at least 1s", o.waitlistInterval)
	}
	cfg.Waitlist = app.WaitlistConfig{Hold: hold, MaxWait: maxWait, Interval: wi}
	return nil
}

// parseDays reads "90d" as 90 days, or a Go duration.
func parseDays(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		d, err := strconv.Atoi(n)
		if err != nil {
			return 0, err
		}
		return time.Duration(d) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}
