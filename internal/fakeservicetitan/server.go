package fakeservicetitan

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Start creates a Server and starts it on an ephemeral loopback port.
func Start(cfg Config) (*Server, error) {
	s := New(cfg)
	if err := s.Start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	return s, nil
}

// Start listens on addr, which must be a loopback address such as
// "127.0.0.1:0", and serves in the background until Close.
func (s *Server) Start(addr string) error {
	if err := CheckLoopbackAddr(addr); err != nil {
		return err
	}
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	if s.closed {
		return errors.New("fakeservicetitan: server is closed")
	}
	if s.srv != nil {
		return errors.New("fakeservicetitan: server already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("fakeservicetitan: %w", err)
	}
	// No WriteTimeout: Delay and Hang faults must be able to outlast any
	// fixed bound, and Close ends them anyway.
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ConnState:         s.trackConn,
	}
	s.url = "http://" + ln.Addr().String()
	// Serve only returns once Close has run, so its error carries no news.
	go func() { _ = s.srv.Serve(ln) }()
	return nil
}

// CheckLoopbackAddr reports an error unless addr is host:port with a
// loopback host. The stand-in accepts well-known demo credentials and has an
// unauthenticated control API, so it must never be reachable from elsewhere.
func CheckLoopbackAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("fakeservicetitan: invalid listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("fakeservicetitan: refusing to listen on %q: the stand-in only listens on loopback addresses (127.0.0.1, ::1 or localhost)", addr)
}

// URL is the base URL of a started Server, e.g. "http://127.0.0.1:41234",
// used as both the auth root and the API root. It is empty before Start.
func (s *Server) URL() string {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	return s.url
}

// Handler serves every route of the Server.
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops the listener started by Start and ends every request still
// waiting on latency, a Delay or a Hang: those connections are aborted rather
// than answered, so a client sees a broken connection, never a fake success.
// Close is safe to call more than once and on a Server that was never started.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.lifeMu.Lock()
		s.closed = true
		srv := s.srv
		s.lifeMu.Unlock()
		if srv == nil {
			return
		}
		s.connMu.Lock()
		for c := range s.fresh {
			_ = c.Close()
		}
		s.connMu.Unlock()
		// Waiting handlers return immediately now that done is closed, so a
		// graceful shutdown is quick; the hard close covers anything odd.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			_ = srv.Close()
		}
	})
}

func (s *Server) trackConn(c net.Conn, state http.ConnState) {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if state != http.StateNew {
		delete(s.fresh, c)
		return
	}
	if s.fresh == nil {
		s.fresh = make(map[net.Conn]struct{})
	}
	s.fresh[c] = struct{}{}
}

var errClosed = errors.New("fakeservicetitan: server closed")

// sleep waits d unless the request is cancelled or the Server closes first.
func (s *Server) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return errClosed
	}
}

// hang waits until the request is cancelled or the Server closes.
func (s *Server) hang(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return errClosed
	}
}

// abortIfClosed turns a wait cut short by Close into an aborted connection.
// Returning normally would make net/http send an empty 200, which a client
// could mistake for an answer.
func abortIfClosed(err error) {
	if errors.Is(err, errClosed) {
		panic(http.ErrAbortHandler)
	}
}
