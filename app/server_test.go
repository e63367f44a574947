package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veileder/veileder/app"
	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// serverSite is the whole service behind app.HTTPServer, the server main
// runs, on a loopback socket.
type serverSite struct {
	addr string
}

func startHTTPServer(t *testing.T, baseURL string, bodyDeadline time.Duration) *serverSite {
	t.Helper()
	cfg := storetest.NewConfig(t, store.SQLite)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if baseURL == "" {
		baseURL = "http://" + ln.Addr().String()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := app.New(ctx, app.Config{
		Store: &cfg, BaseURL: baseURL, BodyDeadline: bodyDeadline,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	if _, err := a.Store.CreateUser(ctx, booking.User{
		Username: clientUser, DisplayName: "Kari Nordmann", Email: clientEmail, Role: booking.RoleLibrarian,
	}, clientPassword); err != nil {
		t.Fatalf("create user: %v", err)
	}
	srv := a.HTTPServer()
	go srv.Serve(ln)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &serverSite{addr: ln.Addr().String()}
}

// slowUpload sends a request whose body of n bytes comes one byte per
// gap, and returns the status the server answered with and when.
func (s *serverSite) slowUpload(t *testing.T, method, path, contentType string, n int, gap time.Duration) (int, time.Duration, error) {
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	start := time.Now()
	auth := base64.StdEncoding.EncodeToString([]byte(clientUser + ":" + clientPassword))
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Basic %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		method, path, s.addr, auth, contentType, n)
	answered := make(chan struct{})
	go func() {
		for i := 0; i < n; i++ {
			select {
			case <-answered:
				return
			case <-time.After(gap):
			}
			if _, err := conn.Write([]byte{' '}); err != nil {
				return
			}
		}
	}()
	conn.SetReadDeadline(time.Now().Add(time.Duration(n) * gap * 2))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	close(answered)
	if err != nil {
		return 0, time.Since(start), err
	}
	resp.Body.Close()
	return resp.StatusCode, time.Since(start), nil
}

// TestSlowBodiesAreCut: a client dripping its body is answered 408 once
// the body's deadline passes, instead of holding the handler until it is
// done; two hundred at once do not keep the server from answering others.
func TestSlowBodiesAreCut(t *testing.T) {
	const deadline = 500 * time.Millisecond
	s := startHTTPServer(t, "", deadline)
	davPath := "/dav/calendars/" + clientUser + "/personal/"

	// 300 bytes a byte every 100 ms would take 30 s.
	for _, tc := range []struct{ method, path, contentType string }{
		{"POST", "/api/bookings", "application/json"},
		{"POST", "/staff/login", "application/x-www-form-urlencoded"},
		{"PUT", davPath + "slow.ics", "text/calendar"},
	} {
		status, took, err := s.slowUpload(t, tc.method, tc.path, tc.contentType, 300, 100*time.Millisecond)
		if err != nil {
			t.Fatalf("%s %s: %v after %v", tc.method, tc.path, err, took)
		}
		if status != http.StatusRequestTimeout || took > 10*time.Second {
			t.Errorf("%s %s dripping: status %d after %v; want 408 soon after %v", tc.method, tc.path, status, took, deadline)
		}
	}

	var wg sync.WaitGroup
	results := make(chan int, 200)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, _, err := s.slowUpload(t, "PUT", fmt.Sprintf("%sslow-%d.ics", davPath, i), "text/calendar", 300, 100*time.Millisecond)
			if err != nil {
				status = -1
			}
			results <- status
		}()
	}
	// While they drip, the service answers.
	time.Sleep(100 * time.Millisecond)
	resp, err := http.Get("http://" + s.addr + "/healthz")
	if err != nil {
		t.Fatalf("healthz while 200 clients drip: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("healthz while 200 clients drip: %d, want 200", resp.StatusCode)
	}
	wg.Wait()
	close(results)
	counts := map[int]int{}
	for st := range results {
		counts[st]++
	}
	if counts[http.StatusRequestTimeout] != 200 {
		t.Errorf("200 dripping clients got %v; want 408 for each", counts)
	}
}

// TestLargeBodyAtRealSpeed: the deadline grows with the declared size, so
// a 1 MiB calendar object uploaded over a couple of seconds (longer than
// the base deadline) is stored.
func TestLargeBodyAtRealSpeed(t *testing.T) {
	s := startHTTPServer(t, "", 500*time.Millisecond)
	desc := strings.Repeat("x", 900<<10)
	var ics bytes.Buffer
	ics.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:big@test\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270301T090000Z\r\nDTEND:20270301T100000Z\r\nSUMMARY:Big\r\n")
	line := "DESCRIPTION:"
	for i := 0; i < len(desc); i += 60 {
		ics.WriteString(line + desc[i:min(i+60, len(desc))] + "\r\n")
		line = " "
	}
	ics.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")
	body := ics.Bytes()

	pr, pw := io.Pipe()
	go func() {
		// Ten pieces over about 1.5 s: three times the base deadline.
		step := len(body)/10 + 1
		for i := 0; i < len(body); i += step {
			time.Sleep(150 * time.Millisecond)
			pw.Write(body[i:min(i+step, len(body))])
		}
		pw.Close()
	}()
	req, _ := http.NewRequest("PUT", "http://"+s.addr+"/dav/calendars/"+clientUser+"/personal/big.ics", pr)
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
	req.SetBasicAuth(clientUser, clientPassword)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("PUT of %d bytes over 1.5 s: %d, want 201", len(body), resp.StatusCode)
	}
}

// TestHSTS: sent when the service is served over HTTPS, and only then.
func TestHSTS(t *testing.T) {
	for _, tc := range []struct {
		base string
		want string
	}{
		{"https://veileder.example.org", "max-age=31536000"},
		{"", ""},
	} {
		s := startHTTPServer(t, tc.base, 0)
		resp, err := http.Get("http://" + s.addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Strict-Transport-Security"); got != tc.want {
			t.Errorf("base %q: Strict-Transport-Security %q, want %q", tc.base, got, tc.want)
		}
	}
}
