package i18n

// dropIn holds the texts of the drop-in page and its widget.
var dropIn = map[string]text{
	"dropin.title":       {nb: "Drop-in-veiledning", en: "Drop-in guidance"},
	"dropin.title.theme": {nb: "Drop-in: %s", en: "Drop-in: %s"},
	"dropin.intro": {
		nb: "Kom innom og få hjelp av en bibliotekar, uten booking. Hver økt har et tema, men du kan spørre om det du trenger.",
		en: "Drop by and get help from a librarian, no booking needed. Each session has a theme, but you can ask about what you need.",
	},
	"dropin.themes":     {nb: "Temaer", en: "Themes"},
	"dropin.themes.all": {nb: "Alle temaer", en: "All themes"},
	"dropin.upcoming":   {nb: "Kommende økter", en: "Upcoming sessions"},
	"dropin.upcoming.weeks": {
		nb: "De neste %d ukene. Alle klokkeslett er lokal tid (%s).",
		en: "The next %d weeks. All times are local time (%s).",
	},
	"dropin.none": {
		nb: "Ingen drop-in-økter er planlagt de neste ukene. Abonner på kalenderen, så får du nye økter når de blir lagt ut.",
		en: "No drop-in sessions are planned in the coming weeks. Subscribe to the calendar to get new sessions as they are announced.",
	},
	"dropin.none.theme": {
		nb: "Ingen økter om dette temaet er planlagt de neste ukene. Abonner på kalenderen, så får du nye økter når de blir lagt ut.",
		en: "No sessions on this theme are planned in the coming weeks. Subscribe to the calendar to get new sessions as they are announced.",
	},
	"dropin.allday":          {nb: "Hele dagen", en: "All day"},
	"dropin.allday.until":    {nb: "Hele dagen, til og med %s", en: "All day, until %s"},
	"dropin.cancelled":       {nb: "Avlyst", en: "Cancelled"},
	"dropin.place":           {nb: "Sted", en: "Place"},
	"dropin.session.themes":  {nb: "Tema", en: "Theme"},
	"dropin.more":            {nb: "Mer informasjon", en: "More information"},
	"dropin.download":        {nb: "Legg til i kalenderen (.ics)", en: "Add to calendar (.ics)"},
	"dropin.download.series": {nb: "Alle øktene i serien (.ics)", en: "All sessions in the series (.ics)"},
	"dropin.untitled":        {nb: "Drop-in-veiledning", en: "Drop-in guidance"},
	"dropin.subscribe":       {nb: "Abonner på kalenderen", en: "Subscribe to the calendar"},
	"dropin.subscribe.all": {
		nb: "Få alle drop-in-øktene inn i kalenderen din. Nye økter og endringer kommer av seg selv.",
		en: "Get all drop-in sessions in your calendar. New sessions and changes arrive by themselves.",
	},
	"dropin.subscribe.theme": {
		nb: "Få øktene om %s inn i kalenderen din. Nye økter og endringer kommer av seg selv.",
		en: "Get the sessions on %s in your calendar. New sessions and changes arrive by themselves.",
	},
	"dropin.subscribe.webcal": {nb: "Abonner i kalenderappen", en: "Subscribe in your calendar app"},
	"dropin.subscribe.google": {nb: "Legg til i Google Kalender", en: "Add to Google Calendar"},
	"dropin.subscribe.url": {
		nb: "Eller kopier adressen og legg den til som kalenderabonnement i appen din:",
		en: "Or copy the address and add it as a calendar subscription in your app:",
	},
	"dropin.subscribe.hint": {
		nb: "Velg et tema over for å abonnere bare på det.",
		en: "Choose a theme above to subscribe to that theme only.",
	},
	"dropin.embed": {nb: "Vis drop-in-øktene på egne nettsider", en: "Show the drop-in sessions on your own web pages"},
	"dropin.embed.text": {
		nb: "Lim inn koden på en nettside for å vise de neste øktene. Listen oppdaterer seg selv.",
		en: "Paste the code into a web page to show the next sessions. The list updates by itself.",
	},
	"dropin.embed.code":    {nb: "Kode til nettsiden", en: "Code for the web page"},
	"dropin.embed.preview": {nb: "Se hvordan listen ser ut", en: "See what the list looks like"},
	"dropin.widget.title":  {nb: "Kommende drop-in-økter", en: "Upcoming drop-in sessions"},
	"dropin.widget.all":    {nb: "Se alle økter", en: "See all sessions"},
	"dropin.widget.newtab": {nb: "åpnes i ny fane", en: "opens in a new tab"},
	"dropin.widget.none": {
		nb: "Ingen økter er planlagt de neste ukene.",
		en: "No sessions are planned in the coming weeks.",
	},

	// The links to the drop-in page in the site's header and on the
	// home page.
	"nav.main":          {nb: "Hovedmeny", en: "Main menu"},
	"nav.dropin":        {nb: "Drop-in-veiledning", en: "Drop-in sessions"},
	"home.dropin.title": {nb: "Uten booking", en: "No booking needed"},
	"home.dropin.text": {
		nb: "Du kan også komme innom en drop-in-økt og få hjelp av en bibliotekar uten booking.",
		en: "You can also drop by a drop-in session and get help from a librarian without booking.",
	},
}
