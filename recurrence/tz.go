package recurrence

import (
	"strings"
	"time"
	// Zones must resolve in minimal containers without /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/emersion/go-ical"
)

// ResolveLocation resolves an iCalendar TZID (RFC 5545 §3.2.19) to a
// location. It tries, in order: the TZID as an IANA name; the IANA name after
// a "/registry/version/" prefix such as "/mozilla.org/20050126_1/Europe/Oslo";
// a Windows zone name ("W. Europe Standard Time") or Outlook display name
// ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"); the
// X-LIC-LOCATION of the VTIMEZONE in cal with that TZID; an IANA zone whose
// offsets match that VTIMEZONE's observances in 2025–2026 (fallback first, so
// a calendar in Oslo keeps Europe/Oslo); a fixed offset taken from its
// STANDARD TZOFFSETTO. Otherwise it returns fallback (time.UTC if nil) and
// ok=false. An unknown zone must never fail a whole REPORT, so callers use
// the fallback rather than an error. It never panics.
func ResolveLocation(tzid string, cal *ical.Calendar, fallback *time.Location) (loc *time.Location, ok bool) {
	return resolve(tzid, cal, fallback, time.Now().Add(DefaultMaxDuration))
}

// resolve is ResolveLocation within an expansion's deadline: matching a
// VTIMEZONE evaluates its rules and tries every candidate zone, and an object
// may name many zones.
func resolve(tzid string, cal *ical.Calendar, fallback *time.Location, deadline time.Time) (*time.Location, bool) {
	if fallback == nil {
		fallback = time.UTC
	}
	name := strings.TrimSpace(strings.Trim(strings.TrimSpace(tzid), `"`))
	if name == "" {
		return fallback, false
	}
	if loc := loadIANA(name); loc != nil {
		return loc, true
	}
	if loc := loadWindows(name); loc != nil {
		return loc, true
	}
	if cal == nil || cal.Component == nil {
		return fallback, false
	}
	vtz := findVTimezone(cal.Component, name)
	if vtz == nil {
		return fallback, false
	}
	if p := vtz.Props.Get("X-LIC-LOCATION"); p != nil {
		if loc := loadIANA(strings.TrimSpace(p.Value)); loc != nil {
			return loc, true
		}
	}
	obs := parseObservances(vtz, deadline)
	if loc := matchObservances(obs, fallback, deadline); loc != nil {
		return loc, true
	}
	if loc := fixedFromObservances(obs, name); loc != nil {
		return loc, true
	}
	return fallback, false
}

// loadIANA loads an IANA zone, also behind a "/registry/version/" prefix.
func loadIANA(name string) *time.Location {
	try := func(n string) *time.Location {
		// LoadLocation reads "" as UTC and "Local" as the server's own zone;
		// a client can mean neither.
		if n == "" || n == "Local" || len(n) > 100 {
			return nil
		}
		loc, err := time.LoadLocation(n)
		if err != nil {
			return nil
		}
		return loc
	}
	if loc := try(name); loc != nil {
		return loc
	}
	// RFC 5545 §3.2.19: a leading solidus marks an ID from a global registry,
	// e.g. "/mozilla.org/20050126_1/Europe/Oslo",
	// "/softwarestudio.org/Olson_20011030_5/America/New_York",
	// "/citadel.org/20190914_1/Europe/Oslo". The IANA name is a suffix.
	if !strings.HasPrefix(name, "/") {
		return nil
	}
	rest := name[1:]
	for i := 0; i < 6; i++ {
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			break
		}
		rest = rest[j+1:]
		if loc := try(rest); loc != nil {
			return loc
		}
	}
	return nil
}

