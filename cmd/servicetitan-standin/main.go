// Command servicetitan-standin runs a stand-in ServiceTitan on a loopback
// port, so that Terraform and OpenTofu configurations using the
// servicetitan provider (its ephemeral token included) can be tested
// offline. Run it with -h for its flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

const name = "servicetitan-standin"

// version is set by the release build (-ldflags "-X main.version=...");
// `go install ...@vX.Y.Z` leaves it alone and records the module version
// instead, which versionString reads.
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		// Errors from the package already carry its name.
		fmt.Fprintln(os.Stderr, name+":", strings.TrimPrefix(err.Error(), "fakeservicetitan: "))
		os.Exit(1)
	}
}

// errUsage marks errors the flag package has already explained.
var errUsage = errors.New("usage error")

const usageHead = `Usage: servicetitan-standin [flags]

Runs a stand-in ServiceTitan on a loopback port, for testing Terraform and
OpenTofu configurations that use the servicetitan provider without network
access or real credentials. It serves

  POST /connect/token                       the token endpoint: client
                                            credentials, JWT-shaped tokens
  GET  /{folder}/{version}/tenant/{tenant}/{path}
                                            every GET operation ServiceTitan
                                            publishes, answered by its kind:
    lists    {"page","pageSize","hasMore","totalCount","data":[...]}: page,
             pageSize (default 50, at most 5000 or the operation's lower cap;
             more is a 400), includeTotal; e.g. /jpm/v2/tenant/{tenant}/jobs,
             /crm/v2/tenant/{tenant}/customers,
             /settings/v2/tenant/{tenant}/business-units,
             /jpm/v2/tenant/{tenant}/job-types
    exports  {"data":[...],"hasMore","continueFrom"}: from (a continueFrom
             token or a date), batches of -export-batch, e.g.
             /jpm/v2/tenant/{tenant}/export/jobs,
             /crm/v2/tenant/{tenant}/export/customers
    arrays   a bare JSON array, or {"data":[...]} unpaged
    objects  one record; a path ending in an id answers that record, or 404
    files    (attachments, recordings, images) 200 with an empty body
  POST /dispatch/v2/tenant/{tenant}/capacity  one record
  POST /reporting/v2/tenant/{tenant}/report-category/{category}/reports/{id}/data
                                            report data: {"parameters":[...]}
                                            in, fields and rows out; page,
                                            pageSize (default 1000, at most
                                            25000); From and To narrow the rows
                                            by their Date; -report-runs runs of
                                            one report per -report-window per
                                            tenant, then 429 with Retry-After

on one base URL, which is both the auth root and the API root. Records are
synthetic and the same on every run; they carry the fields their operation's
filters name, and these filters narrow them: ids, active (True, False, Any),
createdOnOrAfter, createdBefore, modifiedOnOrAfter, modifiedBefore, and ...Id
equality such as businessUnitId. Query names match in any case; a parameter
the operation does not define is ignored, as at ServiceTitan, so a misspelt
filter returns everything. Records change between export reads with
-export-changes or the changes control route below.

The API routes check Authorization and ST-App-Key like ServiceTitan's gateway
and answer errors as problem details; each tenant may make -api-rate-limit
requests per second, beyond which it gets 429 with Retry-After.

It prints the base URL as the first and only line of standard output, logs
one line per request to standard error (or to -log FILE; -quiet for none;
never a credential or token), and stops on SIGINT or SIGTERM.

Examples:

  # Start it in the background and point the provider at it (bash):
  exec 3< <(servicetitan-standin)
  read -r url <&3
  export SERVICETITAN_AUTH_ROOT_URL=$url SERVICETITAN_API_ROOT_URL=$url
  export SERVICETITAN_CLIENT_ID=demo-client-id SERVICETITAN_CLIENT_SECRET=demo-client-secret
  export SERVICETITAN_APP_KEY=demo-app-key SERVICETITAN_TENANT_ID=1234

  # A throttled identity server: every token request gets 429, Retry-After 3600.
  servicetitan-standin -fault 429:retry-after=3600,times=always

  # Two 503s, then a proxy's HTML error page, then normal answers.
  servicetitan-standin -fault 503:retry-after=1,times=2 -fault 502:body=html

  # Your own test credentials, an Enterprise Hub app and short-lived tokens.
  servicetitan-standin -client-id ci-client -client-secret ci-secret \
    -tenant 5678 -enterprise-hub -app-key ci-app-key -token-lifetime 2m

  # Beside the demo app, one for tenant 5001 and an Enterprise Hub app with
  # its own app key for tenants 7001 and 7002.
  servicetitan-standin -client north:north-secret:5001 \
    -client hub:hub-secret:7001:hub-app-key:hub=7002

  # 12,345 synthetic jobs, exported 500 at a time; API answers 100ms late,
  # the first two with 503.
  servicetitan-standin -jobs 12345 -export-batch 500 -api-latency 100ms \
    -api-fault 503:retry-after=1,times=2

  # 60 records of each collection change a minute; a report may run 5 times
  # in 10s and has 50,000 rows; the request log goes to a file.
  servicetitan-standin -export-changes 60 -report-runs 5 -report-window 10s \
    -report-rows 50000 -log standin.log

Flags:
`

