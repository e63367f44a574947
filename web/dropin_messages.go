package web

import "fmt"

// dropinMessages are the drop-in pages' texts (dropin.go). They live apart
// from messages.go, as the staff pages' do; init adds them to messages,
// and refuses a key both define.
var dropinMessages = map[string]map[string]string{
	"nb": {
		"dropin.title":            "Drop-in-veiledning",
		"dropin.title.theme":      "Drop-in: %s",
		"dropin.intro":            "Kom innom og få hjelp av en bibliotekar, uten å bestille time. Hver økt har et tema, men du kan spørre om det du trenger.",
		"dropin.themes":           "Temaer",
		"dropin.themes.all":       "Alle temaer",
		"dropin.upcoming":         "Kommende økter",
		"dropin.upcoming.weeks":   "De neste %d ukene. Alle klokkeslett er lokal tid (%s).",
		"dropin.none":             "Ingen drop-in-økter er planlagt de neste ukene. Abonner på kalenderen, så får du nye økter når de blir lagt ut.",
		"dropin.none.theme":       "Ingen økter om dette temaet er planlagt de neste ukene. Abonner på kalenderen, så får du nye økter når de blir lagt ut.",
		"dropin.allday":           "Hele dagen",
		"dropin.allday.until":     "Hele dagen, til og med %s",
		"dropin.cancelled":        "Avlyst",
		"dropin.place":            "Sted",
		"dropin.session.themes":   "Tema",
		"dropin.more":             "Mer informasjon",
		"dropin.download":         "Legg til i kalenderen (.ics)",
		"dropin.download.series":  "Alle øktene i serien (.ics)",
		"dropin.untitled":         "Drop-in-veiledning",
		"dropin.subscribe":        "Abonner på kalenderen",
		"dropin.subscribe.all":    "Få alle drop-in-øktene inn i kalenderen din. Nye økter og endringer kommer av seg selv.",
		"dropin.subscribe.theme":  "Få øktene om %s inn i kalenderen din. Nye økter og endringer kommer av seg selv.",
		"dropin.subscribe.webcal": "Abonner i kalenderappen",
		"dropin.subscribe.google": "Legg til i Google Kalender",
		"dropin.subscribe.url":    "Eller kopier adressen og legg den til som kalenderabonnement i appen din:",
		"dropin.subscribe.hint":   "Velg et tema over for å abonnere bare på det.",
		"dropin.embed":            "Vis drop-in-øktene på egne nettsider",
		"dropin.embed.text":       "Lim inn koden på en nettside for å vise de neste øktene. Listen oppdaterer seg selv.",
		"dropin.embed.code":       "Kode til nettsiden",
		"dropin.embed.preview":    "Se hvordan listen ser ut",
		"dropin.widget.title":     "Kommende drop-in-økter",
		"dropin.widget.all":       "Se alle økter",
		"dropin.widget.newtab":    "åpnes i ny fane",
		"dropin.widget.none":      "Ingen økter er planlagt de neste ukene.",

		// The links to the drop-in page in the site's header and on the
		// home page.
		"nav.main":          "Hovedmeny",
		"nav.dropin":        "Drop-in-veiledning",
		"home.dropin.title": "Uten timebestilling",
		"home.dropin.text":  "Du kan også komme innom en drop-in-økt og få hjelp av en bibliotekar uten å bestille time.",
	},
	"en": {
		"dropin.title":            "Drop-in guidance",
		"dropin.title.theme":      "Drop-in: %s",
		"dropin.intro":            "Drop by and get help from a librarian, no booking needed. Each session has a theme, but you can ask about what you need.",
		"dropin.themes":           "Themes",
		"dropin.themes.all":       "All themes",
		"dropin.upcoming":         "Upcoming sessions",
		"dropin.upcoming.weeks":   "The next %d weeks. All times are local time (%s).",
		"dropin.none":             "No drop-in sessions are planned in the coming weeks. Subscribe to the calendar to get new sessions as they are announced.",
		"dropin.none.theme":       "No sessions on this theme are planned in the coming weeks. Subscribe to the calendar to get new sessions as they are announced.",
		"dropin.allday":           "All day",
		"dropin.allday.until":     "All day, until %s",
		"dropin.cancelled":        "Cancelled",
		"dropin.place":            "Place",
		"dropin.session.themes":   "Theme",
		"dropin.more":             "More information",
		"dropin.download":         "Add to calendar (.ics)",
		"dropin.download.series":  "All sessions in the series (.ics)",
		"dropin.untitled":         "Drop-in guidance",
		"dropin.subscribe":        "Subscribe to the calendar",
		"dropin.subscribe.all":    "Get all drop-in sessions in your calendar. New sessions and changes arrive by themselves.",
		"dropin.subscribe.theme":  "Get the sessions on %s in your calendar. New sessions and changes arrive by themselves.",
		"dropin.subscribe.webcal": "Subscribe in your calendar app",
		"dropin.subscribe.google": "Add to Google Calendar",
		"dropin.subscribe.url":    "Or copy the address and add it as a calendar subscription in your app:",
		"dropin.subscribe.hint":   "Choose a theme above to subscribe to that theme only.",
		"dropin.embed":            "Show the drop-in sessions on your own web pages",
		"dropin.embed.text":       "Paste the code into a web page to show the next sessions. The list updates by itself.",
		"dropin.embed.code":       "Code for the web page",
		"dropin.embed.preview":    "See what the list looks like",
		"dropin.widget.title":     "Upcoming drop-in sessions",
		"dropin.widget.all":       "See all sessions",
		"dropin.widget.newtab":    "opens in a new tab",
		"dropin.widget.none":      "No sessions are planned in the coming weeks.",

		"nav.main":          "Main menu",
		"nav.dropin":        "Drop-in sessions",
		"home.dropin.title": "No booking needed",
		"home.dropin.text":  "You can also drop by a drop-in session and get help from a librarian without booking.",
	},
}

func init() {
	for lang, m := range dropinMessages {
		for k, v := range m {
			if _, dup := messages[lang][k]; dup {
				panic(fmt.Sprintf("web: message %q is defined twice", k))
			}
			messages[lang][k] = v
		}
	}
}
