package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:8080", ":0"} {
		var out, errOut syncBuffer
		err := run(context.Background(), []string{"-addr", addr}, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("-addr %s: err %v", addr, err)
		}
		if out.String() != "" {
			t.Errorf("-addr %s printed %q", addr, out.String())
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"-no-such-flag"}, {"extra"}} {
		var out, errOut syncBuffer
		if err := run(context.Background(), args, &out, &errOut); !errors.Is(err, errUsage) {
			t.Errorf("%v: err %v", args, err)
		}
	}
	var out, errOut syncBuffer
	if err := run(context.Background(), []string{"-latency", "-1s"}, &out, &errOut); err == nil {
		t.Error("negative latency accepted")
	}
}

func TestRunServesAndShutsDown(t *testing.T) {
	urlFile := filepath.Join(t.TempDir(), "url")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-url-file", urlFile, "-client-secret", "cli-secret-xyz", "-app-key", "cli-app-key"}, &out, &errOut)
	}()

	var base string
	deadline := time.Now().Add(3 * time.Second)
	for base == "" {
		if b, err := os.ReadFile(urlFile); err == nil {
			base = string(b)
		} else if time.Now().After(deadline) {
			t.Fatalf("url file never appeared; stderr:\n%s", errOut.String())
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("url file holds %q", base)
	}

	resp, err := http.PostForm(base+"/connect/token", map[string][]string{
		"grant_type":    {"client_credentials"},
		"client_id":     {"demo-client-id"},
		"client_secret": {"cli-secret-xyz"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	decErr := json.NewDecoder(resp.Body).Decode(&tr)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || decErr != nil || tr.AccessToken == "" {
		t.Fatalf("token: %d %v", resp.StatusCode, decErr)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/jpm/v2/tenant/1234/jobs", nil)
	req.Header.Set("Authorization", "Bearer "+tr.AccessToken)
	req.Header.Set("ST-App-Key", "cli-app-key")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("jobs: %d", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if got, want := out.String(), "stand-in ServiceTitan listening on "+base+"\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	if _, err := os.Stat(urlFile); !os.IsNotExist(err) {
		t.Errorf("url file left behind: %v", err)
	}
	logs := errOut.String()
	if !strings.Contains(logs, "POST /connect/token 200") || !strings.Contains(logs, "GET /jpm/v2/tenant/1234/jobs 200") {
		t.Errorf("stderr lacks request lines:\n%s", logs)
	}
	for _, secret := range []string{"cli-secret-xyz", "cli-app-key", tr.AccessToken} {
		if strings.Contains(logs, secret) {
			t.Errorf("stderr contains a credential:\n%s", logs)
		}
	}
}
