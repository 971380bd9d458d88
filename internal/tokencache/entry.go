package tokencache

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// What an entry of the token cache directory holds and when it is trusted:
// its format, the keys it is sealed with, and the checks of its age.

// tokenCacheFormat is the entry format's version. It is bound into the key
// derivation and the associated data, so a future format can never be
// mistaken for this one.
const tokenCacheFormat = 1

// entryHeader starts every entry file, in clear: a magic number and the
// format version, nothing else.
var entryHeader = []byte{'S', 'T', 'T', 'C', tokenCacheFormat}

// hkdfSalt separates these keys from any other use of the client secret.
const hkdfSalt = "servicetitan token cache"

// cacheBinding is everything the issued token depends on besides the
// secret: where it was requested, for which client, and for Enterprise Hub
// apps which tenant. Each part is length-prefixed so that no two different
// bindings share an encoding.
func cacheBinding(tokenURL, clientID string, enterpriseHub bool, tenant string) []byte {
	b := []byte(hkdfSalt)
	b = append(b, tokenCacheFormat)
	hub := byte(0)
	if enterpriseHub {
		hub = 1
	}
	b = append(b, hub)
	for _, part := range []string{tokenURL, clientID, tenant} {
		b = binary.AppendUvarint(b, uint64(len(part)))
		b = append(b, part...)
	}
	return b
}

// deriveKey derives a 32-byte key for purpose from the client secret. A
// plain HKDF rather than a slow password hash: ServiceTitan's client
// secrets are long random strings, and a slow hash would add its cost to
// every provider process.
func deriveKey(secret, purpose string, binding []byte) ([]byte, error) {
	return hkdf.Key(sha256.New, []byte(secret), []byte(hkdfSalt), purpose+"\x00"+string(binding), 32)
}

// cachedToken is the sealed plaintext. When it was written is recorded by
// the wall clock and, where there is one, by the clock that counts from
// boot, with the boot's identity: see trust.
type cachedToken struct {
	AccessToken string   `json:"access_token"`
	TokenType   string   `json:"token_type"`
	ExpiresIn   int64    `json:"expires_in_ns"`
	Expiry      int64    `json:"expiry_unix_ns"`
	Scopes      []string `json:"scopes"`
	Written     int64    `json:"written_unix_ns,omitempty"`
	BootID      string   `json:"boot_id,omitempty"`
	BootNS      int64    `json:"boot_ns,omitempty"`
}

func (ct *cachedToken) token() *servicetitan.Token {
	scopes := ct.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	return &servicetitan.Token{
		AccessToken: ct.AccessToken, TokenType: ct.TokenType, ExpiresIn: time.Duration(ct.ExpiresIn),
		Expiry: time.Unix(0, ct.Expiry), Scopes: scopes,
	}
}

func (d *tokenDir) seal(tok *servicetitan.Token) ([]byte, error) {
	ct := cachedToken{
		AccessToken: tok.AccessToken, TokenType: tok.TokenType, ExpiresIn: int64(tok.ExpiresIn),
		Expiry: tok.Expiry.UnixNano(), Scopes: tok.Scopes, Written: d.now().UnixNano(),
	}
	if b, ok := d.boot(); ok {
		ct.BootID, ct.BootNS = b.id, int64(b.since)
	}
	plain, err := json.Marshal(ct)
	if err != nil {
		return nil, err
	}
	return d.aead.Seal(append([]byte(nil), entryHeader...), nil, plain, d.aad), nil
}

// unseal returns the entry sealed in data, or an error saying why it is not
// usable; the error never carries any of the content.
func (d *tokenDir) unseal(data []byte) (*cachedToken, error) {
	if len(data) < len(entryHeader)+d.aead.Overhead() || string(data[:len(entryHeader)]) != string(entryHeader) {
		return nil, errors.New("not a token cache entry of this format")
	}
	plain, err := d.aead.Open(nil, nil, data[len(entryHeader):], d.aad)
	if err != nil {
		return nil, errors.New("the entry does not authenticate (damaged, or sealed with other credentials)")
	}
	var ct cachedToken
	if err := json.Unmarshal(plain, &ct); err != nil || ct.AccessToken == "" || ct.ExpiresIn <= 0 {
		return nil, errors.New("the entry's content is incomplete")
	}
	return &ct, nil
}

// trust turns an entry into a token whose expiry can be relied on, or says
// why it cannot be. The expiry was written by the wall clock, which can be
// turned back; where the machine has a clock that counts from boot, the
// time the entry has existed is measured by it too, and an entry whose wall
// clock shows less time passed than that clock (by more than a small
// tolerance) is not trusted. A wall clock that runs ahead only makes the
// token be replaced early. Elsewhere, an entry whose expiry is further away
// than its lifetime is not trusted, which catches a clock turned back by
// more than the token's age.
func (d *tokenDir) trust(ct *cachedToken) (*servicetitan.Token, string) {
	tok := ct.token()
	now := d.now()
	if !tok.Expiry.After(now) {
		return nil, "expired"
	}
	if tok.Expiry.Sub(now) > tok.ExpiresIn+time.Minute {
		return nil, "its expiry is further away than its lifetime; the clock has changed"
	}
	bootNow, ok := d.boot()
	if !ok {
		return tok, ""
	}
	if ct.BootID != bootNow.id || ct.BootNS <= 0 || ct.Written == 0 {
		return nil, "the time since it was written cannot be measured (written before the last boot, or by another version)"
	}
	sinceBoot := bootNow.since - time.Duration(ct.BootNS)
	sinceWall := now.Sub(time.Unix(0, ct.Written))
	if sinceBoot < 0 || sinceWall < sinceBoot-clockTolerance {
		return nil, fmt.Sprintf("the wall clock shows %s since it was written, the boot clock %s; the clock was turned back",
			sinceWall.Round(time.Second), sinceBoot.Round(time.Second))
	}
	return tok, ""
}

// clockTolerance is how far the wall clock may fall behind the boot clock
// before an entry is distrusted: time synchronisation slews the wall clock
// by milliseconds, never by this much.
const clockTolerance = 2 * time.Second