// loadWindows maps a Windows zone name or an Outlook display name to IANA.
func loadWindows(name string) *time.Location {
	display := name
	// Display names carry a "(UTC+01:00) " or older "(GMT+01:00) " prefix
	// whose format changed between Windows versions; compare the cities only.
	if strings.HasPrefix(display, "(") {
		if i := strings.Index(display, ")"); i >= 0 {
			display = strings.TrimSpace(display[i+1:])
		}
	}
	for _, z := range windowsZones {
		if strings.EqualFold(name, z.windows) || (z.display != "" && strings.EqualFold(display, z.display)) {
			return loadIANA(z.iana)
		}
	}
	return nil
}

func findVTimezone(cal *ical.Component, tzid string) *ical.Component {
	for _, c := range cal.Children {
		if c.Name != ical.CompTimezone {
			continue
		}
		if p := c.Props.Get(ical.PropTimezoneID); p != nil && strings.TrimSpace(p.Value) == tzid {
			return c
		}
	}
	return nil
}

// observance is a STANDARD or DAYLIGHT sub-component of a VTIMEZONE
// (RFC 5545 §3.6.5).
type observance struct {
	standard   bool
	start      time.Time // DTSTART, local time in offsetFrom, wall-UTC
	offsetFrom int
	offsetTo   int
	rules      []*ruleSpec
	rdates     []time.Time // wall-UTC
}

func parseObservances(vtz *ical.Component, deadline time.Time) []observance {
	var obs []observance
	for _, c := range vtz.Children {
		if c.Name != ical.CompTimezoneStandard && c.Name != ical.CompTimezoneDaylight {
			continue
		}
		if time.Now().After(deadline) {
			break
		}
		o := observance{standard: c.Name == ical.CompTimezoneStandard}
		p := c.Props.Get(ical.PropDateTimeStart)
		from := c.Props.Get(ical.PropTimezoneOffsetFrom)
		to := c.Props.Get(ical.PropTimezoneOffsetTo)
		if p == nil || from == nil || to == nil {
			continue
		}
		var err error
		if o.start, _, _, err = ParseDateTime(strings.TrimSpace(p.Value), ""); err != nil {
			continue
		}
		if o.offsetFrom, err = parseUTCOffset(from.Value); err != nil {
			continue
		}
		if o.offsetTo, err = parseUTCOffset(to.Value); err != nil {
			continue
		}
		loc := time.FixedZone("", o.offsetFrom)
		for _, rp := range c.Props.Values(ical.PropRecurrenceRule) {
			if r, err := parseRule(rp.Value, o.start, false, loc); err == nil {
				o.rules = append(o.rules, r)
			}
		}
		for _, rp := range c.Props.Values(ical.PropRecurrenceDates) {
			for _, v := range strings.Split(rp.Value, ",") {
				if w, _, _, err := ParseDateTime(strings.TrimSpace(v), ""); err == nil {
					o.rdates = append(o.rdates, w)
				}
			}
		}
		obs = append(obs, o)
	}
	return obs
}

// Observance matching samples 2025–2026, a window that covers the events a
// booking service handles and that tells the DST rules of today's zones apart.
var (
	matchFrom = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	matchTo   = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
)

type onset struct {
	at     time.Time
	offset int
}

// onsets lists the instants at which each observance starts, from a year
// before the sample window to its end (RFC 5545 §3.6.5: DTSTART, RRULE and
// RDATE give the onsets, as local times in TZOFFSETFROM).
func onsets(obs []observance, deadline time.Time) []onset {
	var out []onset
	for _, o := range obs {
		loc := time.FixedZone("", o.offsetFrom)
		add := func(w time.Time) {
			if at := localTime(w, loc); at.Before(matchTo) {
				out = append(out, onset{at, o.offsetTo})
			}
		}
		add(o.start)
		for _, w := range o.rdates {
			add(w)
		}
		from := wallOf(matchFrom.AddDate(-1, 0, 0))
		for _, r := range o.rules {
			n := 0
			_, _ = r.walk(o.start, loc, from, deadline, func(w, at time.Time) bool {
				n++
				if !at.Before(matchTo) || n > 100 {
					return false
				}
				out = append(out, onset{at, o.offsetTo})
				return true
			})
		}
	}
	return out
}

