package messages

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ancr/cqp/internal/platform/jobs"
	gomail "github.com/wneessen/go-mail"
	"gorm.io/gorm"
)

// SMTP is a parsed CQP_SMTP_URL.
type SMTP struct {
	Host     string
	Port     int
	Implicit bool   // smtps://: TLS from the first byte
	StartTLS string // "required", "none", or "" (use it when offered)
	User     string
	Password string
}

// ParseSMTPURL reads smtp://[user:pass@]host:port[?starttls=required|none]
// or smtps://… (implicit TLS).
func ParseSMTPURL(s string) (SMTP, error) {
	u, err := url.Parse(s)
	if err != nil {
		return SMTP{}, fmt.Errorf("not a URL: %w", err)
	}
	var c SMTP
	switch u.Scheme {
	case "smtp":
		c.Port = 587
	case "smtps":
		c.Port, c.Implicit = 465, true
	default:
		return SMTP{}, fmt.Errorf("expected smtp:// or smtps://, got %q", u.Scheme)
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return SMTP{}, errors.New("no host")
	}
	if p := u.Port(); p != "" {
		if c.Port, err = strconv.Atoi(p); err != nil || c.Port < 1 || c.Port > 65535 {
			return SMTP{}, fmt.Errorf("bad port %q", p)
		}
	}
	if u.User != nil {
		c.User = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	switch st := u.Query().Get("starttls"); st {
	case "", "required", "none":
		c.StartTLS = st
	default:
		return SMTP{}, fmt.Errorf("starttls: expected required or none, got %q", st)
	}
	if c.Implicit && c.StartTLS != "" {
		return SMTP{}, errors.New("smtps:// is already TLS: starttls does not apply")
	}
	return c, nil
}

// client makes a client; dial it, send, and keep it for the next message
// (the pool below): one SMTP session carries many messages.
func (c SMTP) client(more ...gomail.Option) (*gomail.Client, error) {
	opts := append([]gomail.Option{gomail.WithPort(c.Port), gomail.WithTimeout(30 * time.Second)}, more...)
	switch {
	case c.Implicit:
		opts = append(opts, gomail.WithSSL())
	case c.StartTLS == "required":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case c.StartTLS == "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if c.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(c.User), gomail.WithPassword(c.Password))
	}
	return gomail.NewClient(c.Host, opts...)
}

func parseFrom(from string) (*mail.Address, error) {
	a, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("expected \"Name <address>\", got %q: %w", from, err)
	}
	return a, nil
}

// build turns a stored message into the MIME message sent.
func (o *Outbox) build(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8))
	from, err := parseFrom(o.from)
	if err != nil {
		return nil, err
	}
	if err := msg.FromFormat(from.Name, from.Address); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if m.ToName != "" {
		err = msg.AddToFormat(m.ToName, m.To)
	} else {
		err = msg.To(m.To)
	}
	if err != nil {
		return nil, jobs.Permanent(fmt.Errorf("recipient %q: %w", m.To, err))
	}
	msg.Subject(m.Subject)
	// The same Message-ID on every attempt: a server that accepted a
	// message whose acceptance we never heard of can drop the copy.
	msg.SetMessageIDWithValue(m.ID + "@cqp-recouvrement")
	msg.SetDateWithValue(m.CreatedAt)
	msg.SetGenHeader("X-CQP-Kind", m.Kind)
	msg.SetGenHeader(gomail.HeaderContentLang, m.Lang)
	msg.SetBodyString(gomail.TypeTextPlain, m.TextBody)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTMLBody)
	if m.Calendar != "" {
		method := "REQUEST"
		if strings.Contains(m.Calendar, "\r\nMETHOD:CANCEL\r\n") {
			method = "CANCEL"
		}
		if err := msg.AttachReader("convocation.ics", strings.NewReader(m.Calendar),
			gomail.WithFileContentType(gomail.ContentType("text/calendar; charset=UTF-8; method="+method))); err != nil {
			return nil, fmt.Errorf("attach ics: %w", err)
		}
	}
	return msg, nil
}

