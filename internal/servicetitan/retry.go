package servicetitan

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// The retry policy of every request to ServiceTitan, in one place, in
// go-retryablehttp's shape: a client whose CheckRetry and Backoff are this
// policy's methods. Connection errors, 429 and 500, 502, 503 and 504 are
// retried up to max_retries times, each attempt bounded by request_timeout,
// with capped, jittered exponential backoff or the server's Retry-After up
// to a cap; a longer Retry-After fails at once. Any other status is final,
// and so are a redirect (never followed: the request carries credentials
// that must reach the configured host only) and a certificate that fails
// verification.
type RetryPolicy struct {
	// subject names what is requested in log lines: "token".
	subject string
	// ThrottlingOnly limits retries to a 429, which ServiceTitan answers
	// without acting on the request: a request that is not idempotent (a
	// POST that may change something) must not be sent twice because a 5xx
	// or a broken connection left unknown whether it was acted on.
	ThrottlingOnly bool
	// MaxRetryAfter is the longest Retry-After sat through: Options'
	// unless a request knows its server asks for longer waits as a rule
	// (a report's run limit).
	MaxRetryAfter time.Duration
	// RetryConflict retries a 409 as well, which ServiceTitan answers
	// while a report is still being prepared.
	RetryConflict bool
	// RetryAfterReason says, in the log and in a message, what a
	// Retry-After wait is for; empty means ServiceTitan asked for it.
	RetryAfterReason string
	maxRetries       int
	timeout          time.Duration
	opts             Options

	attempts int // set by the error handler
	tries    int // counted here, for the success path

	mu sync.Mutex
	// answers are what each attempt got, and history the same with the
	// wait that followed: what the final error lists.
	answers, history []string
	// progress is told what the request is doing now, for the message of a
	// wait that is interrupted.
	progress *progress
	// ctx is the request's, for the log line of each wait (go-retryablehttp
	// calls Backoff without one).
	ctx context.Context
	// secrets are replaced in whatever the server said before the policy
	// logs it or records it for a message (ServerText).
	secrets []string
}

// RetryPolicy is the retry policy of one request of this configuration:
// the token request, or one API request with all its attempts. subject
// names it in log lines ("token", "API").
func (c *Config) RetryPolicy(ctx context.Context, subject string) *RetryPolicy {
	return &RetryPolicy{subject: subject, maxRetries: c.maxRetries, timeout: c.requestTimeout, opts: c.opts, progress: progressOf(ctx), ctx: ctx, secrets: c.Secrets(), MaxRetryAfter: c.opts.MaxRetryAfter}
}

// Client is a go-retryablehttp client that follows this policy. logAttempt
// is called before each attempt, numbered from 1.
func (p *RetryPolicy) Client(logAttempt func(attempt int)) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient: &http.Client{
			Transport: p.opts.Transport,
			Timeout:   p.timeout,
			// A redirect would re-send the request, credentials included,
			// to whatever host the Location names. The 3xx is reported
			// instead.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		Logger:       nil, // its logger prints URLs and errors to stderr; events go through Options.Log instead
		RetryWaitMin: p.opts.RetryWaitMin,
		RetryWaitMax: p.opts.RetryWaitMax,
		RetryMax:     p.maxRetries,
		CheckRetry:   p.checkRetry,
		Backoff:      p.backoff,
		// Keep the last response so its status and body can be reported.
		ErrorHandler: func(resp *http.Response, err error, attempts int) (*http.Response, error) {
			p.attempts = attempts
			return resp, err
		},
		RequestLogHook: func(_ retryablehttp.Logger, _ *http.Request, n int) {
			p.setDoing(fmt.Sprintf("waiting for ServiceTitan's answer to attempt %d of %d", n+1, p.maxRetries+1))
			logAttempt(n + 1)
		},
	}
}

func (p *RetryPolicy) setDoing(s string) { p.progress.set(s) }

// Redact adds values, such as the token a request carries, to what is
// replaced in the server's words before they are logged or recorded.
func (p *RetryPolicy) Redact(values ...string) { p.secrets = append(p.secrets, values...) }

// serverText is ServerText with this policy's secrets.
func (p *RetryPolicy) serverText(s string) string { return ServerText(s, p.secrets...) }

// History is one line per attempt: its answer and the wait that followed.
func (p *RetryPolicy) History() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.history...)
}

// answered records what an attempt got: a status, or a transport error.
func (p *RetryPolicy) answered(resp *http.Response, err error) {
	what := ""
	switch {
	case err != nil:
		what = DescribeTransportError(err, p.timeout).Error()
	case resp != nil:
		what = fmt.Sprintf("HTTP %d", resp.StatusCode)
	}
	p.mu.Lock()
	p.answers, p.history = append(p.answers, what), append(p.history, what)
	p.mu.Unlock()
}

