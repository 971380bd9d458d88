package provider

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// The examples are the part of the documentation users copy. These tests run
// every example that needs no other provider through the real CLI against
// the stand-in ServiceTitan, so an example that stops working fails here
// rather than for the user who copied it.

const examplesRoot = "../../examples"

// Examples that need other providers (hashicorp/http, Vault, AWS) cannot run
// here; they are only checked for formatting.
var documentationOnlyExamples = []string{
	"data-sources/servicetitan_auth_token",
	"ephemeral-resources/servicetitan_auth_token/aws-secrets-manager",
	"ephemeral-resources/servicetitan_auth_token/vault",
	"ephemeral-resources/servicetitan_auth_token/provider-block",
	// Its url and path are evaluated against the stand-in by
	// TestAccAPIProxyRestapiExampleExpressions, through a consumer provider.
	apiProxyRestapiExample,
}

// The demo belongs to make demo, which runs it itself; the users' test
// examples belong to `terraform test`, which TestAccExampleSuites runs
// over every one of them.
var examplesRunElsewhere = []string{"demo", "tests"}

// A second installation of the app, for the multiple-tenants example.
const (
	accSouthClientID = "acc-south-client-id"
	accSouthSecret   = "acc-south-client-secret-9a0b1c2d"
	accSouthTenant   = "8765"
)

// runnableExample is one runnable example directory and what the test must supply
// in place of the user's real credentials.
type runnableExample struct {
	dir string
	// prepare adjusts the copy of the example in work, or the environment,
	// after the stand-in's root URLs are in place, and returns the input
	// variables.
	prepare func(t *testing.T, srv *fakeservicetitan.Server, work string) config.Variables
	// probe adds a data source that needs a token, for examples that only
	// configure the provider.
	probe   bool
	standIn []func(*fakeservicetitan.Config)
	checks  []resource.TestCheckFunc
	// minTokenRequests is how many token requests the run must have made.
	minTokenRequests int
	// noToken examples must not request a token at all.
	noToken bool
	// cli runs the example with the CLI alone, for what the test
	// framework's state checks cannot read (data sources with for_each);
	// outputs then checks its outputs.
	cli     bool
	outputs func(t *testing.T, out map[string]any)
	// stateHoldsNoSecrets, for a cli example, are values that must not
	// appear in the state after the apply; no JWT-shaped token may either.
	stateHoldsNoSecrets []string
}

const exampleProbeConfig = `data "servicetitan_auth_token" "example_test" {}
`

const exampleProbeAddress = "data.servicetitan_auth_token.example_test"

