package notify_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/veileder/veileder/notify"
)

// crashEnv is the environment of a veileder process on addr with its data
// in data, sending through the SMTP server at smtpAddr with the default
// timeout and lease.
func crashEnv(addr, data, smtpAddr string) []string {
	return append(os.Environ(),
		"VEILEDER_LISTEN="+addr,
		"VEILEDER_BASE_URL=http://"+addr,
		"VEILEDER_DATA_DIR="+data,
		"VEILEDER_DATABASE_URL=",
		"VEILEDER_SECRET_KEY=",
		"VEILEDER_SMTP_URL=smtp://"+smtpAddr+"?starttls=none",
		"VEILEDER_MAIL_FROM=Veileder <noreply@veileder.example.org>",
		"VEILEDER_REMINDER_BEFORE=1h",
		"VEILEDER_LOG_LEVEL=debug",
	)
}

// bookZotero books the first Zotero slot through the API and returns the
// answer's body.
func bookZotero(t *testing.T, base string) []byte {
	t.Helper()
	slot := firstSlot(t, base, "zotero")
	body := fmt.Sprintf(`{"topic":"zotero","start":%q,"mode":%q,"name":"Ola Nordmann","email":"ola@student.example.org",
		"question":"Zotero og Word","study_level":"master","locale":"en","consent":true}`, slot.Start.Format(time.RFC3339), slot.Mode)
	res, err := http.Post(base+"/api/bookings", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resBody, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/bookings: %d %s", res.StatusCode, resBody)
	}
	return resBody
}

// resendBound is how soon after a crash a message it held must go again:
// one lease (notify.DefaultLease), which the dead process renewed until
// it died, a poll, and the restart.
const resendBound = notify.DefaultLease + notify.DefaultPollInterval + 10*time.Second

// The process is killed (SIGKILL) after the booking committed and while
// its confirmation is on its way to a mail server that stalls before its
// answer to the data; after a restart, with a mail server that works, the
// confirmation arrives exactly once, with the Message-ID it had, within
// the short lease of the dead sender and not minutes later.
func TestCrashBeforeDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	bin := buildVeileder(t)
	data := t.TempDir()
	stalling := startSMTP(t, serverOptions{stall: true})
	working := startSMTP(t, serverOptions{})
	addr := freeAddr(t)
	base := "http://" + addr

	// First life: demo data, a stalling mail server.
	first := startVeileder(t, bin, "demo", crashEnv(addr, data, stalling.Addr), base)
	resBody := bookZotero(t, base)
	// The booking committed; now its confirmation reaches the server,
	// which stalls after the data.
	select {
	case <-stalling.stalled:
	case <-time.After(30 * time.Second):
		t.Fatalf("the confirmation never reached the mail server\n%s", first.output())
	}
	// Past one renewal of the lease, so that it is the renewed one that
	// must run out.
	time.Sleep(notify.DefaultLease/3 + time.Second)
	first.kill(t)
	killed := time.Now()
	if n := len(stalling.Messages()); n != 0 {
		t.Fatalf("the stalling server accepted %d messages", n)
	}

	// Second life: a mail server that works.
	second := startVeileder(t, bin, "serve", crashEnv(addr, data, working.Addr), base)
	idRE := regexp.MustCompile(`^<booking-\d+-confirmation-0@veileder\.example\.org>$`)
	deadline := killed.Add(resendBound)
	for len(working.Messages()) == 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if len(working.Messages()) == 0 {
		t.Fatalf("the confirmation did not arrive within %v of the crash\n%s", resendBound, second.output())
	}
	t.Logf("the confirmation went again %v after the crash (lease %v)", time.Since(killed).Round(100*time.Millisecond), notify.DefaultLease)
	// Give a second sending the time it would take (a poll or two).
	time.Sleep(2*notify.DefaultPollInterval + time.Second)
	msgs := working.Messages()
	if len(msgs) != 1 {
		t.Fatalf("got %d messages after the restart, want the confirmation once", len(msgs))
	}
	p := parseMail(t, msgs[0].Data)
	if !idRE.MatchString(p.Header.Get("Message-ID")) || !strings.Contains(p.Subject, "Confirmed") {
		t.Errorf("got %q %q, want the English confirmation", p.Header.Get("Message-ID"), p.Subject)
	}
	if !strings.Contains(p.Text, base+"/booking/") {
		t.Errorf("the confirmation has no manage link:\n%s", p.Text)
	}
	// The link works: it is the one the student got from the API.
	var booked struct {
		ManageURL string `json:"manage_url"`
	}
	if err := json.Unmarshal(resBody, &booked); err != nil || booked.ManageURL == "" || !strings.Contains(p.Text, booked.ManageURL) {
		t.Errorf("the confirmation does not carry the manage URL %q (%v):\n%s", booked.ManageURL, err, p.Text)
	}
	second.stop(t)
}