// offsetAt returns the offset of the latest onset at or before t.
func offsetAt(on []onset, t time.Time) (int, bool) {
	var best onset
	found := false
	for _, o := range on {
		if !o.at.After(t) && (!found || o.at.After(best.at)) {
			best, found = o, true
		}
	}
	return best.offset, found
}

// matchObservances finds an IANA zone that agrees with the observances at
// every sample in the window: Outlook sends TZIDs such as "Customized Time
// Zone" with a full VTIMEZONE, and a fixed offset would put half of each year
// an hour off.
func matchObservances(obs []observance, fallback *time.Location, deadline time.Time) *time.Location {
	if time.Now().After(deadline) {
		return nil
	}
	on := onsets(obs, deadline)
	if len(on) == 0 {
		return nil
	}
	type sample struct {
		t      time.Time
		offset int
	}
	var samples []sample
	for t := matchFrom; t.Before(matchTo); t = t.Add(84 * time.Hour) {
		off, ok := offsetAt(on, t)
		if !ok {
			return nil
		}
		samples = append(samples, sample{t, off})
	}
	matches := func(loc *time.Location) bool {
		for _, s := range samples {
			if _, off := s.t.In(loc).Zone(); off != s.offset {
				return false
			}
		}
		return true
	}
	if matches(fallback) {
		return fallback
	}
	seen := make(map[string]bool)
	for _, z := range windowsZones {
		if seen[z.iana] || time.Now().After(deadline) {
			continue
		}
		seen[z.iana] = true
		if loc := loadIANA(z.iana); loc != nil && matches(loc) {
			return loc
		}
	}
	return nil
}

// fixedFromObservances is the last resort: the TZOFFSETTO of the latest
// STANDARD observance (any observance if there is none) as a fixed zone.
func fixedFromObservances(obs []observance, name string) *time.Location {
	var best *observance
	for i := range obs {
		o := &obs[i]
		if best == nil || (o.standard && !best.standard) ||
			(o.standard == best.standard && o.start.After(best.start)) {
			best = o
		}
	}
	if best == nil {
		return nil
	}
	return time.FixedZone(name, best.offsetTo)
}

