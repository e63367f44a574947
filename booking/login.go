package booking

// LoginClient is who attempts to sign in, over CalDAV or on the web, as
// the sign-in throttle counts them: the user name tried, the client's
// address, and the nonce of a valid device credential for that user (a
// browser's signed device cookie from an earlier sign-in), empty for an
// untrusted client.
type LoginClient struct {
	Username string
	Address  string
	Device   string
}
