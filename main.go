package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/provider"
	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// version is set at build time by the release tooling (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	if !debug {
		for _, name := range quietSDKLogs(os.Environ()) {
			_ = os.Setenv(name, "OFF")
		}
	}

	err := providerserver.Serve(context.Background(), provider.New(version, interrupted()), providerserver.ServeOpts{
		Address: provider.Address,
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}

// sdkLogLevelVariables set the levels of the loggers of terraform-plugin-go
// (root and protocol), terraform-plugin-framework and this provider's own
// tflog lines (TF_LOG_PROVIDER_ followed by the provider's type name).
var sdkLogLevelVariables = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_SERVICETITAN"}

// quietSDKLogs returns the SDK logger variables to set to OFF: all of them
// when the environment holds no logging variable, none otherwise.
//
// Those loggers default to trace and write every RPC, a few dozen JSON lines
// each, to the provider's stderr, whatever the environment says. Terraform
// and OpenTofu show or keep those lines only when a TF_LOG* variable asks
// for them (TF_LOG, TF_LOG_PROVIDER, TF_LOG_PATH, ...); otherwise they parse
// every line and drop it, so a plan pays twice, in the provider and in the
// CLI, for output nobody can see. With any logging variable set, or with
// TF_ACC_LOG_PATH (acceptance-test logs), nothing changes; with -debug, where
// the provider's stderr is the developer's terminal, main does not call this
// at all. The provider's own log lines are not affected.
func quietSDKLogs(environ []string) []string {
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		// Upper-cased because Windows matches variable names in any case.
		name = strings.ToUpper(name)
		if value != "" && (strings.HasPrefix(name, "TF_LOG") || name == "TF_ACC_LOG_PATH") {
			return nil
		}
	}
	return sdkLogLevelVariables
}

// interrupted returns a context cancelled, with the cause
// servicetitan.ErrInterrupted, when the process receives SIGINT.
//
// A terminal's Ctrl-C sends SIGINT to the whole foreground process group,
// the provider included. Terraform stops providers on it, but not during
// the planning phase of `terraform apply`, where a token wait (backoff,
// Retry-After) would otherwise run to its end. go-plugin already keeps
// SIGINT from killing the plugin (Terraform decides when it exits), and
// signal.Notify delivers the signal here as well.
func interrupted() context.Context {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	go func() {
		<-ch
		cancel(servicetitan.ErrInterrupted)
	}()
	return ctx
}