func runnableExamples() []runnableExample {
	credentialVariables := func(*testing.T, *fakeservicetitan.Server, string) config.Variables {
		return config.Variables{
			"servicetitan_tenant_id":     config.StringVariable(acctest.TenantID),
			"servicetitan_client_id":     config.StringVariable(acctest.ClientID),
			"servicetitan_client_secret": config.StringVariable(acctest.ClientSecret),
			"servicetitan_app_key":       config.StringVariable(acctest.AppKey),
		}
	}
	return []runnableExample{
		{
			dir: "provider", prepare: credentialVariables, probe: true, minTokenRequests: 1,
			checks: []resource.TestCheckFunc{
				resource.TestCheckResourceAttr(exampleProbeAddress, "environment", "production"),
				resource.TestCheckResourceAttr(exampleProbeAddress, "tenant_id", acctest.TenantID),
				resource.TestMatchResourceAttr(exampleProbeAddress, "expires_at", regexp.MustCompile(`-0[56]:00$`)), // America/Chicago
			},
		},
		{
			dir: "provider/config-file", prepare: configFileExample, probe: true, minTokenRequests: 1,
			checks: []resource.TestCheckFunc{
				resource.TestCheckResourceAttr(exampleProbeAddress, "environment", "integration"),
				resource.TestCheckResourceAttr(exampleProbeAddress, "tenant_id", acctest.TenantID),
				resource.TestCheckResourceAttr(exampleProbeAddress, "app_id", "example-app-id"),
				resource.TestMatchResourceAttr(exampleProbeAddress, "expires_at", regexp.MustCompile(`-0[45]:00$`)), // America/New_York
			},
		},
		{
			dir: "provider/environment-variables", prepare: environmentExample, probe: true, minTokenRequests: 1,
			checks: []resource.TestCheckFunc{
				resource.TestCheckResourceAttr(exampleProbeAddress, "environment", "production"),
				resource.TestCheckResourceAttr(exampleProbeAddress, "tenant_id", acctest.TenantID),
				resource.TestMatchResourceAttr(exampleProbeAddress, "expires_at", regexp.MustCompile(`-0[67]:00$`)), // America/Denver
			},
		},
		{
			dir: "provider/multiple-tenants-aliases", minTokenRequests: 2,
			standIn: []func(*fakeservicetitan.Config){func(c *fakeservicetitan.Config) {
				c.Clients = append(c.Clients, fakeservicetitan.Client{
					ID: accSouthClientID, Secret: accSouthSecret, Tenant: accSouthTenant,
				})
			}},
			prepare: func(*testing.T, *fakeservicetitan.Server, string) config.Variables {
				return config.Variables{
					"servicetitan_app_key": config.StringVariable(acctest.AppKey),
					"north": config.ObjectVariable(map[string]config.Variable{
						"tenant_id": config.StringVariable(acctest.TenantID), "client_id": config.StringVariable(acctest.ClientID),
						"client_secret": config.StringVariable(acctest.ClientSecret),
					}),
					"south": config.ObjectVariable(map[string]config.Variable{
						"tenant_id": config.StringVariable(accSouthTenant), "client_id": config.StringVariable(accSouthClientID),
						"client_secret": config.StringVariable(accSouthSecret),
					}),
				}
			},
			// In a test, every provider configuration is served by the one
			// in-process provider server, and the framework hands data
			// sources whichever configuration came last; Terraform proper
			// starts a process per configuration. So the run proves that
			// both configurations are valid and get tokens, not which
			// tenant each data source saw.
			checks: []resource.TestCheckFunc{
				resource.TestCheckResourceAttrWith("data.servicetitan_auth_token.north", "tenant_id", oneOf(acctest.TenantID, accSouthTenant)),
				resource.TestCheckResourceAttrWith("data.servicetitan_auth_token.south", "tenant_id", oneOf(acctest.TenantID, accSouthTenant)),
			},
		},
		{
			dir: "data-sources/servicetitan_endpoints", prepare: credentialsInEnvironment, noToken: true,
			checks: []resource.TestCheckFunc{
				resource.TestCheckResourceAttr("data.servicetitan_endpoints.current", "environment", "production"),
				resource.TestCheckResourceAttrWith("data.servicetitan_endpoints.current", "token_url", func(v string) error {
					if !strings.HasPrefix(v, "http://127.0.0.1:") || !strings.HasSuffix(v, "/connect/token") {
						return fmt.Errorf("token_url %q does not follow the auth_root_url override", v)
					}
					return nil
				}),
			},
		},
		{dir: "ephemeral-resources/servicetitan_auth_token", prepare: credentialsInEnvironment, minTokenRequests: 1},
		{
			dir: "provider/multiple-tenants", minTokenRequests: 2, cli: true,
			standIn: []func(*fakeservicetitan.Config){func(c *fakeservicetitan.Config) {
				c.Clients = append(c.Clients, fakeservicetitan.Client{ID: accSouthClientID, Secret: accSouthSecret, Tenant: accSouthTenant})
			}},
			prepare: func(t *testing.T, _ *fakeservicetitan.Server, work string) config.Variables {
				// The example's own tenants/*.json hold placeholders; these hold the stand-in's credentials.
				if err := os.MkdirAll(filepath.Join(work, "tenants"), 0o700); err != nil {
					t.Fatal(err)
				}
				for key, creds := range map[string][2]string{"north": {acctest.ClientID, acctest.ClientSecret}, "south": {accSouthClientID, accSouthSecret}} {
					writeExampleFile(t, filepath.Join(work, "tenants", key+".json"),
						fmt.Sprintf(`{"SERVICETITAN_CLIENT_ID": %q, "SERVICETITAN_CLIENT_SECRET": %q}`, creds[0], creds[1]))
				}
				return config.Variables{
					"servicetitan_app_key": config.StringVariable(acctest.AppKey),
					"tenant_ids":           config.MapVariable(map[string]config.Variable{"north": config.StringVariable(acctest.TenantID), "south": config.StringVariable(accSouthTenant)}),
				}
			},
			outputs: func(t *testing.T, out map[string]any) {
				counts, _ := out["job_types_per_tenant"].(map[string]any)
				if len(counts) != 2 || counts["north"] == nil || counts["south"] == nil || counts["north"] == 0.0 {
					t.Errorf("job types per tenant %v, want the north and south tenants' counts", counts)
				}
			},
			// The many-tenants guide's first example: no tenant's token,
			// secret or app key may reach the state.
			stateHoldsNoSecrets: []string{acctest.ClientSecret, accSouthSecret, acctest.AppKey},
		},
		{
			dir: "provider/enterprise-hub", minTokenRequests: 3, cli: true,
			standIn: []func(*fakeservicetitan.Config){func(c *fakeservicetitan.Config) {
				c.Clients = append(c.Clients, fakeservicetitan.Client{ID: "hub-client", Secret: "hub-secret-3e5d7f9a", Tenants: []string{"1111", "2222", "3333"}})
			}},
			prepare: func(*testing.T, *fakeservicetitan.Server, string) config.Variables {
				return config.Variables{
					"client_id": config.StringVariable("hub-client"), "client_secret": config.StringVariable("hub-secret-3e5d7f9a"),
					"app_key": config.StringVariable(acctest.AppKey),
					"tenant_ids": config.MapVariable(map[string]config.Variable{
						"north": config.StringVariable("1111"), "south": config.StringVariable("2222"), "east": config.StringVariable("3333")}),
				}
			},
			outputs: func(t *testing.T, out map[string]any) {
				units, _ := out["business_units_per_tenant"].(map[string]any)
				if len(units) != 3 || units["north"] != 4.0 || units["south"] != 4.0 || units["east"] != 4.0 {
					t.Errorf("business units per tenant %v, want 4 for each of 3 tenants", units)
				}
			},
		},
		{
			dir: "data-sources/servicetitan_api_request", prepare: credentialsInEnvironment, minTokenRequests: 1, cli: true,
			standIn: []func(*fakeservicetitan.Config){func(c *fakeservicetitan.Config) { c.Jobs = 40 }},
			outputs: func(t *testing.T, out map[string]any) {
				perUnit, _ := out["jobs_per_business_unit"].(map[string]any)
				total := 0.0
				for _, n := range perUnit {
					v, _ := n.(float64)
					total += v
				}
				// The stand-in spreads its 40 jobs over the 4 units unevenly
				// and the query's businessUnitId narrows each list, so each
				// unit has a count of its own.
				counts := map[float64]bool{}
				for _, n := range perUnit {
					v, _ := n.(float64)
					counts[v] = true
				}
				if len(perUnit) != 4 || total != 40 || len(counts) != 4 {
					t.Errorf("jobs per business unit %v, want 4 units with counts of their own adding up to 40", perUnit)
				}
			},
		},
		{
			dir: "data-sources/servicetitan_api_request/export", prepare: credentialsInEnvironment, minTokenRequests: 1,
			standIn: []func(*fakeservicetitan.Config){func(c *fakeservicetitan.Config) { c.Jobs = 2345 }},
			checks: []resource.TestCheckFunc{
				resource.TestCheckResourceAttr("data.servicetitan_api_request.jobs", "item_count", "2345"),
				resource.TestCheckResourceAttr("data.servicetitan_api_request.jobs", "has_more", "false"),
				resource.TestCheckResourceAttrSet("data.servicetitan_api_request.jobs", "continue_from"),
			},
		},
		{
			dir: "data-sources/servicetitan_api_request/reporting", prepare: credentialsInEnvironment, minTokenRequests: 1,
			// Terraform reads the data source in more than one step; a
			// second of report window keeps the 429 it waits out short.
			standIn: []func(*fakeservicetitan.Config){func(c *fakeservicetitan.Config) { c.ReportWindow = time.Second }},
			checks: []resource.TestCheckFunc{
				resource.TestCheckResourceAttrWith("data.servicetitan_api_request.revenue", "item_count", func(v string) error {
					if v == "0" {
						return fmt.Errorf("the report returned no rows")
					}
					return nil
				}),
			},
		},
		// Its curl -f fails the apply unless the call through the proxy answered 2xx.
		{dir: "ephemeral-resources/servicetitan_api_proxy", prepare: credentialsInEnvironment, minTokenRequests: 1},
		// Its provisioner fails the apply unless the ephemeral read worked.
		{dir: "ephemeral-resources/servicetitan_api_request", prepare: credentialsInEnvironment, minTokenRequests: 1},
		// Its curl call fails the apply unless the stand-in accepts the token.
		{dir: savedPlanExample, prepare: credentialsInEnvironment, minTokenRequests: 1},
		{dir: "functions/auth_root_url", noToken: true},
		{dir: "functions/api_root_url", noToken: true},
		{dir: "functions/api_url", noToken: true},
	}
}

