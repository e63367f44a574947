package i18n

// signIn holds the texts of sign-in with an OpenID Connect provider
// (Feide): the buttons and refusals, the booking form's signed-in
// student, the page of a student's bookings, and the admins' settings.
// "%s" is the provider's name wherever it appears.
var signIn = map[string]text{
	"signin.button":  {nb: "Logg inn med %s", en: "Sign in with %s"},
	"nav.mybookings": {nb: "Mine bookinger", en: "My bookings"},

	"signin.failed.title": {nb: "Innloggingen mislyktes", en: "Sign-in failed"},
	"signin.failed.unavailable": {
		nb: "Vi får ikke kontakt med %s akkurat nå. Prøv igjen om litt.",
		en: "We cannot reach %s right now. Please try again in a while.",
	},
	"signin.failed.refused": {
		nb: "Innloggingen med %s kunne ikke fullføres. Den kan ha tatt for lang tid, eller blitt avbrutt. Prøv igjen.",
		en: "Signing in with %s could not be completed. It may have taken too long or been cancelled. Please try again.",
	},
	"signin.failed.unverified": {
		nb: "%s har ikke bekreftet e-postadressen din, så vi kan ikke fylle den inn for deg.",
		en: "%s has not verified your e-mail address, so we cannot fill it in for you.",
	},
	"signin.failed.anonymous": {nb: "Du kan fortsatt bestille uten å logge inn.", en: "You can still book without signing in."},
	"signin.failed.back":      {nb: "Tilbake til bookingen", en: "Back to the booking"},
	"signin.failed.retry":     {nb: "Prøv å logge inn med %s igjen", en: "Try signing in with %s again"},

	"book.signin.offer": {
		nb: "Logg inn med %s, så fyller vi inn navn og e-post for deg, og du ser alle bookingene dine samlet.",
		en: "Sign in with %s and we fill in your name and e-mail address, and you see all your bookings in one place.",
	},
	"book.signin.needed": {
		nb: "Denne tjenesten krever at du logger inn med %s før du bestiller.",
		en: "This service needs you to sign in with %s before you book.",
	},
	"book.signin.required": {
		nb: "Logg inn med %s for å bestille denne veiledningen.",
		en: "Sign in with %s to book this guidance.",
	},
	"book.signin.signed":   {nb: "Du er logget inn med %s.", en: "You are signed in with %s."},
	"book.signin.readonly": {nb: "Navn og e-post kommer fra %s.", en: "Your name and e-mail address come from %s."},

	"mybookings.title":     {nb: "Mine bookinger", en: "My bookings"},
	"mybookings.intro":     {nb: "Logg inn med %s for å se bookingene du har gjort mens du var logget inn.", en: "Sign in with %s to see the bookings you made while signed in."},
	"mybookings.signedin":  {nb: "Logget inn som %s (%s) med %s.", en: "Signed in as %s (%s) with %s."},
	"mybookings.none":      {nb: "Du har ingen bookinger gjort med innlogging.", en: "You have no bookings made while signed in."},
	"mybookings.anonymous": {nb: "Bookinger gjort uten innlogging finner du med lenken i e-posten du fikk.", en: "Bookings made without signing in are found with the link in the e-mail you got."},
	"mybookings.manage":    {nb: "Se, flytt eller avbestill: %s", en: "View, move or cancel: %s"},
	"mybookings.past":      {nb: "Gjennomført", en: "Past"},
	"mybookings.signout":   {nb: "Logg ut", en: "Sign out"},

	"staff.signin.password": {nb: "Eller logg inn med passord", en: "Or sign in with a password"},
	"staff.signin.only":     {nb: "Ansatte logger inn med %s.", en: "Staff sign in with %s."},
	"staff.signin.passwordsoff": {
		nb: "Passord er slått av for nettsidene. Logg inn med %s. Kalenderapper bruker fortsatt app-passord.",
		en: "Passwords are turned off for the web pages. Sign in with %s. Calendar apps still use app passwords.",
	},
	"staff.signin.noaccount": {
		nb: "Ingen ansattkonto er knyttet til %s-brukeren din. Be en administrator om å knytte den til kontoen din.",
		en: "No staff account is linked to your %s user. Ask an administrator to link it to your account.",
	},
	"staff.signin.unavailable": {
		nb: "Vi får ikke kontakt med %s akkurat nå. Logg inn med passord, eller prøv igjen om litt.",
		en: "We cannot reach %s right now. Sign in with your password, or try again in a while.",
	},
	"staff.signin.refused": {
		nb: "Innloggingen med %s kunne ikke fullføres. Prøv igjen.",
		en: "Signing in with %s could not be completed. Please try again.",
	},

	"staff.nav.admin.signin":    {nb: "Innlogging", en: "Sign-in"},
	"staff.signin.admin.title":  {nb: "Innlogging med %s", en: "Sign-in with %s"},
	"staff.signin.admin.issuer": {nb: "Utsteder", en: "Issuer"},
	"staff.signin.admin.intro": {
		nb: "Ansatte med en konto knyttet til %s logger inn uten passord. En konto knyttes ved første innlogging når bekreftet e-post eller brukernavn (eduPersonPrincipalName) er lik kontoens, eller av en administrator på brukersiden.",
		en: "Staff whose account is linked to %s sign in without a password. An account is linked at the first sign-in when a verified e-mail address or user name (eduPersonPrincipalName) equals the account's, or by an administrator on the user's page.",
	},
	"staff.signin.admin.off": {nb: "Slå av passord for nettsidene", en: "Turn passwords off for the web pages"},
	"staff.signin.admin.off.hint": {
		nb: "Da kan ansatte bare logge inn med %s på nettsidene. Kalenderapper bruker fortsatt app-passord.",
		en: "Staff can then sign in to the web pages with %s only. Calendar apps still use app passwords.",
	},
	"staff.signin.admin.notlinked": {
		nb: "Kontoen din er ikke knyttet til %s ennå; logg inn med det én gang før du slår av passord.",
		en: "Your account is not linked to %s yet; sign in with it once before you turn passwords off.",
	},

	"staff.signin.user.title":            {nb: "Innlogging med %s", en: "Sign-in with %s"},
	"staff.signin.user.none":             {nb: "Kontoen er ikke knyttet til %s.", en: "The account is not linked to %s."},
	"staff.signin.user.linked.admin":     {nb: "Knyttet til %s av en administrator.", en: "Linked to %s by an administrator."},
	"staff.signin.user.linked.email":     {nb: "Knyttet til %s ved bekreftet e-post.", en: "Linked to %s by a verified e-mail address."},
	"staff.signin.user.linked.principal": {nb: "Knyttet til %s ved brukernavn.", en: "Linked to %s by user name."},
	"staff.signin.user.subject":          {nb: "Subjekt", en: "Subject"},
	"staff.signin.user.since":            {nb: "Knyttet", en: "Linked"},
	"staff.signin.user.unlink":           {nb: "Fjern knytningen", en: "Remove the link"},
	"staff.signin.user.relink":           {nb: "Knytt til et subjekt", en: "Link to a subject"},
	"staff.signin.user.link":             {nb: "Knytt kontoen", en: "Link the account"},
	"staff.signin.user.subject.label":    {nb: "Subjekt hos %s", en: "Subject at %s"},
	"staff.signin.user.subject.hint": {
		nb: "Brukerens varige ID hos %s (kravet «sub»; hos Feide en UUID). Erstatter en tidligere knytning.",
		en: "The user's lasting ID at %s (the \"sub\" claim; at Feide a UUID). Replaces an earlier link.",
	},
	"staff.signin.link.invalid": {nb: "Skriv inn subjektet.", en: "Enter the subject."},
	"staff.signin.link.taken":   {nb: "Subjektet er allerede knyttet til en annen konto.", en: "The subject is already linked to another account."},

	"staff.signin.service.title":   {nb: "Innlogging med %s", en: "Sign-in with %s"},
	"staff.signin.service.require": {nb: "Krev innlogging med %s for å bestille", en: "Require sign-in with %s to book"},
	"staff.signin.service.hint": {
		nb: "Studenter må logge inn med %s for å bestille i denne tjenesten; API-et tar da ikke imot bookinger for den.",
		en: "Students must sign in with %s to book in this service; the API then takes no bookings for it.",
	},

	"staff.bookings.verified": {nb: "Identitet bekreftet ved innlogging", en: "Identity verified by sign-in"},
	"error.429.title":         {nb: "For mange forsøk", en: "Too many attempts"},
	"error.429.text":          {nb: "Det har kommet for mange forespørsler fra adressen din. Vent litt og prøv igjen.", en: "Too many requests came from your address. Please wait a while and try again."},
	"error.503.title":         {nb: "Tjenesten er utilgjengelig", en: "Service unavailable"},
	"error.503.text":          {nb: "En tjeneste vi er avhengige av svarer ikke akkurat nå. Prøv igjen om litt.", en: "A service we depend on does not answer right now. Please try again in a while."},
	"api.unavailable":         {nb: "En tjeneste vi er avhengige av svarer ikke; prøv igjen senere", en: "A service we depend on does not answer; try again later"},
	"api.signin_required":     {nb: "Tjenesten krever innlogging; bestill i skjemaet", en: "The service needs sign-in; book on the form"},
}
