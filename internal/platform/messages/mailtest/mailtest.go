// Package mailtest is a real SMTP server for tests and benchmarks: it listens
// on 127.0.0.1 (github.com/emersion/go-smtp), accepts what the product sends
// over TCP, and keeps each message parsed (headers, text, HTML, .ics) for
// assertions. It can refuse a recipient (550) or hold deliveries (a server
// that stalls), to test the outbox's faults.
package mailtest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Mail is one message received.
type Mail struct {
	From     string
	To       []string
	Subject  string
	Kind     string // X-CQP-Kind
	Header   mail.Header
	Text     string
	HTML     string
	Calendar string // the text/calendar part, if any
	Raw      []byte
}

// Server is a running SMTP server.
type Server struct {
	srv  *smtp.Server
	addr string

	mu       sync.Mutex
	mails    []Mail
	refused  map[string]bool
	hold     chan struct{} // non-nil: DATA waits until closed
	holding  chan struct{} // signalled when a DATA starts waiting
	changed  chan struct{}
	attempts int
	count    int  // messages received, kept or not
	discard  bool // count only (benchmarks): keep no message
}

// Start runs a server until the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s, err := Listen()
	if err != nil {
		tb.Fatalf("mailtest: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// Listen runs a server on a free port of 127.0.0.1 (Close it).
func Listen() (*Server, error) {
	s := &Server{refused: map[string]bool{}, changed: make(chan struct{}, 1), holding: make(chan struct{}, 16)}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.MaxMessageBytes = 20 << 20
	s.srv.MaxRecipients = 50
	s.srv.ReadTimeout = time.Minute
	s.srv.WriteTimeout = time.Minute
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.addr = l.Addr().String()
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.hold != nil {
		close(s.hold)
		s.hold = nil
	}
	s.mu.Unlock()
	return s.srv.Close()
}

// Addr is host:port.
func (s *Server) Addr() string { return s.addr }

// URL is the CQP_SMTP_URL that reaches this server (no TLS).
func (s *Server) URL() string { return "smtp://" + s.addr + "?starttls=none" }

// Refuse makes the server answer 550 to that recipient.
func (s *Server) Refuse(addr string) {
	s.mu.Lock()
	s.refused[strings.ToLower(addr)] = true
	s.mu.Unlock()
}

// Accept stops refusing that recipient.
func (s *Server) Accept(addr string) {
	s.mu.Lock()
	delete(s.refused, strings.ToLower(addr))
	s.mu.Unlock()
}

// Hold makes every DATA wait (a stalled server) until Release; Holding
// returns a channel signalled each time a delivery starts waiting.
func (s *Server) Hold() {
	s.mu.Lock()
	s.hold = make(chan struct{})
	s.mu.Unlock()
}

// Holding is signalled when a delivery waits on Hold.
func (s *Server) Holding() <-chan struct{} { return s.holding }

// Release lets held deliveries go on (they are dropped if their client went away).
func (s *Server) Release() {
	s.mu.Lock()
	if s.hold != nil {
		close(s.hold)
		s.hold = nil
	}
	s.mu.Unlock()
}

// Discard makes the server count messages without keeping them
// (benchmarks of thousands of messages).
func (s *Server) Discard() {
	s.mu.Lock()
	s.discard = true
	s.mu.Unlock()
}

// Mails returns the messages received so far.
func (s *Server) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// Count is how many messages were received.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// Attempts is how many DATA commands started (received or not).
func (s *Server) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// Reset forgets the messages received.
func (s *Server) Reset() {
	s.mu.Lock()
	s.mails = nil
	s.attempts, s.count = 0, 0
	s.mu.Unlock()
}

// Wait waits up to timeout until n messages have arrived.
func (s *Server) Wait(n int, timeout time.Duration) error {
	deadline := time.After(timeout)
	for {
		if c := s.Count(); c >= n {
			return nil
		}
		select {
		case <-s.changed:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			return fmt.Errorf("mailtest: %d messages after %s, want %d", s.Count(), timeout, n)
		}
	}
}

// WaitFor is Wait that fails the test.
func (s *Server) WaitFor(tb testing.TB, n int) []Mail {
	tb.Helper()
	if err := s.Wait(n, 10*time.Second); err != nil {
		tb.Fatal(err)
	}
	return s.Mails()
}

// Find returns the messages of a kind sent to addr ("" for any).
func (s *Server) Find(kind, addr string) []Mail {
	var out []Mail
	for _, m := range s.Mails() {
		if m.Kind != kind && kind != "" {
			continue
		}
		if addr != "" && !m.SentTo(addr) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// SentTo tells whether addr is among the recipients.
func (m Mail) SentTo(addr string) bool {
	for _, t := range m.To {
		if strings.EqualFold(t, addr) {
			return true
		}
	}
	return false
}

type session struct {
	s    *Server
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
func (x *session) AuthPlain(string, string) error {
	return nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error { x.from = from; return nil }

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	refused := x.s.refused[strings.ToLower(to)]
	x.s.mu.Unlock()
	if refused {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	x.s.attempts++
	hold := x.s.hold
	x.s.mu.Unlock()
	if hold != nil {
		select {
		case x.s.holding <- struct{}{}:
		default:
		}
		<-hold
		// A client that gave up while held has gone: its message is not
		// accepted (the reply could not reach it anyway).
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Held, try again"}
	}
	x.s.mu.Lock()
	discard := x.s.discard
	x.s.mu.Unlock()
	var m Mail
	if !discard {
		if m, err = Parse(raw); err != nil {
			return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: err.Error()}
		}
		m.From, m.To = x.from, append([]string(nil), x.to...)
	}
	x.s.mu.Lock()
	x.s.count++
	if !discard {
		x.s.mails = append(x.s.mails, m)
	}
	x.s.mu.Unlock()
	select {
	case x.s.changed <- struct{}{}:
	default:
	}
	return nil
}

// Parse reads a MIME message: decoded subject, X-CQP-Kind, and the text,
// HTML and calendar parts however they are nested and encoded.
func Parse(raw []byte) (Mail, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Mail{}, fmt.Errorf("parse message: %w", err)
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return Mail{}, fmt.Errorf("parse subject: %w", err)
	}
	m := Mail{Subject: subject, Kind: msg.Header.Get("X-Cqp-Kind"), Header: msg.Header, Raw: raw}
	if err := walk(&m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body); err != nil {
		return Mail{}, err
	}
	return m, nil
}

func walk(m *Mail, ctype, enc string, body io.Reader) error {
	if ctype == "" {
		ctype = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return fmt.Errorf("content type %q: %w", ctype, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("multipart: %w", err)
			}
			if err := walk(m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	var r io.Reader = body
	switch strings.ToLower(enc) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &stripNewlines{r: body})
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("decode %s part: %w", mt, err)
	}
	switch mt {
	case "text/plain":
		m.Text += string(b)
	case "text/html":
		m.HTML += string(b)
	case "text/calendar":
		m.Calendar += string(b)
	}
	return nil
}

// stripNewlines drops CR and LF from a base64 body.
type stripNewlines struct{ r io.Reader }

func (s *stripNewlines) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	j := 0
	for _, c := range p[:n] {
		if c != '\r' && c != '\n' {
			p[j] = c
			j++
		}
	}
	return j, err
}

// Event reads an iCalendar text (RFC 5545: lines unfolded) into the
// properties of its VEVENT, keyed by name without parameters ("DTSTART"
// → "TZID=Europe/Paris:20261210T090000", the parameters kept before the
// value), plus the calendar's METHOD.
func Event(ics string) map[string]string {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(ics, "\r\n", "\n"), "\n") {
		if strings.HasPrefix(l, " ") && len(lines) > 0 {
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	out := map[string]string{}
	in := false
	for _, l := range lines {
		switch l {
		case "BEGIN:VEVENT":
			in = true
			continue
		case "END:VEVENT":
			in = false
			continue
		}
		name, rest, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		key, params, _ := strings.Cut(name, ";")
		if in || key == "METHOD" {
			if params != "" {
				rest = params + ":" + rest
			}
			out[key] = rest
		}
	}
	return out
}
