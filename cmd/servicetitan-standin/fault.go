package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/fakeservicetitan"
)

// faultSyntax is part of the usage, which the flag package also prints after
// a bad -fault.
const faultSyntax = `STATUS[:OPTION,...]
    STATUS               an HTTP status from 200 to 599, "ok" (answer normally,
                         after any delay) or "hang" (never answer; the client
                         must give up on its own)
    retry-after=SECONDS  add a Retry-After header, e.g. with 429 or 503
    body=BODY            answer with a ready-made body: html (a proxy's 502
                         page, text/html), truncated_json (a token response cut
                         off mid-token) or missing_access_token (valid JSON
                         without access_token)
    location=URL         add a Location header, e.g. with 302 to test that
                         a client does not follow redirects (no commas)
    delay=DURATION       wait this long before answering, e.g. 2s
    times=N|always       answer the next N requests this way (default 1);
                         always: every request from then on`

// faultList collects repeated -fault or -api-fault flags in order.
type faultList struct {
	// flag is the flag's name as users type it, for error messages.
	flag   string
	faults []fakeservicetitan.Fault
	// repeating is the spec of a times=always fault: nothing queued after
	// it could ever be reached.
	repeating string
}

func (l *faultList) String() string { return "" }

// describe says how many faults are queued for the start-up log line.
func (l *faultList) describe() string {
	if l.repeating != "" {
		return fmt.Sprintf("%d (the last repeating)", len(l.faults))
	}
	return fmt.Sprint(len(l.faults))
}

func (l *faultList) Set(spec string) error {
	if l.repeating != "" {
		return fmt.Errorf("%s %s comes after %s %s, which has times=always and answers every request: put times=always last", l.flag, spec, l.flag, l.repeating)
	}
	// The flag package follows the error with the usage, which explains SPEC.
	f, times, err := parseFaultFlag(l.flag, spec)
	if err != nil {
		return err
	}
	if f.Repeat {
		l.repeating = spec
	}
	for range times {
		l.faults = append(l.faults, f)
	}
	return nil
}

// parseFault reads one -fault value and says how many requests it answers.
func parseFault(spec string) (fakeservicetitan.Fault, int, error) {
	return parseFaultFlag("-fault", spec)
}

// parseFaultFlag reads one value of the fault flag named flag. It builds the
// control API's wire form so that presets and validation are the ones POST
// /_stand-in/faults uses.
func parseFaultFlag(flag, spec string) (fakeservicetitan.Fault, int, error) {
	status, options, _ := strings.Cut(strings.TrimSpace(spec), ":")
	var fj fakeservicetitan.FaultJSON
	switch status {
	case "ok":
	case "hang":
		fj.Hang = true
	default:
		code, err := strconv.Atoi(status)
		if err != nil || code < 200 || code > 599 {
			return fakeservicetitan.Fault{}, 0, fmt.Errorf("%s %q: status %q is not an HTTP status from 200 to 599, ok or hang", flag, spec, status)
		}
		fj.Status = code
	}
	times := 1
	seen := map[string]bool{}
	var opts []string
	if options != "" {
		opts = strings.Split(options, ",")
	}
	for _, opt := range opts {
		name, value, ok := strings.Cut(strings.TrimSpace(opt), "=")
		if !ok || value == "" {
			return fakeservicetitan.Fault{}, 0, fmt.Errorf("%s %q: option %q is not NAME=VALUE", flag, spec, opt)
		}
		if seen[name] {
			return fakeservicetitan.Fault{}, 0, fmt.Errorf("%s %q: option %s is given twice", flag, spec, name)
		}
		seen[name] = true
		switch name {
		case "retry-after":
			n, err := strconv.ParseUint(value, 10, 31)
			if err != nil {
				return fakeservicetitan.Fault{}, 0, fmt.Errorf("%s %q: retry-after=%s is not a whole number of seconds", flag, spec, value)
			}
			setHeader(&fj, "Retry-After", strconv.FormatUint(n, 10))
		case "location":
			setHeader(&fj, "Location", value)
		case "body":
			if value != "html" && value != "truncated_json" && value != "missing_access_token" {
				return fakeservicetitan.Fault{}, 0, fmt.Errorf("%s %q: body=%s is none of html, truncated_json or missing_access_token", flag, spec, value)
			}
			fj.Preset = value
		case "delay":
			d, err := time.ParseDuration(value)
			if err != nil || d < 0 {
				return fakeservicetitan.Fault{}, 0, fmt.Errorf("%s %q: delay=%s is not a non-negative duration such as 500ms or 2s", flag, spec, value)
			}
			fj.DelayMS = d.Milliseconds()
		case "times":
			if value == "always" {
				fj.Repeat = true
				break
			}
			n, err := strconv.Atoi(value)
			if err != nil || n < 1 || n > 1000 {
				return fakeservicetitan.Fault{}, 0, fmt.Errorf("%s %q: times=%s is neither a number from 1 to 1000 nor always", flag, spec, value)
			}
			times = n
		default:
			return fakeservicetitan.Fault{}, 0, fmt.Errorf("%s %q: unknown option %q", flag, spec, name)
		}
	}
	if fj.Preset != "" && fj.Status == 0 {
		return fakeservicetitan.Fault{}, 0, fmt.Errorf("%s %q: body= needs an HTTP status, e.g. 502:body=html or 200:body=truncated_json", flag, spec)
	}
	f, err := fj.Fault()
	if err != nil {
		return fakeservicetitan.Fault{}, 0, fmt.Errorf("%s %q: %w", flag, spec, err)
	}
	return f, times, nil
}

func setHeader(fj *fakeservicetitan.FaultJSON, name, value string) {
	if fj.Headers == nil {
		fj.Headers = map[string]string{}
	}
	fj.Headers[name] = value
}