// The mail server answers the data with 250 and then hangs, so that the
// sender's QUIT gets no answer; the process is killed (SIGKILL) once the
// message is marked sent, long before the QUIT would time out. After a
// restart the message is never sent again: the mark follows the 250 at
// once and does not wait for the end of the conversation.
func TestCrashAfterAccepted(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	bin := buildVeileder(t)
	data := t.TempDir()
	hanging := startSMTP(t, serverOptions{stallAfterData: true})
	working := startSMTP(t, serverOptions{})
	addr := freeAddr(t)
	base := "http://" + addr

	first := startVeileder(t, bin, "demo", crashEnv(addr, data, hanging.Addr), base)
	bookZotero(t, base)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(first.output(), "notify: message sent") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(first.output(), "notify: message sent") {
		t.Fatalf("the confirmation was not marked sent after the server's 250 (it got %d messages)\n%s", len(hanging.Messages()), first.output())
	}
	first.kill(t)
	killed := time.Now()
	if n := len(hanging.Messages()); n != 1 {
		t.Fatalf("the server got %d messages, want the confirmation", n)
	}

	second := startVeileder(t, bin, "serve", crashEnv(addr, data, working.Addr), base)
	// Longer than the lease the dead sender held and two polls: a message
	// left pending would have gone by then.
	for time.Since(killed) < resendBound {
		if n := len(working.Messages()); n != 0 {
			t.Fatalf("a message marked sent went again %v after the crash\n%s", time.Since(killed).Round(100*time.Millisecond), second.output())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if n := len(working.Messages()) + len(hanging.Messages()); n != 1 {
		t.Errorf("got %d deliveries of the confirmation, want 1", n)
	}
	second.stop(t)
}

// buildVeileder builds cmd/veileder into a temporary folder.
func buildVeileder(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "veileder")
	cmd := exec.Command(goBin, "build", "-o", bin, "github.com/veileder/veileder/cmd/veileder")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// process is a running veileder.
type process struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func (p *process) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

func (p *process) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func startVeileder(t *testing.T, bin, sub string, env []string, base string) *process {
	t.Helper()
	p := &process{done: make(chan struct{})}
	p.cmd = exec.Command(bin, sub)
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p, p
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			t.Fatalf("veileder %s exited:\n%s", sub, p.output())
		default:
		}
		res, err := http.Get(base + "/api/topics")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("veileder %s did not start:\n%s", sub, p.output())
	return nil
}

// kill ends the process at once, as a crash or an OOM kill would.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
}

// stop asks the process to shut down and checks that it did.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		t.Errorf("veileder did not stop on SIGTERM:\n%s", p.output())
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("veileder exited with %d:\n%s", code, p.output())
	}
}

type apiSlot struct {
	Start time.Time `json:"start"`
	Mode  string    `json:"mode"`
}

func firstSlot(t *testing.T, base, topic string) apiSlot {
	t.Helper()
	res, err := http.Get(base + "/api/slots?topic=" + topic)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Slots []apiSlot `json:"slots"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || len(body.Slots) == 0 {
		t.Fatalf("GET /api/slots?topic=%s: %d, %v, %d slots", topic, res.StatusCode, err, len(body.Slots))
	}
	return body.Slots[0]
}
