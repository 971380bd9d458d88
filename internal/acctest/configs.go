package acctest

import (
	"fmt"
	"strings"
)

// TokenReads declares dataSources token data sources (d0, d1, ...) and
// ephemerals ephemeral tokens (e0, e1, ...), with a terraform_data resource
// "use" that refers to every one of them: the data sources through its
// input, the ephemeral tokens through a local-exec provisioner's
// environment, so that a plan reads and opens them all (a provisioner runs
// only on apply, but its references are evaluated in the plan). The input
// holds each token's type, which no new token changes, so the plan after an
// apply is empty. The terraform and provider blocks are the caller's.
func TokenReads(dataSources, ephemerals int) string {
	var b strings.Builder
	for i := range dataSources {
		fmt.Fprintf(&b, "data \"servicetitan_auth_token\" \"d%d\" {}\n", i)
	}
	for i := range ephemerals {
		fmt.Fprintf(&b, "ephemeral \"servicetitan_auth_token\" \"e%d\" {}\n", i)
	}
	b.WriteString("\nresource \"terraform_data\" \"use\" {\n")
	b.WriteString("  input = [" + refs("data.servicetitan_auth_token.d%d.token_type", dataSources) + "]\n")
	if ephemerals > 0 {
		b.WriteString(`
  provisioner "local-exec" {
    command     = "test -n \"$TOKENS\""
    environment = { TOKENS = join(",", [` + refs("ephemeral.servicetitan_auth_token.e%d.token_type", ephemerals) + `]) }
  }
`)
	}
	b.WriteString("}\n")
	return b.String()
}

// refs lists n references made from format, such as
// "data.servicetitan_auth_token.d%d", separated by commas.
func refs(format string, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(format, i)
	}
	return strings.Join(parts, ", ")
}
