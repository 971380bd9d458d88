package fakeservicetitan

// ServiceTitan has no revocation endpoint, but its tokens do stop working
// before they expire, when an app is disconnected from a tenant or its
// secret is rotated. RevokeTokens stands for that, so a client's "401, get a
// new token, try once more" path can be tested.

// issuedToken is what revocation needs to remember of a token: its id, and
// its expiry, after which nobody needs to remember it.
type issuedToken struct {
	jti string
	exp int64
}

// noteIssued remembers an issued token until it expires. The caller holds
// s.mu.
func (s *Server) noteIssued(c Claims) {
	now := s.now().Unix()
	// Tokens are noted in the order they were minted, so the expired ones
	// are at the front; a clock set back by a test only delays their
	// removal.
	i := 0
	for i < len(s.issued) && s.issued[i].exp <= now {
		i++
	}
	s.issued = append(s.issued[i:], issuedToken{c.JTI, c.Exp})
}

// RevokeTokens makes every token issued so far fail on the API routes with
// 401 "access token revoked"; tokens issued afterwards work. Tokens from
// MintToken are not issued and so not revoked. Reset forgets revocations.
func (s *Server) RevokeTokens() {
	now := s.now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.revoked == nil {
		s.revoked = make(map[string]int64)
	}
	for jti, exp := range s.revoked {
		if exp <= now {
			delete(s.revoked, jti) // it fails as expired anyway
		}
	}
	// s.issued is kept: after a Reset has forgotten this revocation, a
	// later one must still reach these tokens.
	for _, t := range s.issued {
		if t.exp > now {
			s.revoked[t.jti] = t.exp
		}
	}
}

func (s *Server) isRevoked(jti string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.revoked[jti]
	return ok
}