// windowsZones maps Windows zone IDs to IANA zones: the territory "001"
// entries of CLDR common/supplemental/windowsZones.xml, with IANA's current
// canonical names, and the Windows display names (the comments in that file)
// that Outlook sometimes sends as a TZID.
var windowsZones = []struct {
	windows, display, iana string
}{
	{"Dateline Standard Time", "International Date Line West", "Etc/GMT+12"},
	{"UTC-11", "Coordinated Universal Time-11", "Etc/GMT+11"},
	{"Aleutian Standard Time", "Aleutian Islands", "America/Adak"},
	{"Hawaiian Standard Time", "Hawaii", "Pacific/Honolulu"},
	{"Marquesas Standard Time", "Marquesas Islands", "Pacific/Marquesas"},
	{"Alaskan Standard Time", "Alaska", "America/Anchorage"},
	{"UTC-09", "Coordinated Universal Time-09", "Etc/GMT+9"},
	{"Pacific Standard Time (Mexico)", "Baja California", "America/Tijuana"},
	{"UTC-08", "Coordinated Universal Time-08", "Etc/GMT+8"},
	{"Pacific Standard Time", "Pacific Time (US & Canada)", "America/Los_Angeles"},
	{"US Mountain Standard Time", "Arizona", "America/Phoenix"},
	{"Mountain Standard Time (Mexico)", "Chihuahua, La Paz, Mazatlan", "America/Mazatlan"},
	{"Mountain Standard Time", "Mountain Time (US & Canada)", "America/Denver"},
	{"Yukon Standard Time", "Yukon", "America/Whitehorse"},
	{"Central America Standard Time", "Central America", "America/Guatemala"},
	{"Central Standard Time", "Central Time (US & Canada)", "America/Chicago"},
	{"Easter Island Standard Time", "Easter Island", "Pacific/Easter"},
	{"Central Standard Time (Mexico)", "Guadalajara, Mexico City, Monterrey", "America/Mexico_City"},
	{"Canada Central Standard Time", "Saskatchewan", "America/Regina"},
	{"SA Pacific Standard Time", "Bogota, Lima, Quito, Rio Branco", "America/Bogota"},
	{"Eastern Standard Time (Mexico)", "Chetumal", "America/Cancun"},
	{"Eastern Standard Time", "Eastern Time (US & Canada)", "America/New_York"},
	{"Haiti Standard Time", "Haiti", "America/Port-au-Prince"},
	{"Cuba Standard Time", "Havana", "America/Havana"},
	{"US Eastern Standard Time", "Indiana (East)", "America/Indiana/Indianapolis"},
	{"Turks And Caicos Standard Time", "Turks and Caicos", "America/Grand_Turk"},
	{"Paraguay Standard Time", "Asuncion", "America/Asuncion"},
	{"Atlantic Standard Time", "Atlantic Time (Canada)", "America/Halifax"},
	{"Venezuela Standard Time", "Caracas", "America/Caracas"},
	{"Central Brazilian Standard Time", "Cuiaba", "America/Cuiaba"},
	{"SA Western Standard Time", "Georgetown, La Paz, Manaus, San Juan", "America/La_Paz"},
	{"Pacific SA Standard Time", "Santiago", "America/Santiago"},
	{"Newfoundland Standard Time", "Newfoundland", "America/St_Johns"},
	{"Tocantins Standard Time", "Araguaina", "America/Araguaina"},
	{"E. South America Standard Time", "Brasilia", "America/Sao_Paulo"},
	{"SA Eastern Standard Time", "Cayenne, Fortaleza", "America/Cayenne"},
	{"Argentina Standard Time", "City of Buenos Aires", "America/Argentina/Buenos_Aires"},
	{"Greenland Standard Time", "Greenland", "America/Nuuk"},
	{"Montevideo Standard Time", "Montevideo", "America/Montevideo"},
	{"Magallanes Standard Time", "Punta Arenas", "America/Punta_Arenas"},
	{"Saint Pierre Standard Time", "Saint Pierre and Miquelon", "America/Miquelon"},
	{"Bahia Standard Time", "Salvador", "America/Bahia"},
	{"UTC-02", "Coordinated Universal Time-02", "Etc/GMT+2"},
	{"Mid-Atlantic Standard Time", "Mid-Atlantic - Old", "Etc/GMT+2"},
	{"Azores Standard Time", "Azores", "Atlantic/Azores"},
	{"Cape Verde Standard Time", "Cabo Verde Is.", "Atlantic/Cape_Verde"},
	{"UTC", "Coordinated Universal Time", "Etc/UTC"},
	{"GMT Standard Time", "Dublin, Edinburgh, Lisbon, London", "Europe/London"},
	{"Greenwich Standard Time", "Monrovia, Reykjavik", "Atlantic/Reykjavik"},
	{"Sao Tome Standard Time", "Sao Tome", "Africa/Sao_Tome"},
	{"Morocco Standard Time", "Casablanca", "Africa/Casablanca"},
	{"W. Europe Standard Time", "Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin"},
	{"Central Europe Standard Time", "Belgrade, Bratislava, Budapest, Ljubljana, Prague", "Europe/Budapest"},
	{"Romance Standard Time", "Brussels, Copenhagen, Madrid, Paris", "Europe/Paris"},
	{"Central European Standard Time", "Sarajevo, Skopje, Warsaw, Zagreb", "Europe/Warsaw"},
	{"W. Central Africa Standard Time", "West Central Africa", "Africa/Lagos"},
	{"Jordan Standard Time", "Amman", "Asia/Amman"},
	{"GTB Standard Time", "Athens, Bucharest", "Europe/Bucharest"},
	{"Middle East Standard Time", "Beirut", "Asia/Beirut"},
	{"Egypt Standard Time", "Cairo", "Africa/Cairo"},
	{"E. Europe Standard Time", "Chisinau", "Europe/Chisinau"},
	{"Syria Standard Time", "Damascus", "Asia/Damascus"},
	{"West Bank Standard Time", "Gaza, Hebron", "Asia/Hebron"},
	{"South Africa Standard Time", "Harare, Pretoria", "Africa/Johannesburg"},
	{"FLE Standard Time", "Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius", "Europe/Kyiv"},
	{"Israel Standard Time", "Jerusalem", "Asia/Jerusalem"},
	{"South Sudan Standard Time", "Juba", "Africa/Juba"},
	{"Kaliningrad Standard Time", "Kaliningrad", "Europe/Kaliningrad"},
	{"Sudan Standard Time", "Khartoum", "Africa/Khartoum"},
	{"Libya Standard Time", "Tripoli", "Africa/Tripoli"},
	{"Namibia Standard Time", "Windhoek", "Africa/Windhoek"},
	{"Arabic Standard Time", "Baghdad", "Asia/Baghdad"},
	{"Turkey Standard Time", "Istanbul", "Europe/Istanbul"},
	{"Arab Standard Time", "Kuwait, Riyadh", "Asia/Riyadh"},
	{"Belarus Standard Time", "Minsk", "Europe/Minsk"},
	{"Russian Standard Time", "Moscow, St. Petersburg", "Europe/Moscow"},
	{"E. Africa Standard Time", "Nairobi", "Africa/Nairobi"},
	{"Iran Standard Time", "Tehran", "Asia/Tehran"},
	{"Arabian Standard Time", "Abu Dhabi, Muscat", "Asia/Dubai"},
	{"Astrakhan Standard Time", "Astrakhan, Ulyanovsk", "Europe/Astrakhan"},
	{"Azerbaijan Standard Time", "Baku", "Asia/Baku"},
	{"Russia Time Zone 3", "Izhevsk, Samara", "Europe/Samara"},
	{"Mauritius Standard Time", "Port Louis", "Indian/Mauritius"},
	{"Saratov Standard Time", "Saratov", "Europe/Saratov"},
	{"Georgian Standard Time", "Tbilisi", "Asia/Tbilisi"},
	{"Volgograd Standard Time", "Volgograd", "Europe/Volgograd"},
	{"Caucasus Standard Time", "Yerevan", "Asia/Yerevan"},
	{"Afghanistan Standard Time", "Kabul", "Asia/Kabul"},
	{"West Asia Standard Time", "Ashgabat, Tashkent", "Asia/Tashkent"},
	{"Ekaterinburg Standard Time", "Ekaterinburg", "Asia/Yekaterinburg"},
	{"Pakistan Standard Time", "Islamabad, Karachi", "Asia/Karachi"},
	{"Qyzylorda Standard Time", "Qyzylorda", "Asia/Qyzylorda"},
	{"India Standard Time", "Chennai, Kolkata, Mumbai, New Delhi", "Asia/Kolkata"},
	{"Sri Lanka Standard Time", "Sri Jayawardenepura", "Asia/Colombo"},
	{"Nepal Standard Time", "Kathmandu", "Asia/Kathmandu"},
	{"Central Asia Standard Time", "Astana", "Asia/Bishkek"},
	{"Bangladesh Standard Time", "Dhaka", "Asia/Dhaka"},
	{"Omsk Standard Time", "Omsk", "Asia/Omsk"},
	{"Myanmar Standard Time", "Yangon (Rangoon)", "Asia/Yangon"},
	{"SE Asia Standard Time", "Bangkok, Hanoi, Jakarta", "Asia/Bangkok"},
	{"Altai Standard Time", "Barnaul, Gorno-Altaysk", "Asia/Barnaul"},
	{"W. Mongolia Standard Time", "Hovd", "Asia/Hovd"},
	{"North Asia Standard Time", "Krasnoyarsk", "Asia/Krasnoyarsk"},
	{"N. Central Asia Standard Time", "Novosibirsk", "Asia/Novosibirsk"},
	{"Tomsk Standard Time", "Tomsk", "Asia/Tomsk"},
	{"China Standard Time", "Beijing, Chongqing, Hong Kong, Urumqi", "Asia/Shanghai"},
	{"North Asia East Standard Time", "Irkutsk", "Asia/Irkutsk"},
	{"Singapore Standard Time", "Kuala Lumpur, Singapore", "Asia/Singapore"},
	{"W. Australia Standard Time", "Perth", "Australia/Perth"},
	{"Taipei Standard Time", "Taipei", "Asia/Taipei"},
	{"Ulaanbaatar Standard Time", "Ulaanbaatar", "Asia/Ulaanbaatar"},
	{"Aus Central W. Standard Time", "Eucla", "Australia/Eucla"},
	{"Transbaikal Standard Time", "Chita", "Asia/Chita"},
	{"Tokyo Standard Time", "Osaka, Sapporo, Tokyo", "Asia/Tokyo"},
	{"North Korea Standard Time", "Pyongyang", "Asia/Pyongyang"},
	{"Korea Standard Time", "Seoul", "Asia/Seoul"},
	{"Yakutsk Standard Time", "Yakutsk", "Asia/Yakutsk"},
	{"Cen. Australia Standard Time", "Adelaide", "Australia/Adelaide"},
	{"AUS Central Standard Time", "Darwin", "Australia/Darwin"},
	{"E. Australia Standard Time", "Brisbane", "Australia/Brisbane"},
	{"AUS Eastern Standard Time", "Canberra, Melbourne, Sydney", "Australia/Sydney"},
	{"West Pacific Standard Time", "Guam, Port Moresby", "Pacific/Port_Moresby"},
	{"Tasmania Standard Time", "Hobart", "Australia/Hobart"},
	{"Vladivostok Standard Time", "Vladivostok", "Asia/Vladivostok"},
	{"Lord Howe Standard Time", "Lord Howe Island", "Australia/Lord_Howe"},
	{"Bougainville Standard Time", "Bougainville Island", "Pacific/Bougainville"},
	{"Russia Time Zone 10", "Chokurdakh", "Asia/Srednekolymsk"},
	{"Magadan Standard Time", "Magadan", "Asia/Magadan"},
	{"Norfolk Standard Time", "Norfolk Island", "Pacific/Norfolk"},
	{"Sakhalin Standard Time", "Sakhalin", "Asia/Sakhalin"},
	{"Central Pacific Standard Time", "Solomon Is., New Caledonia", "Pacific/Guadalcanal"},
	{"Russia Time Zone 11", "Anadyr, Petropavlovsk-Kamchatsky", "Asia/Kamchatka"},
	{"New Zealand Standard Time", "Auckland, Wellington", "Pacific/Auckland"},
	{"UTC+12", "Coordinated Universal Time+12", "Etc/GMT-12"},
	{"Fiji Standard Time", "Fiji", "Pacific/Fiji"},
	{"Chatham Islands Standard Time", "Chatham Islands", "Pacific/Chatham"},
	{"UTC+13", "Coordinated Universal Time+13", "Etc/GMT-13"},
	{"Tonga Standard Time", "Nuku'alofa", "Pacific/Tongatapu"},
	{"Samoa Standard Time", "Samoa", "Pacific/Apia"},
	{"Line Islands Standard Time", "Kiritimati Island", "Pacific/Kiritimati"},
	// Older Windows IDs still found in stored calendars.
	{"Mexico Standard Time", "", "America/Mexico_City"},
	{"Mexico Standard Time 2", "", "America/Chihuahua"},
	{"Armenian Standard Time", "", "Asia/Yerevan"},
	{"Kamchatka Standard Time", "", "Asia/Kamchatka"},
}
