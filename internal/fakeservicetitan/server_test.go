package fakeservicetitan

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestStartAndLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:0", "127.0.0.1"} {
		if err := New(testConfig()).Start(addr); err == nil {
			t.Errorf("Start(%q) succeeded", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0", "localhost:0"} {
		if err := CheckLoopbackAddr(addr); err != nil {
			t.Errorf("CheckLoopbackAddr(%q): %v", addr, err)
		}
	}
	s := New(testConfig())
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") {
		t.Errorf("URL %q", s.URL())
	}
	if err := s.Start("127.0.0.1:0"); err == nil {
		t.Error("second Start succeeded")
	}
	s.Close()
	s.Close()
	if err := s.Start("127.0.0.1:0"); err == nil {
		t.Error("Start after Close succeeded")
	}
	if resp, err := httpClient.Get(s.URL() + "/_stand-in/stats"); err == nil {
		drain(resp)
		t.Error("server still answers after Close")
	}
}

func TestHandlerUnderHTTPTestTLS(t *testing.T) {
	s := New(testConfig())
	ts := httptest.NewTLSServer(s.Handler())
	t.Cleanup(ts.Close)
	t.Cleanup(s.Close) // runs first, so a hung handler cannot stall ts.Close
	c := ts.Client()
	resp, err := c.PostForm(ts.URL+"/connect/token", goodForm())
	if err != nil {
		t.Fatal(err)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
		t.Fatal(err)
	}
	drain(resp)
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/jpm/v2/tenant/"+testTenant+"/jobs", nil)
	req.Header.Set("Authorization", "Bearer "+tr.AccessToken)
	req.Header.Set("ST-App-Key", testAppKey)
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	drain(resp)
	if resp.StatusCode != http.StatusOK || s.URL() != "" {
		t.Errorf("jobs %d, URL %q", resp.StatusCode, s.URL())
	}
}

func TestCloseUnblocksHang(t *testing.T) {
	for _, f := range []Fault{{Hang: true}, {Delay: time.Hour}} {
		s := startServer(t, nil)
		s.InjectTokenFaults(f)
		errc := make(chan error, 1)
		go func() {
			resp, err := httpClient.PostForm(s.URL()+"/connect/token", goodForm())
			if err != nil {
				errc <- nil // the connection was aborted, as it should be
				return
			}
			drain(resp)
			errc <- errors.New("got a response: " + resp.Status)
		}()
		waitFor(t, func() bool { return s.TokenRequests() == 1 })
		start := time.Now()
		s.Close()
		if d := time.Since(start); d > time.Second {
			t.Errorf("Close took %s", d)
		}
		select {
		case err := <-errc:
			if err != nil {
				t.Errorf("fault %+v: %v (Close must abort, not answer)", f, err)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("client still blocked after Close")
		}
	}
}

func TestCloseUnblocksAPIHang(t *testing.T) {
	s := startServer(t, func(c *Config) { c.APILatency = time.Hour })
	errc := make(chan error, 1)
	go func() {
		resp, err := httpClient.Get(s.URL() + "/jpm/v2/tenant/" + testTenant + "/jobs")
		if err != nil {
			errc <- nil // aborted, as it should be
			return
		}
		drain(resp)
		errc <- errors.New("got a response: " + resp.Status)
	}()
	waitFor(t, func() bool { return s.Stats().APIRequests == 1 })
	s.Close()
	select {
	case err := <-errc:
		if err != nil {
			t.Error(err, "(Close must abort, not answer)")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("client still blocked after Close")
	}
}
