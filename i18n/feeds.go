package i18n

// feeds holds the few words the drop-in feeds write themselves.
var feeds = map[string]text{
	"feed.name":       {nb: "Drop-in-veiledning", en: "Drop-in guidance"},
	"feed.name.theme": {nb: "Drop-in-veiledning: %s", en: "Drop-in guidance: %s"},
	"feed.description": {
		nb: "Drop-in-veiledning i biblioteket. Kom innom, ingen booking.",
		en: "Drop-in guidance at the library. Just come, no booking needed.",
	},
	"feed.description.theme": {
		nb: "Drop-in-veiledning i biblioteket om %s. Kom innom, ingen booking.",
		en: "Drop-in guidance at the library on %s. Just come, no booking needed.",
	},
	"feed.untitled": {nb: "Drop-in-veiledning", en: "Drop-in guidance"},
}
