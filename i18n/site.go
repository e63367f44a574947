package i18n

// site holds the student pages' texts and the JSON API's error messages.
// Format verbs take the arguments that the templates and the web's
// fieldMessage pass.
var site = map[string]text{
	"site.name":    {nb: "Veileder", en: "Veileder"},
	"site.tagline": {nb: "Bestill en bibliotekar", en: "Book a librarian"},
	"nav.skip":     {nb: "Hopp til hovedinnholdet", en: "Skip to main content"},
	"nav.language": {nb: "Språk", en: "Language"},
	"nav.home":     {nb: "Forside", en: "Home"},
	"nav.privacy":  {nb: "Personvern", en: "Privacy"},
	"lang.self":    {nb: "Norsk (bokmål)", en: "English"},
	"lang.nb":      {nb: "Norsk", en: "Norwegian"},
	"lang.en":      {nb: "Engelsk", en: "English"},
	"lang.nb.in":   {nb: "norsk", en: "Norwegian"},
	"lang.en.in":   {nb: "engelsk", en: "English"},

	"error.prefix":  {nb: "Feil: ", en: "Error: "},
	"error.summary": {nb: "Noe må rettes før du kan gå videre", en: "There is a problem"},
	"error.label":   {nb: "Feil: ", en: "Error: "},

	"filter.language": {nb: "Språk i møtet", en: "Meeting language"},
	"filter.any":      {nb: "Spiller ingen rolle", en: "No preference"},
	"filter.mode":     {nb: "Møteform", en: "How to meet"},
	"filter.campus":   {nb: "Bibliotek (valgfritt)", en: "Library (optional)"},
	"filter.campus.hint": {
		nb: "Skriv navnet på biblioteket du vil møtes på, eller la feltet stå tomt.",
		en: "Type the name of the library where you want to meet, or leave this empty.",
	},

	"mode.in-person":      {nb: "Fysisk", en: "In person"},
	"mode.online":         {nb: "Digitalt", en: "Online"},
	"mode.in-person.long": {nb: "Fysisk møte på biblioteket", en: "In person at the library"},
	"mode.online.long":    {nb: "Digitalt møte (video)", en: "Online meeting (video)"},

	"home.title": {nb: "Bestill en bibliotekar", en: "Book a librarian"},
	"home.intro": {
		nb: "Få hjelp av en fagbibliotekar med søk, kilder, referanser, verktøy og publisering. Velg hva du trenger hjelp til, så viser vi ledige tider.",
		en: "Get help from a subject librarian with searching, sources, references, tools and publishing. Choose what you need help with and we will show you free times.",
	},
	"home.help.title": {nb: "Vet du ikke hva du skal velge?", en: "Not sure what to choose?"},
	"home.help.text": {
		nb: "Bestill en generell veiledning, så finner vi riktig bibliotekar for deg.",
		en: "Book a general session and we will find the right librarian for you.",
	},
	"home.help.link": {nb: "Hjelp meg å velge", en: "Help me choose"},
	"home.topics":    {nb: "Hva trenger du hjelp til?", en: "What do you need help with?"},
	"home.other":     {nb: "Annet", en: "Other"},
	"home.filters":   {nb: "Språk, møteform og bibliotek", en: "Language, how to meet and library"},
	"home.submit":    {nb: "Vis ledige tider", en: "Show free times"},

	"topic.title":         {nb: "Ledige tider: %s", en: "Free times: %s"},
	"topic.general.title": {nb: "Hjelp meg å velge: ledige tider", en: "Help me choose: free times"},
	"topic.general.lead": {
		nb: "Velg en tid som passer deg. På neste side skriver du hva du trenger hjelp til, så møter du en bibliotekar som kan hjelpe deg med det.",
		en: "Pick a time that suits you. On the next page you tell us what you need help with, and you meet a librarian who can help you with it.",
	},
	"topic.back": {nb: "Velg et annet tema", en: "Choose another topic"},
	"topic.taken": {
		nb: "Noen bestilte akkurat den tiden. Velg en annen tid.",
		en: "Someone just booked that time. Please choose another.",
	},
	"topic.filters":        {nb: "Endre språk, møteform eller bibliotek", en: "Change language, how to meet or library"},
	"topic.filters.submit": {nb: "Oppdater", en: "Update"},
	"topic.weeks":          {nb: "Uker", en: "Weeks"},
	"topic.week":           {nb: "Uke %d: %s", en: "Week %d: %s"},
	"topic.prev":           {nb: "Forrige uke", en: "Previous week"},
	"topic.next":           {nb: "Neste uke", en: "Next week"},
	"topic.zone":           {nb: "Alle klokkeslett er lokal tid (%s).", en: "All times are local time (%s)."},
	"topic.book":           {nb: "Bestill", en: "Book"},
	"topic.none":           {nb: "Ingen ledige tider denne uken.", en: "No free times this week."},
	"topic.none.hint": {
		nb: "Prøv en annen uke, eller velg et annet språk, en annen møteform eller et annet bibliotek.",
		en: "Try another week, or choose another language, way to meet or library.",
	},

	"book.title": {nb: "Bestill time", en: "Book a time"},
	"book.alternatives": {
		nb: "Velg en av de nærmeste ledige tidene – det du har skrevet, er tatt vare på",
		en: "Choose one of the nearest free times – what you typed is kept",
	},
	"book.back":   {nb: "Velg en annen tid", en: "Choose another time"},
	"book.submit": {nb: "Bekreft bestillingen", en: "Confirm booking"},
	"book.rate": {
		nb: "Det er sendt uvanlig mange bestillinger fra nettverket ditt den siste timen. Prøv igjen om %d minutter, eller kontakt biblioteket, så bestiller vi for deg.",
		en: "Unusually many bookings have come from your network in the last hour. Try again in %d minutes, or contact the library and we will book for you.",
	},
	"book.rate.email": {
		nb: "Det er forsøkt for mange bestillinger med denne e-postadressen den siste timen. Prøv igjen om %d minutter.",
		en: "Too many bookings have been tried with this email address in the last hour. Try again in %d minutes.",
	},
	"book.refused": {
		nb: "Vi kunne ikke ta imot skjemaet. Prøv igjen.",
		en: "We could not accept the form. Please try again.",
	},
	"book.limit": {
		nb: "Du har allerede så mange aktive bestillinger som er lov. Avbestill en av dem, eller vent til etter møtet ditt.",
		en: "You already have as many active bookings as allowed. Cancel one of them, or wait until after your meeting.",
	},

	"booking.topic":     {nb: "Tema", en: "Topic"},
	"booking.time":      {nb: "Tid", en: "Time"},
	"booking.mode":      {nb: "Møteform", en: "How to meet"},
	"booking.place":     {nb: "Sted", en: "Place"},
	"booking.librarian": {nb: "Bibliotekar", en: "Librarian"},
	"booking.status":    {nb: "Status", en: "Status"},
	"booking.join":      {nb: "Bli med i møtet", en: "Join the meeting"},

	"field.name":       {nb: "Navn", en: "Name"},
	"field.email":      {nb: "E-postadresse", en: "Email address"},
	"field.email.hint": {nb: "Vi sender bekreftelsen hit.", en: "We will send the confirmation here."},
	"field.question":   {nb: "Hva vil du ha hjelp til? (valgfritt)", en: "What would you like help with? (optional)"},
	"field.question.hint": {
		nb: "Skriv gjerne litt om oppgaven din, så kan bibliotekaren forberede seg. Høyst %d tegn.",
		en: "Tell us a little about your assignment so the librarian can prepare. At most %d characters.",
	},
	"field.question.general": {nb: "Hva trenger du hjelp til?", en: "What do you need help with?"},
	"field.question.general.hint": {
		nb: "Beskriv oppgaven eller problemet med noen setninger: faget, hva du skal skrive eller finne, og hva du har prøvd. Bibliotekaren leser det før møtet. Høyst %d tegn.",
		en: "Describe your assignment or problem in a few sentences: the subject, what you are writing or looking for, and what you have tried. The librarian reads it before the meeting. At most %d characters.",
	},
	"field.question.required": {
		nb: "Skriv hva du trenger hjelp til, så vet bibliotekaren hva møtet gjelder",
		en: "Tell us what you need help with, so that the librarian knows what the meeting is about",
	},
	"field.optional":        {nb: "(valgfritt)", en: "(optional)"},
	"intake.yes":            {nb: "Ja", en: "Yes"},
	"intake.no":             {nb: "Nei", en: "No"},
	"intake.choose":         {nb: "Velg", en: "Choose"},
	"intake.error.required": {nb: "Svar på «%s»", en: "Answer “%s”"},
	"intake.error.choose":   {nb: "Velg et svar på «%s»", en: "Choose an answer to “%s”"},
	"intake.error.too_long": {nb: "Svaret på «%s» kan være høyst %d tegn", en: "Your answer to “%s” must be %d characters or fewer"},
	"intake.error.invalid": {
		nb: "Svaret på «%s» inneholder tegn vi ikke kan ta imot",
		en: "Your answer to “%s” contains characters we cannot accept",
	},
	"book.general.need": {nb: "Hva du trenger", en: "What you need"},
	"book.general.you":  {nb: "Om deg", en: "About you"},
	"booking.question":  {nb: "Spørsmålet ditt", en: "Your question"},
	"booking.general.new": {
		nb: "Vi har gitt beskrivelsen din til %s, som forbereder seg til møtet.",
		en: "We have passed your description on to %s, who will prepare for the meeting.",
	},
	"booking.general.new.anyone": {
		nb: "Vi har gitt beskrivelsen din til bibliotekaren, som forbereder seg til møtet.",
		en: "We have passed your description on to the librarian, who will prepare for the meeting.",
	},
	"field.level":          {nb: "Studienivå (valgfritt)", en: "Study level (optional)"},
	"field.programme":      {nb: "Studieprogram (valgfritt)", en: "Study programme (optional)"},
	"field.programme.hint": {nb: "For eksempel «Master i historie».", en: "For example “Master in History”."},
	"field.language":       {nb: "Språk i møtet", en: "Meeting language"},
	"field.language.only":  {nb: "Møtet holdes på %s.", en: "The meeting is held in %s."},
	"field.consent": {
		nb: "Jeg samtykker i at opplysningene mine brukes til å avtale og gjennomføre møtet.",
		en: "I agree that my details are used to arrange and hold the meeting.",
	},
	"field.consent.hint": {
		nb: "Opplysningene slettes 90 dager etter møtet.",
		en: "Your details are deleted 90 days after the meeting.",
	},
	"field.consent.link": {
		nb: "Les personvernerklæringen (åpnes i ny fane)",
		en: "Read the privacy notice (opens in a new tab)",
	},
	"field.honeypot":       {nb: "La dette feltet stå tomt", en: "Leave this field empty"},
	"level.none":           {nb: "Vil ikke oppgi", en: "Prefer not to say"},
	"level.bachelor":       {nb: "Bachelor", en: "Bachelor’s"},
	"level.master":         {nb: "Master", en: "Master’s"},
	"level.phd":            {nb: "Ph.d.", en: "PhD"},
	"level.staff":          {nb: "Ansatt", en: "Staff"},
	"level.other":          {nb: "Annet", en: "Other"},
	"field.required":       {nb: "Fyll ut feltet", en: "Fill in this field"},
	"field.invalid":        {nb: "Sjekk det du har skrevet", en: "Check what you typed"},
	"field.too_long":       {nb: "Teksten er for lang", en: "The text is too long"},
	"field.name.required":  {nb: "Skriv navnet ditt", en: "Enter your name"},
	"field.name.too_long":  {nb: "Navnet kan være høyst %d tegn", en: "Your name must be %d characters or fewer"},
	"field.email.required": {nb: "Skriv e-postadressen din", en: "Enter your email address"},
	"field.email.invalid": {
		nb: "Skriv en gyldig e-postadresse, for eksempel navn@example.com",
		en: "Enter a valid email address, like name@example.com",
	},
	"field.email.too_long": {
		nb: "E-postadressen kan være høyst %d tegn",
		en: "Your email address must be %d characters or fewer",
	},
	"field.question.too_long": {
		nb: "Spørsmålet kan være høyst %d tegn",
		en: "Your question must be %d characters or fewer",
	},
	"field.question.invalid": {
		nb: "Teksten inneholder tegn vi ikke kan ta imot",
		en: "The text contains characters we cannot accept",
	},
	"field.programme.too_long": {
		nb: "Studieprogrammet kan være høyst %d tegn",
		en: "Your study programme must be %d characters or fewer",
	},
	"field.level.invalid":     {nb: "Velg et studienivå fra listen", en: "Choose a study level from the list"},
	"field.language.required": {nb: "Velg språk for møtet", en: "Choose the meeting language"},
	"field.language.invalid": {
		nb: "Velg norsk eller engelsk som språk for møtet",
		en: "Choose Norwegian or English as the meeting language",
	},
	"field.consent.required": {nb: "Du må samtykke for å kunne bestille", en: "You must agree to book"},
	"field.start.required":   {nb: "Velg en tid", en: "Choose a time"},
	"field.start.invalid": {
		nb: "Den tiden kan ikke bestilles. Velg en annen tid.",
		en: "That time cannot be booked. Choose another time.",
	},
	"field.start.past": {
		nb: "Den tiden har allerede vært. Velg en av de ledige tidene.",
		en: "That time has already passed. Choose one of the free times.",
	},
	"field.start.too_soon": {
		nb: "Den tiden er nå for nær til å bestilles. Velg en senere tid.",
		en: "That time is now too soon to book. Choose a later time.",
	},
	"field.start.too_far": {
		nb: "Den tiden er for langt fram til å bestilles ennå. Velg en tidligere tid.",
		en: "That time is too far ahead to book yet. Choose an earlier time.",
	},
	"field.start.off_grid": {
		nb: "Det er ingen bestillbar tid på det klokkeslettet. Velg en av de ledige tidene.",
		en: "No bookable time starts then. Choose one of the free times.",
	},
	"field.study_level.invalid": {nb: "Velg et studienivå fra listen", en: "Choose a study level from the list"},
	"field.campus.invalid":      {nb: "Biblioteknavnet kan ikke leses som tekst", en: "The library name is not readable text"},
	"field.topic.required":      {nb: "Velg hva du trenger hjelp til", en: "Choose what you need help with"},
	"field.topic.invalid":       {nb: "Velg et tema fra listen", en: "Choose a topic from the list"},
	"field.mode.invalid": {
		nb: "Møteformen må være «in-person», «online» eller «any»",
		en: "The mode must be “in-person”, “online” or “any”",
	},
	"field.from.invalid": {nb: "Starttiden må være en RFC 3339-tid", en: "The start must be an RFC 3339 time"},
	"field.to.invalid": {
		nb: "Sluttiden må være en RFC 3339-tid etter starttiden",
		en: "The end must be an RFC 3339 time after the start",
	},
	"field.locale.invalid": {nb: "Språket må være «nb» eller «en»", en: "The locale must be “nb” or “en”"},
	"field.campus.too_long": {
		nb: "Biblioteknavnet kan være høyst %d tegn",
		en: "The library name must be %d characters or fewer",
	},

	"booking.title":           {nb: "Din bestilling", en: "Your booking"},
	"booking.title.new":       {nb: "Bestillingen er bekreftet", en: "Your booking is confirmed"},
	"booking.new.text":        {nb: "Du får også en bekreftelse på e-post.", en: "You will also get a confirmation by email."},
	"booking.title.cancelled": {nb: "Bestillingen er avbestilt", en: "Your booking is cancelled"},
	"booking.cancelled.text": {
		nb: "Tiden er gitt fri, og bibliotekaren har fått beskjed.",
		en: "The time is free again and the librarian has been told.",
	},
	"booking.keep": {
		nb: "Ta vare på adressen til denne siden (for eksempel som bokmerke). Her kan du se, laste ned eller avbestille timen.",
		en: "Keep the address of this page (for example as a bookmark). Here you can view, download or cancel your booking.",
	},
	"booking.past":               {nb: "Møtet er over.", en: "This meeting has passed."},
	"booking.ics":                {nb: "Last ned til kalenderen", en: "Download to calendar"},
	"booking.cancel":             {nb: "Avbestill timen", en: "Cancel booking"},
	"booking.another":            {nb: "Bestill en annen tid", en: "Book another time"},
	"status.confirmed":           {nb: "Bekreftet", en: "Confirmed"},
	"status.cancelled":           {nb: "Avbestilt", en: "Cancelled"},
	"status.cancelled.student":   {nb: "Avbestilt av deg", en: "Cancelled by you"},
	"status.cancelled.librarian": {nb: "Avlyst av bibliotekaren", en: "Cancelled by the librarian"},
	"status.cancelled.library":   {nb: "Avlyst av biblioteket", en: "Cancelled by the library"},

	"cancel.title": {nb: "Vil du avbestille timen?", en: "Cancel this booking?"},
	"cancel.text": {
		nb: "Tiden blir ledig for andre, og bibliotekaren får beskjed. Du kan ikke angre.",
		en: "The time becomes free for others and the librarian is told. This cannot be undone.",
	},
	"cancel.confirm": {nb: "Ja, avbestill", en: "Yes, cancel"},
	"cancel.keep":    {nb: "Nei, behold timen", en: "No, keep it"},

	"privacy.title": {nb: "Personvern", en: "Privacy"},
	"privacy.intro": {
		nb: "Biblioteket behandler opplysningene du gir når du bestiller veiledning, etter personvernforordningen (GDPR).",
		en: "The library processes the details you give when you book guidance under the General Data Protection Regulation (GDPR).",
	},
	"privacy.what.title": {nb: "Hva vi lagrer", en: "What we store"},
	"privacy.what": {
		nb: "Navn, e-postadresse, spørsmålet ditt, studienivå og studieprogram hvis du oppgir dem, og tid, tema og møteform for bestillingen.",
		en: "Your name, email address, your question, your study level and programme if you give them, and the time, topic and way of meeting you booked.",
	},
	"privacy.use.title": {nb: "Hva vi bruker det til", en: "What we use it for"},
	"privacy.use": {
		nb: "Opplysningene brukes bare til å avtale og gjennomføre møtet: bibliotekaren du møter ser dem, og du får bekreftelse og påminnelse på e-post. Vi lager anonym statistikk over hva studenter spør om, uten navn eller e-postadresse.",
		en: "Your details are used only to arrange and hold the meeting: the librarian you meet sees them, and you get a confirmation and a reminder by email. We keep anonymous statistics of what students ask about, without names or email addresses.",
	},
	"privacy.keep.title": {nb: "Hvor lenge vi lagrer det", en: "How long we keep it"},
	"privacy.keep": {
		nb: "Personopplysningene slettes 90 dager etter møtet. Statistikken inneholder ingen personopplysninger og beholdes.",
		en: "Your personal data is deleted 90 days after the meeting. The statistics hold no personal data and are kept.",
	},
	"privacy.rights.title": {nb: "Dine rettigheter", en: "Your rights"},
	"privacy.rights": {
		nb: "Du kan avbestille når som helst fra lenken i bekreftelsen. Du kan be biblioteket om innsyn, retting eller sletting av opplysningene dine.",
		en: "You can cancel at any time from the link in your confirmation. You can ask the library to see, correct or delete your data.",
	},
	"privacy.cookies.title": {nb: "Informasjonskapsler", en: "Cookies"},
	"privacy.cookies": {
		nb: "Vi bruker bare to nødvendige informasjonskapsler: én som husker språket du har valgt, og én som beskytter skjemaene mot forfalskning. Vi bruker ingen sporing.",
		en: "We use only two necessary cookies: one remembers the language you chose, and one protects the forms against forgery. We use no tracking.",
	},

	"error.400.title": {nb: "Ugyldig forespørsel", en: "Bad request"},
	"error.400.text": {
		nb: "Vi forsto ikke forespørselen. Gå tilbake og prøv igjen.",
		en: "We did not understand the request. Go back and try again.",
	},
	"error.403.title": {nb: "Skjemaet er utløpt", en: "The form has expired"},
	"error.403.text": {
		nb: "Av sikkerhetshensyn kunne vi ikke ta imot skjemaet. Gå tilbake, last inn siden på nytt og prøv igjen. Informasjonskapsler må være slått på.",
		en: "For your security we could not accept the form. Go back, reload the page and try again. Cookies must be enabled.",
	},
	"error.404.title": {nb: "Fant ikke siden", en: "Page not found"},
	"error.404.text": {
		nb: "Sjekk at adressen er riktig. En lenke til en bestilling virker bare nøyaktig slik du fikk den.",
		en: "Check that the address is right. A booking link only works exactly as you got it.",
	},
	"error.409.title": {nb: "Bestillingen kan ikke endres", en: "The booking cannot be changed"},
	"error.409.text": {
		nb: "Bestillingen kan ikke endres nå, for eksempel fordi den allerede er avbestilt.",
		en: "The booking cannot be changed now, for example because it is already cancelled.",
	},
	"error.500.title": {nb: "Noe gikk galt", en: "Something went wrong"},
	"error.500.text": {
		nb: "Prøv igjen om litt. Hvis feilen ikke går over, kontakt biblioteket.",
		en: "Please try again shortly. If the problem continues, contact the library.",
	},
	"error.home": {nb: "Gå til forsiden", en: "Go to the front page"},

	"api.not_found":  {nb: "Fant ikke det du ba om", en: "Not found"},
	"api.slot_taken": {nb: "Tiden er ikke ledig lenger", en: "The time is no longer free"},
	"api.limit_reached": {
		nb: "Du har allerede så mange aktive bestillinger som er lov",
		en: "You already have as many active bookings as allowed",
	},
	"api.conflict": {nb: "Endringen kolliderer med det som er lagret", en: "The change conflicts with what is stored"},
	"api.invalid":  {nb: "Forespørselen er ugyldig", en: "The request is invalid"},
	"api.required": {nb: "Et påkrevd felt mangler", en: "A required field is missing"},
	"api.bad_request": {
		nb: "Forespørselen kunne ikke leses som JSON med de kjente feltene",
		en: "The request body is not JSON with the known fields",
	},
	"api.unsupported_media_type": {nb: "Innholdet må være application/json", en: "The body must be application/json"},
	"api.rate_limited": {
		nb: "For mange bestillingsforsøk fra denne adressen eller med denne e-postadressen; prøv igjen etter Retry-After",
		en: "Too many booking attempts from this address or with this email address; try again after Retry-After",
	},
	"api.too_large": {nb: "Forespørselen er for stor", en: "The request is too large"},
	"api.internal":  {nb: "Noe gikk galt", en: "Something went wrong"},
}