// Deliver is the job that sends one message (registered as JobDeliver). It
// is safe to run again: a message no longer pending is left alone.
func (o *Outbox) Deliver(ctx context.Context, r *jobs.Run) error {
	var p deliverPayload
	if err := r.Decode(&p); err != nil {
		return err
	}
	var m Message
	if err := o.db.WithContext(ctx).Where("id = ?", p.ID).Take(&m).Error; err != nil {
		return fmt.Errorf("deliver %s: %w", p.ID, err)
	}
	if m.Status != StatusPending {
		return nil
	}
	if o.smtp == nil {
		return o.finish(m.ID, StatusNotConfigured, nil, "")
	}
	if err := o.pace.Wait(ctx); err != nil {
		return err // stopping: the job is taken again after the restart
	}
	sendErr := o.send(ctx, m)
	if sendErr == nil {
		now := o.now().UTC()
		return o.finish(m.ID, StatusSent, &now, "")
	}
	if ctx.Err() != nil {
		return sendErr // stopping: the job is taken again after the restart
	}
	reason := sendErr.Error()
	if IsRefused(sendErr) || r.Last {
		if err := o.finish(m.ID, StatusFailed, nil, reason); err != nil {
			return err
		}
		return jobs.Permanent(sendErr)
	}
	if err := o.finish(m.ID, StatusPending, nil, reason); err != nil {
		return err
	}
	return sendErr
}

func (o *Outbox) send(ctx context.Context, m Message) error {
	msg, err := o.build(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	sess, err := o.pool.take(ctx, *o.smtp)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	// A stopping server, or a stalled exchange, cuts the connection: the
	// send returns at once and the job is taken again later.
	stop := context.AfterFunc(ctx, func() { _ = sess.conn.Close() })
	err = sess.c.Send(msg)
	if !stop() || err != nil {
		_ = sess.conn.Close() // after an error the session's state is unknown
		if err == nil {
			err = ctx.Err()
		}
		return err
	}
	o.pool.put(sess)
	return nil
}

// smtpPool keeps open SMTP sessions between deliveries (a few, for a few
// seconds): opening one per message costs more than the message.
type smtpPool struct {
	mu   sync.Mutex
	idle []*session
}

// session is an open SMTP client and its connection (closed directly when
// a delivery is cut short: the client's own Close would wait for QUIT).
type session struct {
	c    *gomail.Client
	conn net.Conn
	used time.Time
}

const (
	poolMax  = 4
	poolIdle = 5 * time.Second
)

func (p *smtpPool) take(ctx context.Context, cfg SMTP) (*session, error) {
	p.mu.Lock()
	for len(p.idle) > 0 {
		x := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if time.Since(x.used) < poolIdle {
			p.mu.Unlock()
			return x, nil
		}
		_ = x.conn.Close()
	}
	p.mu.Unlock()
	s := &session{}
	c, err := cfg.client(gomail.WithDialContextFunc(func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{Timeout: 30 * time.Second}).DialContext(ctx, network, addr)
		s.conn = conn
		return conn, err
	}))
	if err != nil {
		return nil, err
	}
	if err := c.DialWithContext(ctx); err != nil {
		if s.conn != nil {
			_ = s.conn.Close()
		}
		return nil, err
	}
	s.c = c
	return s, nil
}

func (p *smtpPool) put(s *session) {
	s.used = time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle) >= poolMax {
		_ = s.c.Close()
		return
	}
	p.idle = append(p.idle, s)
}

// IsRefused tells whether the SMTP server refused the message for good (a
// 5xx answer: unknown recipient, rejected content): retrying cannot help.
func IsRefused(err error) bool {
	if jobs.IsPermanent(err) {
		return true
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		return !se.IsTemp() && se.ErrorCode() >= 500
	}
	return false
}

func (o *Outbox) finish(id, status string, sentAt *time.Time, lastErr string) error {
	upd := map[string]any{"status": status, "attempts": gorm.Expr("attempts + 1"), "last_error": jobs.Clip(lastErr, 2000),
		"updated_at": o.now().UTC()}
	if sentAt != nil {
		upd["sent_at"] = *sentAt
	}
	// Written even if ctx ended meanwhile: the server accepted it.
	if err := o.db.Model(&Message{}).Where("id = ? AND status = ?", id, StatusPending).Updates(upd).Error; err != nil {
		return fmt.Errorf("message %s: record %s: %w", id, status, err)
	}
	return nil
}
