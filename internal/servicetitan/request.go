package servicetitan

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// RequestAuthToken asks ServiceTitan for a new token with the client
// credentials grant (request_auth_token). It does not cache: use
// Connection.AuthToken, which does. Each attempt is bounded by the
// connection's request timeout; connection errors, 429 and 5xx are retried
// up to its max_retries with capped, jittered exponential backoff, honouring
// Retry-After up to a cap. Any other 4xx is final, and so are a redirect
// (never followed: it would carry the secret to another host) and a
// certificate that fails verification.
func RequestAuthToken(ctx context.Context, c *Connection) (*Token, error) {
	if err := c.tokenCredentials(); err != nil {
		return nil, err
	}
	return c.fetchToken(ctx)
}

func (c *Connection) requestToken(ctx context.Context) (*Token, error) {
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {c.clientID},
		"client_secret": {c.clientSecret},
	}
	if c.enterpriseHub {
		form.Set("tenant", c.tenantID)
	}
	tokenURL := c.TokenURL()
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, &TokenError{TokenURL: tokenURL, Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.opts.UserAgent)

	p := &retryPolicy{conn: c}
	client := &retryablehttp.Client{
		HTTPClient: &http.Client{
			Transport: c.opts.Transport,
			Timeout:   c.requestTimeout,
			// A redirect would re-send the form, client_secret included, to
			// whatever host the Location names. The 3xx is reported instead.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		Logger:       nil, // its logger prints URLs and errors to stderr; events go through Options.Log instead
		RetryWaitMin: c.opts.RetryWaitMin,
		RetryWaitMax: c.opts.RetryWaitMax,
		RetryMax:     c.maxRetries,
		CheckRetry:   p.checkRetry,
		Backoff:      p.backoff,
		// Keep the last response so its status and body can be reported.
		ErrorHandler: func(resp *http.Response, err error, attempts int) (*http.Response, error) {
			p.attempts = attempts
			return resp, err
		},
		RequestLogHook: func(_ retryablehttp.Logger, r *http.Request, n int) {
			c.opts.Log(ctx, "requesting ServiceTitan token", map[string]any{
				"token_url": RedactURL(tokenURL), "client_id": c.clientID, "attempt": n + 1, "enterprise_hub": c.enterpriseHub,
			})
		},
	}

	resp, err := client.Do(req)
	attempts := max(p.attempts, p.tries)
	if err != nil {
		if resp != nil {
			_ = resp.Body.Close()
		}
		if ctx.Err() != nil {
			return nil, &TokenError{TokenURL: tokenURL, Attempts: attempts, Err: stopError(ctx)}
		}
		var te *TokenError
		if errors.As(err, &te) {
			te.TokenURL, te.Attempts = tokenURL, attempts
			return nil, te
		}
		return nil, &TokenError{TokenURL: tokenURL, Attempts: attempts, Err: describeTransportError(err, c.requestTimeout)}
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return nil, &TokenError{TokenURL: tokenURL, StatusCode: resp.StatusCode, Attempts: attempts, Redirect: redirectTarget(resp)}
	}

	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponseSize))
	if err != nil {
		if ctx.Err() != nil {
			return nil, &TokenError{TokenURL: tokenURL, StatusCode: resp.StatusCode, Attempts: attempts, Err: stopError(ctx)}
		}
		return nil, &TokenError{TokenURL: tokenURL, StatusCode: resp.StatusCode, Attempts: attempts, Problem: "reading the response failed", Err: describeTransportError(err, c.requestTimeout)}
	}
	tok, err := ParseTokenResponse(resp.StatusCode, resp.Header.Get("Content-Type"), body, c.opts.Now())
	if err != nil {
		var te *TokenError
		if errors.As(err, &te) {
			te.TokenURL, te.Attempts = tokenURL, attempts
		}
		return nil, err
	}
	c.opts.Log(ctx, "received ServiceTitan token", map[string]any{
		"token_url": RedactURL(tokenURL), "expires_in_seconds": int64(tok.ExpiresIn / time.Second), "scopes": strings.Join(tok.Scopes, " "), "attempts": attempts,
	})
	return tok, nil
}

// retryPolicy decides, per response, whether to try again and how long to
// wait. It is ServiceTitan-specific: Retry-After is honoured on any
// retryable status, and a demand beyond the cap fails at once.
type retryPolicy struct {
	conn     *Connection
	attempts int // set by the error handler
	tries    int // counted here, for the success path
}

func (p *retryPolicy) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	p.tries++
	if ctx.Err() != nil {
		// Ctrl-C in Terraform cancels the context: stop at once.
		return false, stopError(ctx)
	}
	if err != nil {
		if finalTransportError(ctx, err) {
			return false, err
		}
		p.conn.opts.Log(ctx, "ServiceTitan token request failed, will retry if attempts remain", map[string]any{"error": describeTransportError(err, p.conn.requestTimeout).Error(), "attempt": p.tries})
		return true, nil
	}
	if !retryableStatus(resp.StatusCode) {
		return false, nil
	}
	if wait, ok := retryAfter(resp, p.conn.opts.Now()); ok && wait > p.conn.opts.MaxRetryAfter {
		return false, &TokenError{StatusCode: resp.StatusCode, RetryAfter: wait, Problem: fmt.Sprintf("the server asked to wait %s (Retry-After), more than the %s this client waits", wait, p.conn.opts.MaxRetryAfter)}
	}
	p.conn.opts.Log(ctx, "ServiceTitan token endpoint asked to retry", map[string]any{"status": resp.StatusCode, "retry_after": resp.Header.Get("Retry-After"), "attempt": p.tries})
	return true, nil
}

func (p *retryPolicy) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if wait, ok := retryAfter(resp, p.conn.opts.Now()); ok {
			return wait
		}
	}
	// Full-range exponential backoff with jitter in [d/2, d], so that many
	// provider processes started together do not retry in lockstep.
	d := minWait << min(attempt, 16)
	if d <= 0 || d > maxWait {
		d = maxWait
	}
	return d/2 + rand.N(d/2+1)
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

// redirectTarget names where a 3xx pointed, by scheme and host only: the
// path and query of a Location may carry anything.
func redirectTarget(resp *http.Response) string {
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

// describeTransportError turns a net/http error into a sentence a user can
// act on, without the request body (which holds the secret).
func describeTransportError(err error, timeout time.Duration) error {
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

// redactError makes sure the secret cannot appear in an error, whatever a
// server or a transport chose to echo back.
func redactError(err error, secret string) error {
	if secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	var te *TokenError
	if errors.As(err, &te) {
		te.Description = strings.ReplaceAll(te.Description, secret, "[REDACTED]")
		te.Excerpt = strings.ReplaceAll(te.Excerpt, secret, "[REDACTED]")
		te.Problem = strings.ReplaceAll(te.Problem, secret, "[REDACTED]")
		if te.Err != nil && strings.Contains(te.Err.Error(), secret) {
			te.Err = errors.New(strings.ReplaceAll(te.Err.Error(), secret, "[REDACTED]"))
		}
		if !strings.Contains(te.Error(), secret) {
			return te
		}
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, "[REDACTED]"))
}