const usageTail = `
Fault SPEC (-fault and -api-fault, repeatable; -fault answers token requests,
-api-fault API requests before they are authorized, in the order given, after
which they are answered normally):
  %s

Credential set (-client, repeatable; the -client-id set stays):
  %s

Control API, for scripts (not part of ServiceTitan; JSON in and out):
  GET  {url}/_stand-in/stats    counters: token_requests, api_requests,
                                tokens_issued, rate_limited, report_runs, ...
  POST {url}/_stand-in/reset    zero the counters, drop queued faults, forget
                                revocations and the rate limits' windows
  POST {url}/_stand-in/faults   queue token faults, e.g. [{"status":503,
                                "headers":{"Retry-After":"2"}}]; other fields:
                                preset (string), body (string), content_type
                                (string), delay_ms (number), hang (true or
                                false), repeat (true or false)
  POST {url}/_stand-in/api-faults     queue API faults, the same JSON
  POST {url}/_stand-in/revoke         make every token issued so far fail
                                      with 401; new tokens work
  POST {url}/_stand-in/add-jobs?n=N   add N jobs, which a resumed export returns
  POST {url}/_stand-in/changes?entity=E&n=N
                                      modify N records of E now (jobs,
                                      customers, or FOLDER/PATH of a list or
                                      export, e.g. settings/business-units),
                                      in turn from the first: their modifiedOn
                                      moves, and an export resumed from an
                                      earlier continueFrom returns them
  POST {url}/_stand-in/latency?ms=N   change -latency
  POST {url}/_stand-in/api-latency?ms=N   change -api-latency
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		_, _ = io.WriteString(fs.Output(), usageHead)
		fs.PrintDefaults()
		_, _ = fmt.Fprintf(fs.Output(), usageTail, faultSyntax, clientSyntax)
	}
	addr := fs.String("addr", "127.0.0.1:0", "listen `address`; only loopback hosts (127.0.0.1, ::1, localhost) are allowed, port 0 picks a free one")
	clientID := fs.String("client-id", fakeservicetitan.DemoClientID, "client `id` the token endpoint accepts")
	clientSecret := fs.String("client-secret", fakeservicetitan.DemoClientSecret, "client `secret` the token endpoint accepts")
	tenant := fs.String("tenant", fakeservicetitan.DemoTenant, "tenant `id` the app is installed on; tokens are valid for this tenant's API paths only")
	enterpriseHub := fs.Bool("enterprise-hub", false, "act as an Enterprise Hub app: token requests must name the tenant (provider: enterprise_hub = true)")
	appKey := fs.String("app-key", fakeservicetitan.DemoAppKey, "ST-App-Key `value` the API routes accept")
	scopes := fs.String("scopes", strings.Join(fakeservicetitan.DefaultScopes, " "), "`scopes` granted to tokens, separated by spaces or commas; jobs need tn.jpm.jobs:r, customers tn.crm.customers:r")
	lifetime := fs.Duration("token-lifetime", fakeservicetitan.DefaultTokenLifetime, "`lifetime` of issued tokens (expires_in and the JWT exp claim)")
	omitExpiresIn := fs.Bool("omit-expires-in", false, "leave expires_in out of token responses, so clients must read the JWT exp claim")
	latency := fs.Duration("latency", 0, "`delay` added before answering each token request")
	faults := faultList{flag: "-fault"}
	fs.Var(&faults, "fault", "answer token requests with a fault, see Fault `SPEC` below (repeatable)")
	var clientSpecs clientList
	fs.Var(&clientSpecs, "client", "accept another credential set, see Credential `set` below (repeatable)")
	jobs := fs.Int("jobs", 0, "serve this `number` of synthetic jobs, the same on every run; 0 serves the two sample jobs")
	customers := fs.Int("customers", 0, "serve this `number` of synthetic customers; 0 serves the three sample customers")
	exportBatch := fs.Int("export-batch", fakeservicetitan.DefaultExportBatch, "`records` in each answer of the export routes")
	apiFaults := faultList{flag: "-api-fault"}
	fs.Var(&apiFaults, "api-fault", "answer API requests with a fault, see Fault `SPEC` below (repeatable)")
	apiLatency := fs.Duration("api-latency", 0, "`delay` added before answering each API request")
	apiRateLimit := fs.Int("api-rate-limit", fakeservicetitan.DefaultAPIRateLimit, "API `requests` per second each tenant may make before getting 429 (ServiceTitan's limit); 0 turns the limit off")
	exportChanges := fs.Int("export-changes", 0, "modify this `number` of records of every collection each minute, in turn from the first, so a resumed export has changes to return; 0 changes nothing")
	reportRuns := fs.Int("report-runs", fakeservicetitan.DefaultReportRuns, "`runs` of one report a tenant may make per -report-window before getting 429 with Retry-After; 0 turns the limit off")
	reportWindow := fs.Duration("report-window", fakeservicetitan.DefaultReportWindow, "the `window` of -report-runs")
	reportRows := fs.Int("report-rows", 0, "`rows` of every report before From and To narrow them; 0 gives each report 500 to 1499")
	logFile := fs.String("log", "", "write the request log to this `file` (appended) instead of standard error")
	quiet := fs.Bool("quiet", false, "log no requests (errors still go to standard error)")
	endless := fs.Bool("endless-lists", false, "make every list, export and report page say hasMore=true, repeating the data, to test a client's bound on pages")
	urlFile := fs.String("url-file", "", "also write the base URL to this `file` once listening, and remove it on exit")
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		_, _ = fmt.Fprintf(stderr, "unexpected arguments: %q (run %s -h for help)\n", fs.Args(), name)
		return errUsage
	}
	if *showVersion {
		_, _ = fmt.Fprintln(stdout, name, versionString())
		return nil
	}
	if *latency < 0 || *lifetime <= 0 {
		return errors.New("-latency must not be negative and -token-lifetime must be positive")
	}
	if *jobs < 0 || *customers < 0 || *apiLatency < 0 || *apiRateLimit < 0 {
		return errors.New("-jobs, -customers, -api-latency and -api-rate-limit must not be negative")
	}
	if *exportBatch < 1 {
		return errors.New("-export-batch must be at least 1")
	}
	if *exportChanges < 0 || *reportRuns < 0 || *reportRows < 0 {
		return errors.New("-export-changes, -report-runs and -report-rows must not be negative")
	}
	if *reportWindow <= 0 {
		return errors.New("-report-window must be positive")
	}
	if *quiet && *logFile != "" {
		return errors.New("-quiet and -log exclude each other: -quiet logs nothing, -log writes the log to a file")
	}
	granted := strings.FieldsFunc(*scopes, func(r rune) bool { return r == ' ' || r == ',' })
	if len(granted) == 0 {
		return errors.New("-scopes is empty: grant at least one scope, e.g. tn.jpm.jobs:r")
	}
	if *clientID == "" || *clientSecret == "" || *appKey == "" {
		return errors.New("-client-id, -client-secret and -app-key must not be empty")
	}
	if !isTenantID(*tenant) {
		return fmt.Errorf("-tenant %q is not a ServiceTitan tenant id (digits only)", *tenant)
	}
	clients, err := clientSpecs.parse()
	if err != nil {
		return err
	}
	// Two sets with one id would leave one unreachable: the stand-in keeps
	// the later, which is never what a user listing both meant.
	seen := map[string]bool{*clientID: true}
	for _, c := range clients {
		if seen[c.ID] {
			return fmt.Errorf("-client %s: client id %s is given twice (-client-id counts too)", c.ID, c.ID)
		}
		seen[c.ID] = true
	}
	// Checked before anything else happens so that a mistyped address fails
	// with this explanation rather than with a half-started server.
	if err := fakeservicetitan.CheckLoopbackAddr(*addr); err != nil {
		return err
	}

	// The flag's 0 means no limit, which reads better on a command line
	// than Config's negative number.
	rateLimit := *apiRateLimit
	if rateLimit == 0 {
		rateLimit = -1
	}
	all := []fakeservicetitan.Client{{
		ID:            *clientID,
		Secret:        *clientSecret,
		Tenant:        *tenant,
		Scopes:        granted,
		EnterpriseHub: *enterpriseHub,
	}}
	for _, c := range clients {
		c.Scopes = granted
		all = append(all, c)
	}

	// The command's own lines (listening, stopping) go where the request
	// log goes; -quiet drops both, since the URL on stdout is all a script
	// needs.
	logOut := stderr
	switch {
	case *quiet:
		logOut = io.Discard
	case *logFile != "":
		f, err := os.OpenFile(*logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("-log: %w", err)
		}
		defer func() { _ = f.Close() }()
		logOut = f
	}
	// The flag's 0 means no limit, as -api-rate-limit's does.
	runs := *reportRuns
	if runs == 0 {
		runs = -1
	}
	logger := log.New(logOut, name+": ", log.LstdFlags|log.Lmicroseconds)
	srv := fakeservicetitan.New(fakeservicetitan.Config{
		Clients:       all,
		AppKey:        *appKey,
		TokenLifetime: *lifetime,
		OmitExpiresIn: *omitExpiresIn,
		Latency:       *latency,
		Logger:        logger,
		Jobs:          *jobs,
		Customers:     *customers,
		ExportBatch:   *exportBatch,
		APILatency:    *apiLatency,
		APIRateLimit:  rateLimit,
		EndlessLists:  *endless,
		ExportChanges: *exportChanges,
		ReportRuns:    runs,
		ReportWindow:  *reportWindow,
		ReportRows:    *reportRows,
	})
	srv.InjectTokenFaults(faults.faults...)
	srv.InjectAPIFaults(apiFaults.faults...)
	if err := srv.Start(*addr); err != nil {
		return err
	}
	defer srv.Close()

	if *urlFile != "" {
		if err := writeFileAtomic(*urlFile, srv.URL()); err != nil {
			return fmt.Errorf("writing -url-file: %w", err)
		}
		// A stale file would point the next script at a dead port.
		defer func() { _ = os.Remove(*urlFile) }()
	}
	// Scripts read this line; everything else goes to stderr.
	_, _ = fmt.Fprintln(stdout, srv.URL())
	hub, more := "", ""
	if *enterpriseHub {
		hub = " (Enterprise Hub)"
	}
	for _, c := range clients {
		tenants := c.Tenant
		if len(c.Tenants) > 0 {
			tenants = strings.Join(c.Tenants, ",") + " (Enterprise Hub)"
		}
		more += "; client id " + c.ID + ", tenant " + tenants
	}
	logger.Printf("%s listening on %s: client id %s, tenant %s%s%s, %s token and %s API fault(s) queued",
		versionString(), srv.URL(), *clientID, *tenant, hub, more, faults.describe(), apiFaults.describe())

	<-ctx.Done()
	logger.Print("shutting down")
	start := time.Now()
	srv.Close()
	logger.Printf("stopped in %s", time.Since(start).Round(time.Millisecond))
	return nil
}

func versionString() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return version
}

// writeFileAtomic renames a complete temporary file into place, so a script
// polling for the file never reads a partial URL.
func writeFileAtomic(path, content string) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	// After a successful rename this finds nothing to remove.
	defer func() { _ = os.Remove(f.Name()) }()
	if _, err := f.WriteString(content); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
