package main

import (
	"flag"
	"fmt"
	"strconv"

	"github.com/veileder/veileder/app"
	"github.com/veileder/veileder/web"
)

// limitOptions are the booking limits of serve.
type limitOptions struct {
	perAddress, perEmail string
}

func (o *limitOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.perAddress, "booking-limit", envOr("VEILEDER_BOOKING_LIMIT", strconv.Itoa(web.DefaultBookingLimit)),
		"booking attempts an hour from one client address, across every student behind it (a campus NAT is one address); only attempts that pass the form's checks count (env VEILEDER_BOOKING_LIMIT)")
	fs.StringVar(&o.perEmail, "booking-email-limit", envOr("VEILEDER_BOOKING_EMAIL_LIMIT", strconv.Itoa(web.DefaultEmailLimit)),
		"booking attempts an hour with one student e-mail address (env VEILEDER_BOOKING_EMAIL_LIMIT)")
}

func (o *limitOptions) apply(cfg *app.Config) error {
	a, err := strconv.Atoi(o.perAddress)
	if err != nil || a < 1 {
		return fmt.Errorf("booking limit %q: want a whole number of at least 1", o.perAddress)
	}
	e, err := strconv.Atoi(o.perEmail)
	if err != nil || e < 1 {
		return fmt.Errorf("booking e-mail limit %q: want a whole number of at least 1", o.perEmail)
	}
	cfg.BookingLimit, cfg.EmailLimit = a, e
	return nil
}
