// Command fakeservicetitan runs the stand-in ServiceTitan server on a
// loopback address for demos, benchmarks and manual testing. It prints
// "stand-in ServiceTitan listening on <URL>" to stdout once it accepts
// connections, logs one line per request to stderr, and exits cleanly on
// SIGINT or SIGTERM.
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
	"strings"
	"syscall"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		// Errors from the package already carry the program's name.
		fmt.Fprintln(os.Stderr, "fakeservicetitan:", strings.TrimPrefix(err.Error(), "fakeservicetitan: "))
		os.Exit(1)
	}
}

// errUsage marks errors the flag package has already explained.
var errUsage = errors.New("usage error")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fakeservicetitan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address; only loopback hosts are allowed")
	clientID := fs.String("client-id", fakeservicetitan.DemoClientID, "client id the token endpoint accepts")
	clientSecret := fs.String("client-secret", fakeservicetitan.DemoClientSecret, "client secret the token endpoint accepts")
	appKey := fs.String("app-key", fakeservicetitan.DemoAppKey, "ST-App-Key value the API accepts")
	tenant := fs.String("tenant", fakeservicetitan.DemoTenant, "tenant id the client is installed on")
	enterpriseHub := fs.Bool("enterprise-hub", false, "treat the client as an Enterprise Hub app (token form must carry tenant)")
	latency := fs.Duration("latency", 0, "delay added before answering each token request")
	lifetime := fs.Duration("token-lifetime", fakeservicetitan.DefaultTokenLifetime, "lifetime of issued tokens")
	omitExpiresIn := fs.Bool("omit-expires-in", false, "leave expires_in out of token responses")
	urlFile := fs.String("url-file", "", "write the base URL to this file once listening")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		_, _ = fmt.Fprintf(stderr, "unexpected arguments: %q\n", fs.Args())
		fs.Usage()
		return errUsage
	}
	if *latency < 0 || *lifetime < 0 {
		return errors.New("-latency and -token-lifetime must not be negative")
	}
	// Checked before anything else happens so that a mistyped address fails
	// with this explanation rather than with a half-started server.
	if err := fakeservicetitan.CheckLoopbackAddr(*addr); err != nil {
		return err
	}

	logger := log.New(stderr, "", log.LstdFlags|log.Lmicroseconds)
	srv := fakeservicetitan.New(fakeservicetitan.Config{
		Clients: []fakeservicetitan.Client{{
			ID:            *clientID,
			Secret:        *clientSecret,
			Tenant:        *tenant,
			EnterpriseHub: *enterpriseHub,
		}},
		AppKey:        *appKey,
		TokenLifetime: *lifetime,
		OmitExpiresIn: *omitExpiresIn,
		Latency:       *latency,
		Logger:        logger,
	})
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
	_, _ = fmt.Fprintf(stdout, "stand-in ServiceTitan listening on %s\n", srv.URL())

	<-ctx.Done()
	logger.Print("shutting down")
	start := time.Now()
	srv.Close()
	logger.Printf("stopped in %s", time.Since(start).Round(time.Millisecond))
	return nil
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