func TestExamplesFormatted(t *testing.T) {
	// The examples call provider functions, whose syntax older CLIs cannot parse.
	acctest.SkipBelow(t, acctest.ProviderFunctions)
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	out, err := exec.Command(cli, "fmt", "-check", "-recursive", "-diff", examplesRoot).CombinedOutput()
	if err != nil {
		t.Fatalf("%s fmt -check found unformatted examples (run make fmt): %v\n%s", cli, err, out)
	}
}

// TestExamplesAllAccountedFor keeps a new example from escaping the run: it
// must be runnable or declared documentation-only.
func TestExamplesAllAccountedFor(t *testing.T) {
	known := slices.Concat(documentationOnlyExamples, examplesRunElsewhere)
	for _, e := range runnableExamples() {
		known = append(known, e.dir)
	}
	err := filepath.WalkDir(examplesRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(examplesRoot, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() && slices.Contains(examplesRunElsewhere, rel) {
			return filepath.SkipDir
		}
		if !d.IsDir() && filepath.Ext(path) == ".tf" && !slices.Contains(known, filepath.ToSlash(filepath.Dir(rel))) {
			t.Errorf("example %s is neither run by this test nor listed in documentationOnlyExamples", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAccExamplesRun(t *testing.T) {
	for _, e := range runnableExamples() {
		t.Run(e.dir, func(t *testing.T) { runExample(t, e) })
	}
}

func runExample(t *testing.T, e runnableExample) {
	srv := acctest.StandIn(t, e.standIn...)
	// The examples name the provider by its real source address, so the
	// in-process provider must be served under that namespace.
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", strings.Split(Address, "/")[1])
	// Attributes would win over these; the examples leave the root URLs to
	// the environment, as users do.
	t.Setenv(servicetitan.SettingAuthRootURL.EnvVar, srv.URL())
	t.Setenv(servicetitan.SettingAPIRootURL.EnvVar, srv.URL())

	work := copyExample(t, e.dir)
	if !exampleFilesContain(t, work, "required_providers") {
		// Snippets rely on the provider being declared elsewhere in the
		// user's configuration; provider functions need the declaration.
		source := strings.TrimPrefix(Address, "registry.terraform.io/")
		writeExampleFile(t, filepath.Join(work, "example_test_providers.tf"),
			fmt.Sprintf("terraform {\n  required_providers {\n    servicetitan = {\n      source = %q\n    }\n  }\n}\n", source))
	}
	if e.probe {
		writeExampleFile(t, filepath.Join(work, "example_test_probe.tf"), exampleProbeConfig)
	}
	var vars config.Variables
	if e.prepare != nil {
		vars = e.prepare(t, srv, work)
	}

	if e.cli {
		var env []string
		for _, kv := range os.Environ() {
			if strings.HasPrefix(kv, "SERVICETITAN_") {
				env = append(env, kv)
			}
		}
		var text strings.Builder
		for _, f := range exampleTFFiles(t, work) {
			text.WriteString(readExampleFile(t, f))
		}
		acctest.SkipUnlessSupported(t, text.String())
		run := acctest.CLIRunIn(t, work, env...)
		if err := vars.Write(work); err != nil {
			t.Fatal(err)
		}
		run.MustRun("apply", "-auto-approve")
		e.outputs(t, run.Outputs())
		if e.stateHoldsNoSecrets != nil {
			state := readExampleFile(t, filepath.Join(work, "terraform.tfstate"))
			if n := strings.Count(state, "eyJ"); n > 0 {
				t.Errorf("the state holds %d JWT-shaped strings (eyJ...): a token reached it", n)
			}
			for _, secret := range e.stateHoldsNoSecrets {
				if strings.Contains(state, secret) {
					t.Errorf("the state holds %q", secret)
				}
			}
		}
	} else {
		runExampleSteps(t, e, work, vars)
	}

	switch got := srv.TokenRequests(); {
	case got < e.minTokenRequests:
		t.Errorf("the example made %d token requests to the stand-in, want at least %d", got, e.minTokenRequests)
	case e.noToken && got > 0:
		t.Errorf("the example made %d token requests to the stand-in, want none", got)
	}
}

// runExampleSteps applies the example through the test framework, which
// checks its state and its documented outputs.
func runExampleSteps(t *testing.T, e runnableExample, work string, vars config.Variables) {
	checks := append(documentedOutputChecks(t, work), e.checks...)
	// A configuration directory with provider blocks needs the providers
	// on the step rather than the test case.
	resource.UnitTest(t, resource.TestCase{TerraformVersionChecks: exampleVersionChecks(t, work), Steps: []resource.TestStep{{
		ProtoV6ProviderFactories: factories(nil),
		ConfigDirectory:          config.StaticDirectory(work),
		ConfigVariables:          vars,
		Check:                    resource.ComposeAggregateTestCheckFunc(checks...),
	}}})
}

// exampleVersionChecks skip an example on a CLI that lacks a feature its
// files use, such as provider-defined functions on Terraform 1.5.
func exampleVersionChecks(t *testing.T, dir string) []tfversion.TerraformVersionCheck {
	t.Helper()
	var contents []string
	for _, f := range exampleTFFiles(t, dir) {
		contents = append(contents, readExampleFile(t, f))
	}
	return acctest.VersionChecksFor(contents...)
}

// documentedOutputRE finds outputs whose value line ends with the value the
// example promises in a comment, such as
//
//	value = provider::servicetitan::api_root_url("production") # https://api.servicetitan.io
var documentedOutputRE = regexp.MustCompile(`(?m)^output "([^"]+)" \{\n\s*value\s*=.*#\s*(https://\S+)\s*$`)

// documentedOutputChecks holds the examples to the values their comments promise.
func documentedOutputChecks(t *testing.T, dir string) []resource.TestCheckFunc {
	t.Helper()
	var checks []resource.TestCheckFunc
	for _, f := range exampleTFFiles(t, dir) {
		for _, m := range documentedOutputRE.FindAllStringSubmatch(readExampleFile(t, f), -1) {
			checks = append(checks, resource.TestCheckOutput(m[1], m[2]))
		}
	}
	return checks
}

func oneOf(allowed ...string) resource.CheckResourceAttrWithFunc {
	return func(v string) error {
		if !slices.Contains(allowed, v) {
			return fmt.Errorf("got %q, want one of %q", v, allowed)
		}
		return nil
	}
}

// credentialsInEnvironment supplies the stand-in's credentials the way a user
// without a provider block would.
func credentialsInEnvironment(t *testing.T, _ *fakeservicetitan.Server, _ string) config.Variables {
	for env, v := range map[string]string{
		servicetitan.SettingTenantID.EnvVar: acctest.TenantID, servicetitan.SettingClientID.EnvVar: acctest.ClientID,
		servicetitan.SettingClientSecret.EnvVar: acctest.ClientSecret, servicetitan.SettingAppKey.EnvVar: acctest.AppKey,
	} {
		t.Setenv(env, v)
	}
	return nil
}

// exampleCredentials are replaced by the stand-in's credentials; every other
// value of an example is used as written.
var exampleCredentials = []servicetitan.Setting{
	servicetitan.SettingTenantID, servicetitan.SettingClientID, servicetitan.SettingClientSecret, servicetitan.SettingAppKey,
}

// configFileExample rewrites the example config file with the stand-in's
// credentials, after checking that it holds only keys servicepytan and the
// provider know.
func configFileExample(t *testing.T, _ *fakeservicetitan.Server, work string) config.Variables {
	path := filepath.Join(work, "servicetitan.json")
	var values map[string]string
	if err := json.Unmarshal([]byte(readExampleFile(t, path)), &values); err != nil {
		t.Fatalf("example config file: %v", err)
	}
	for key := range values {
		if !slices.ContainsFunc(servicetitan.Settings(), func(s servicetitan.Setting) bool { return s.FileKey == key }) {
			t.Errorf("example config file has key %q, which is no setting's config-file key", key)
		}
	}
	for _, s := range exampleCredentials {
		if _, ok := values[s.FileKey]; !ok {
			t.Errorf("example config file does not show %s", s.FileKey)
		}
	}
	values[servicetitan.SettingTenantID.FileKey] = acctest.TenantID
	values[servicetitan.SettingClientID.FileKey] = acctest.ClientID
	values[servicetitan.SettingClientSecret.FileKey] = acctest.ClientSecret
	values[servicetitan.SettingAppKey.FileKey] = acctest.AppKey
	b, err := json.Marshal(values)
	if err != nil {
		t.Fatal(err)
	}
	writeExampleFile(t, path, string(b))
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return config.Variables{"servicetitan_config_file": config.StringVariable(abs)}
}

var exampleExportRE = regexp.MustCompile(`^export ([A-Z0-9_]+)=(.*)$`)

// environmentExample sets the variables the example's shell script exports:
// its literal values as written, the credentials from the stand-in.
func environmentExample(t *testing.T, _ *fakeservicetitan.Server, work string) config.Variables {
	f, err := os.Open(filepath.Join(work, "environment.sh"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	exported := map[string]string{}
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if m := exampleExportRE.FindStringSubmatch(sc.Text()); m != nil {
			exported[m[1]] = m[2]
		}
	}
	for name, value := range exported {
		i := slices.IndexFunc(servicetitan.Settings(), func(s servicetitan.Setting) bool { return s.EnvVar == name })
		switch {
		case i < 0:
			t.Errorf("environment.sh exports %s, which is no setting's environment variable", name)
		case !slices.ContainsFunc(exampleCredentials, func(s servicetitan.Setting) bool { return s.EnvVar == name }):
			t.Setenv(name, value)
		}
	}
	for _, s := range exampleCredentials {
		if _, ok := exported[s.EnvVar]; !ok {
			t.Errorf("environment.sh does not export %s", s.EnvVar)
		}
	}
	return credentialsInEnvironment(t, nil, work)
}

// copyExample copies an example's files (not its subdirectories, which are
// examples of their own) to a fresh directory the test may change.
func copyExample(t *testing.T, dir string) string {
	t.Helper()
	src := filepath.Join(examplesRoot, dir)
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	for _, e := range entries {
		if !e.IsDir() {
			writeExampleFile(t, filepath.Join(work, e.Name()), readExampleFile(t, filepath.Join(src, e.Name())))
		}
	}
	return work
}

func exampleTFFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func exampleFilesContain(t *testing.T, dir, s string) bool {
	t.Helper()
	return slices.ContainsFunc(exampleTFFiles(t, dir), func(f string) bool { return strings.Contains(readExampleFile(t, f), s) })
}

func readExampleFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeExampleFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestDocsSettingsTable holds the hand-written settings table of the
// provider's documentation page to the core's table of settings.
func TestDocsSettingsTable(t *testing.T) {
	page := readExampleFile(t, "../../templates/index.md.tmpl")
	row := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\| `(SERVICETITAN_[A-Z_]+)` \\| (?:`(SERVICETITAN_[A-Z_]+)`|\\(none\\)) \\| (?:`([^`]+)`|none|the environment's) \\|$")
	documented := map[string][]string{}
	for _, m := range row.FindAllStringSubmatch(page, -1) {
		documented[m[1]] = m[2:]
	}
	for _, s := range servicetitan.Settings() {
		got, ok := documented[s.Name]
		if !ok {
			t.Errorf("the settings table does not list %s", s.Name)
			continue
		}
		if want := []string{s.EnvVar, s.FileKey, s.Default}; !slices.Equal(got, want) {
			t.Errorf("the settings table says %s is %q (variable, file key, default), the core says %q", s.Name, got, want)
		}
		delete(documented, s.Name)
	}
	for name := range documented {
		t.Errorf("the settings table lists %s, which is no setting", name)
	}
}
