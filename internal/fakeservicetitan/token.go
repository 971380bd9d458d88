package fakeservicetitan

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strings"
	"time"
)

const formContentType = "application/x-www-form-urlencoded"

// maxTokenBody bounds the token form; real forms are a few hundred bytes.
const maxTokenBody = 64 << 10

// Claims is the payload of a token issued by the stand-in.
type Claims struct {
	Exp      int64    `json:"exp"`
	Iat      int64    `json:"iat"`
	ClientID string   `json:"client_id"`
	Tenant   string   `json:"tenant"`
	Scope    []string `json:"scope"`
	JTI      string   `json:"jti"`
}

// Errors returned by VerifyToken.
var (
	ErrMalformedToken   = errors.New("fakeservicetitan: malformed token")
	ErrInvalidSignature = errors.New("fakeservicetitan: token signature does not verify")
	ErrTokenExpired     = errors.New("fakeservicetitan: token expired")
	ErrTokenRevoked     = errors.New("fakeservicetitan: token revoked")
)

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   *int64 `json:"expires_in,omitempty"`
	TokenType   string `json:"token_type"`
	Scope       string `json:"scope"`
}

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.tokenRequests++
	fault := takeFault(&s.faults)
	latency := s.latency
	s.mu.Unlock()

	// The form is read before any waiting so that LastTokenRequest shows what
	// a client sent even when the request is then delayed or hung.
	mediaType, _, ctErr := mime.ParseMediaType(r.Header.Get("Content-Type"))
	isForm := ctErr == nil && mediaType == formContentType
	var formErr error
	if r.Method == http.MethodPost && isForm {
		r.Body = http.MaxBytesReader(w, r.Body, maxTokenBody)
		formErr = r.ParseForm()
	}
	client, known := s.clients[r.PostForm.Get("client_id")]
	secretOK := known && r.PostForm.Has("client_secret") &&
		subtle.ConstantTimeCompare([]byte(r.PostForm.Get("client_secret")), []byte(client.Secret)) == 1
	s.record(r, secretOK)

	if s.answeredByFault(w, r, latency, fault) {
		return
	}

	switch {
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", http.MethodPost)
		writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "the token endpoint only accepts POST")
		return
	case !isForm:
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "Content-Type must be "+formContentType)
		return
	case formErr != nil:
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "malformed form body")
		return
	}

	// Client authentication comes before grant validation, as on the real
	// identity server, so a bad secret is reported as such whatever else is
	// wrong with the request. The description is fixed text: it must never
	// echo what was submitted.
	if !secretOK {
		writeOAuthError(w, http.StatusBadRequest, "invalid_client", "")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "")
		return
	}
	tenant := client.Tenant
	if client.EnterpriseHub {
		// An Enterprise Hub app's token is for the tenant it asks for, if
		// that tenant is one of its group.
		switch tenant = r.PostForm.Get("tenant"); {
		case tenant == "":
			writeOAuthError(w, http.StatusBadRequest, "invalid_request", "tenant is required for Enterprise Hub apps")
			return
		case !client.serves(tenant):
			writeOAuthError(w, http.StatusBadRequest, "invalid_request", "the app is not installed on tenant "+tenant)
			return
		}
	}
	scopes := client.Scopes
	if r.PostForm.Has("scope") {
		requested := strings.Fields(r.PostForm.Get("scope"))
		for _, sc := range requested {
			if !contains(client.Scopes, sc) {
				writeOAuthError(w, http.StatusBadRequest, "invalid_scope", "")
				return
			}
		}
		if len(requested) > 0 {
			scopes = requested
		}
	}

	now := s.now()
	life := s.lifetimeSeconds()
	claims := Claims{
		Exp:      now.Unix() + life,
		Iat:      now.Unix(),
		ClientID: client.ID,
		Tenant:   tenant,
		Scope:    scopes,
		JTI:      rand.Text(),
	}
	tok := s.MintToken(claims)
	resp := tokenResponse{
		AccessToken: tok,
		TokenType:   "Bearer",
		Scope:       strings.Join(scopes, " "),
	}
	if !s.cfg.OmitExpiresIn {
		resp.ExpiresIn = &life
	}
	s.mu.Lock()
	s.tokensIssued++
	s.lastToken = tok
	s.noteIssued(claims)
	s.mu.Unlock()
	// RFC 6749 section 5.1: token responses must not be cached.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) record(r *http.Request, secretOK bool) {
	form := cloneValues(r.PostForm)
	form.Del("client_secret")
	tr := TokenRequest{
		Method:        r.Method,
		ContentType:   r.Header.Get("Content-Type"),
		UserAgent:     r.UserAgent(),
		GrantType:     form.Get("grant_type"),
		ClientID:      form.Get("client_id"),
		Tenant:        form.Get("tenant"),
		SecretMatched: secretOK,
		Form:          form,
	}
	s.mu.Lock()
	s.last = tr
	// Dropping the oldest entry by reslicing keeps appends amortized O(1):
	// append reallocates to the live entries only.
	if len(s.tokenLog) >= maxTokenLog {
		s.tokenLog[0] = TokenRequest{}
		s.tokenLog = s.tokenLog[1:]
	}
	s.tokenLog = append(s.tokenLog, tr)
	s.mu.Unlock()
}