// waited adds the wait that follows the last attempt, and says it is
// being sat out: in the progress an interrupt reports, then in the log, so
// that whoever reads the log line knows an interrupt from then on is
// reported as an interrupted wait.
func (p *RetryPolicy) waited(d time.Duration, reason string) {
	p.mu.Lock()
	n := len(p.history)
	if n == 0 {
		p.mu.Unlock()
		return
	}
	d = d.Round(time.Millisecond)
	p.history[n-1] = fmt.Sprintf("%s, then waited %s %s", p.answers[n-1], d, reason)
	p.progress.set(fmt.Sprintf("waiting %s, %s after %s (attempt %d of %d)", d, reason, p.answers[n-1], n, p.maxRetries+1))
	p.mu.Unlock()
	if p.ctx != nil {
		p.opts.Log(p.ctx, "ServiceTitan "+p.subject+" request waiting before its next attempt", map[string]any{"wait": d.String(), "reason": reason, "attempt": n})
	}
}

// Attempts is how many requests were sent.
func (p *RetryPolicy) Attempts() int { return max(p.attempts, p.tries) }

func (p *RetryPolicy) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	p.tries++
	if ctx.Err() == nil {
		p.answered(resp, err)
	}
	if ctx.Err() != nil {
		// Ctrl-C in Terraform cancels the context: stop at once.
		return false, StopError(ctx)
	}
	if err != nil {
		if finalTransportError(ctx, err) || p.ThrottlingOnly {
			return false, err
		}
		p.opts.Log(ctx, "ServiceTitan "+p.subject+" request failed, will retry if attempts remain", map[string]any{"error": p.serverText(DescribeTransportError(err, p.timeout).Error()), "attempt": p.tries})
		return true, nil
	}
	retryable := retryableStatus(resp.StatusCode) || (p.RetryConflict && resp.StatusCode == http.StatusConflict)
	if !retryable || (p.ThrottlingOnly && resp.StatusCode != http.StatusTooManyRequests) {
		return false, nil
	}
	if wait, ok := retryAfter(resp, p.opts.Now()); ok && wait > p.MaxRetryAfter {
		return false, &RetryAfterError{StatusCode: resp.StatusCode, Wait: wait, Limit: p.MaxRetryAfter}
	}
	p.opts.Log(ctx, "ServiceTitan "+p.subject+" endpoint asked to retry", map[string]any{"status": resp.StatusCode, "retry_after": p.serverText(CleanText(resp.Header.Get("Retry-After"), 64)), "attempt": p.tries})
	return true, nil
}

// RetryAfterError is a Retry-After longer than the client sits through.
type RetryAfterError struct {
	StatusCode  int
	Wait, Limit time.Duration
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("the server asked to wait %s (Retry-After), more than the %s this client waits", e.Wait, e.Limit)
}

func (p *RetryPolicy) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if wait, ok := retryAfter(resp, p.opts.Now()); ok {
			reason := "as ServiceTitan's Retry-After asked"
			if p.RetryAfterReason != "" {
				reason = p.RetryAfterReason + ", as ServiceTitan's Retry-After asked"
			}
			p.waited(wait, reason)
			return wait
		}
	}
	// Full-range exponential backoff with jitter in [d/2, d], so that many
	// provider processes started together do not retry in lockstep.
	d := minWait << min(attempt, 16)
	if d <= 0 || d > maxWait {
		d = maxWait
	}
	d = d/2 + rand.N(d/2+1)
	p.waited(d, "backing off before the next attempt")
	return d
}

// finalTransportError reports transport errors that trying again cannot
// fix. It asks go-retryablehttp's own policy (too many redirects, an
// unsupported scheme, an invalid header, an untrusted certificate) and also
// looks through wrapping for any certificate verification failure: Go
// reports those as *tls.CertificateVerificationError around a value of
// x509.UnknownAuthorityError, x509.HostnameError or
// x509.CertificateInvalidError, which a check for *x509.UnknownAuthorityError
// never matches.
func finalTransportError(ctx context.Context, err error) bool {
	if retry, _ := retryablehttp.ErrorPropagatedRetryPolicy(ctx, nil, err); !retry {
		return true
	}
	var verifyErr *tls.CertificateVerificationError
	var authorityErr x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidErr x509.CertificateInvalidError
	return errors.As(err, &verifyErr) || errors.As(err, &authorityErr) || errors.As(err, &hostErr) || errors.As(err, &invalidErr)
}

// RedirectTarget names where a 3xx pointed, by scheme and host only: the
// path and query of a Location may carry anything.
func RedirectTarget(resp *http.Response) string {
	loc, err := resp.Location()
	if err != nil || loc.Host == "" {
		return ""
	}
	return loc.Scheme + "://" + loc.Host
}

func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryAfter reads Retry-After as seconds or as an HTTP date.
func retryAfter(resp *http.Response, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(365*24*time.Hour/time.Second) {
			secs = int64(365 * 24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		d := at.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// DescribeTransportError turns a net/http error into a sentence a user can
// act on, without the request body (which holds the secret).
func DescribeTransportError(err error, timeout time.Duration) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Errorf("no response within the request timeout of %s (request_timeout)", timeout)
		}
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no response within the request timeout of %s (request_timeout)", timeout)
	}
	var verifyErr *tls.CertificateVerificationError
	if errors.As(err, &verifyErr) && verifyErr.Err != nil {
		return fmt.Errorf("the server's TLS certificate failed verification: %w", verifyErr.Err)
	}
	return err
}
