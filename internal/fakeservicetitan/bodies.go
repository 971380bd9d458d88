package fakeservicetitan

// Ready-made bodies for faults that real deployments produce: a proxy error
// page where JSON was expected, a response cut off mid-stream, and a
// well-formed response that lacks the one field that matters.

// HTMLBody is the kind of page a reverse proxy returns when the identity
// server behind it is down. Serve it with ContentType "text/html" to mimic
// the proxy, or with the JSON default to mimic a mislabelled response.
const HTMLBody = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`

// MissingAccessTokenBody is valid JSON in the token-response shape, minus
// access_token.
const MissingAccessTokenBody = `{"token_type":"Bearer","expires_in":900}`

// sampleTokenResponse looks like a real token response; its JWT is not
// signed by any Server and only exists to be cut short.
const sampleTokenResponse = `{"access_token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.` +
	`eyJleHAiOjE3MDAwMDA5MDAsImlhdCI6MTcwMDAwMDAwMCwiY2xpZW50X2lkIjoiZGVtby1jbGllbnQtaWQiLCJ0ZW5hbnQiOiIxMjM0Iiwic2NvcGUiOlsidG4uanBtLmpvYnM6ciJdLCJqdGkiOiJzYW1wbGUifQ.` +
	`c2FtcGxlLXNpZ25hdHVyZS1ub3QtdmFsaWQ","expires_in":900,"token_type":"Bearer","scope":"tn.jpm.jobs:r tn.crm.customers:r"}`

// TruncatedJSON is a successful-looking token response cut off in the middle
// of the access token, as when a connection drops mid-body behind a proxy
// that already sent a 200.
func TruncatedJSON() string {
	return sampleTokenResponse[:len(sampleTokenResponse)/2]
}