// lifetimeSeconds rounds up because JWT times are whole seconds and a token
// should never live shorter than configured.
func (s *Server) lifetimeSeconds() int64 {
	d := s.cfg.TokenLifetime
	if d <= 0 {
		d = DefaultTokenLifetime
	}
	return int64((d + time.Second - 1) / time.Second)
}

func writeFault(w http.ResponseWriter, f *Fault) {
	status := f.Status
	body := f.Body
	switch {
	case status < 100 || status > 999:
		// net/http panics on such codes; a clear 500 is more useful to
		// whoever queued the fault.
		status = http.StatusInternalServerError
		body = `{"error":"stand-in: fault has an invalid status code"}`
		w.Header().Set("Content-Type", "application/json")
	case f.ContentType != "":
		w.Header().Set("Content-Type", f.ContentType)
	case body != "" && w.Header().Get("Content-Type") == "":
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// MintToken signs claims with this Server's key. Tokens from MintToken are
// accepted by the API routes exactly like issued ones (if not expired), so
// tests can build expired or oddly scoped tokens without waiting. They do not
// count as issued.
func (s *Server) MintToken(c Claims) string {
	if c.Scope == nil {
		c.Scope = []string{}
	}
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	payload, _ := json.Marshal(c)
	signingInput := header + "." + base64.RawURLEncoding.EncodeToString(payload)
	return signingInput + "." + base64.RawURLEncoding.EncodeToString(s.sign(signingInput))
}

func (s *Server) sign(signingInput string) []byte {
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(signingInput))
	return mac.Sum(nil)
}

// VerifyToken checks that tok was signed by this Server, has not expired by
// the Server's clock and was not revoked. For an expired or revoked token it
// returns the claims together with ErrTokenExpired or ErrTokenRevoked.
func (s *Server) VerifyToken(tok string) (Claims, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return Claims{}, ErrMalformedToken
	}
	var header struct {
		Alg string `json:"alg"`
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || json.Unmarshal(hb, &header) != nil {
		return Claims{}, ErrMalformedToken
	}
	// Pinning the algorithm shuts out "alg":"none" and friends.
	if header.Alg != "HS256" {
		return Claims{}, ErrInvalidSignature
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return Claims{}, ErrMalformedToken
	}
	if !hmac.Equal(sig, s.sign(parts[0]+"."+parts[1])) {
		return Claims{}, ErrInvalidSignature
	}
	var c Claims
	pb, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(pb, &c) != nil {
		return Claims{}, ErrMalformedToken
	}
	if s.now().Unix() >= c.Exp {
		return c, ErrTokenExpired
	}
	if s.isRevoked(c.JTI) {
		return c, ErrTokenRevoked
	}
	return c, nil
}

func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, oauthError{Error: code, Description: description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONAs(w, status, "application/json; charset=utf-8", v)
}

func writeJSONAs(w http.ResponseWriter, status int, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
