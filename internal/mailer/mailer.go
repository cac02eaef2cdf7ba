// Package mailer sends Broadsheet's email (the newsletter, password links,
// invitations) through the SMTP server named by --smtp, at most at the
// configured rate over every connection. A send failure says whether
// trying again later may help (Temporary) or the address is refused
// for good.
package mailer

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"os"
	"strings"
	"sync"
	"time"

	mail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/broadsheet/broadsheet/internal/config"
)

// Message is one email to one reader.
type Message struct {
	To      string
	Subject string
	Text    string // the plain-text body; always sent
	HTML    string // the HTML alternative; optional
	// MessageID is the Message-ID without its angle brackets; default: a
	// fresh one on the sender's domain.
	MessageID string
	// ListID, ListUnsubscribe (an https: or http: URL taking RFC 8058's
	// one-click POST) and UnsubscribeMailto are set on newsletter mail.
	ListID            string
	ListUnsubscribe   string
	UnsubscribeMailto string
}

// Mailer sends messages through one SMTP server.
type Mailer struct {
	cfg     config.SMTP
	limiter *limiter
	opts    []mail.Option
}

// New returns a mailer for the server cfg; it connects only to send.
func New(cfg config.SMTP) (*Mailer, error) {
	opts := []mail.Option{mail.WithPort(cfg.Port), mail.WithTimeout(30 * time.Second)}
	switch {
	case cfg.ImplicitTLS:
		opts = append(opts, mail.WithSSL())
	case cfg.Password != "" && !isLoopback(cfg.Host):
		// A password never crosses the network in the clear.
		opts = append(opts, mail.WithTLSPortPolicy(mail.TLSMandatory))
	default:
		opts = append(opts, mail.WithTLSPortPolicy(mail.TLSOpportunistic))
	}
	if cfg.User != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(cfg.User), mail.WithPassword(cfg.Password))
	}
	// WithTLSPortPolicy picks the port by policy: name ours again after it.
	opts = append(opts, mail.WithPort(cfg.Port))
	if cfg.DKIMKey != "" {
		signer, err := dkimSigner(cfg)
		if err != nil {
			return nil, err
		}
		opts = append(opts, mail.WithAlwaysDKIMSign(signer))
	}
	if _, err := mail.NewClient(cfg.Host, opts...); err != nil {
		return nil, fmt.Errorf("mailer: %s: %w", cfg, err)
	}
	return &Mailer{cfg: cfg, limiter: newLimiter(cfg.Rate), opts: opts}, nil
}

// dkimSigner reads the DKIM key and signs for the sender's domain.
func dkimSigner(cfg config.SMTP) (*mail.DKIMSigner, error) {
	pemBytes, err := os.ReadFile(cfg.DKIMKey)
	if err != nil {
		return nil, fmt.Errorf("mailer: the DKIM key: %w", err)
	}
	key, err := mail.PrivKeyFromPEM(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("mailer: the DKIM key %s is not an RSA or Ed25519 private key in PEM: %w", cfg.DKIMKey, err)
	}
	at := strings.LastIndex(cfg.From, "@")
	return mail.NewDKIMSigner(cfg.From[at+1:], cfg.DKIMSelector, key), nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// From is the address mail comes from.
func (m *Mailer) From() string { return m.cfg.From }

// Server is the server's address without its password.
func (m *Mailer) Server() string { return m.cfg.String() }

// Rate is the most messages a second the mailer sends.
func (m *Mailer) Rate() float64 { return m.cfg.Rate }

// Error is a message that was not sent.
type Error struct {
	To string
	// Temporary is set when trying again later may succeed (the server
	// unreachable or busy, a 4xx answer); otherwise the server refused
	// the address or the message for good (a 5xx answer).
	Temporary bool
	Err       error
}

func (e *Error) Error() string {
	kind := "refused"
	if e.Temporary {
		kind = "not sent for now"
	}
	return fmt.Sprintf("mail to %s %s: %v", e.To, kind, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Permanent reports whether err says an address is refused for good.
func Permanent(err error) bool {
	var e *Error
	return errors.As(err, &e) && !e.Temporary
}

// Send sends one message.
func (m *Mailer) Send(ctx context.Context, msg *Message) error {
	return m.SendAll(ctx, []*Message{msg})[0]
}

// SendAll sends msgs over one connection, in order, at the mailer's rate,
// and returns one error (nil when sent) for each. When the connection
// fails, the messages not yet sent fail with a temporary error.
func (m *Mailer) SendAll(ctx context.Context, msgs []*Message) []error {
	errs := make([]error, len(msgs))
	m.SendEach(ctx, msgs, func(i int, err error) bool { errs[i] = err; return true })
	return errs
}

// SendEach is SendAll telling each message's outcome (nil when sent) to
// done as soon as it is known, before the next message is begun, so that
// a caller can record it first: one that stops in between knows that
// every message after the last one told was not begun. When done returns
// false, SendEach stops: the messages after that one are not begun.
func (m *Mailer) SendEach(ctx context.Context, msgs []*Message, done func(i int, err error) bool) {
	rest := func(from int, err func(*Message) error) {
		for j := from; j < len(msgs); j++ {
			if !done(j, err(msgs[j])) {
				return
			}
		}
	}
	client, err := mail.NewClient(m.cfg.Host, m.opts...)
	if err == nil {
		var sc *smtp.Client
		if sc, err = client.DialToSMTPClientWithContext(ctx); err == nil {
			defer func() { _ = client.CloseWithSMTPClient(sc) }()
			m.sendOver(ctx, client, sc, msgs, done, rest)
			return
		}
	}
	rest(0, func(msg *Message) error {
		return &Error{To: msg.To, Temporary: true, Err: fmt.Errorf("reach the mail server %s: %w", m.cfg, err)}
	})
}

func (m *Mailer) sendOver(ctx context.Context, client *mail.Client, sc *smtp.Client, msgs []*Message,
	done func(int, error) bool, rest func(int, func(*Message) error)) {
	for i, msg := range msgs {
		if err := m.limiter.wait(ctx); err != nil {
			rest(i, func(msg *Message) error { return &Error{To: msg.To, Temporary: true, Err: err} })
			return
		}
		gm, err := m.build(msg)
		if err != nil {
			if !done(i, &Error{To: msg.To, Err: err}) {
				return
			}
			continue
		}
		if err := client.SendWithSMTPClient(sc, gm); err != nil {
			if !done(i, classify(msg.To, err)) {
				return
			}
			var se *mail.SendError
			if errors.As(err, &se) && se.Reason == mail.ErrConnCheck {
				// The connection is gone: the rest wait for the next try.
				rest(i+1, func(msg *Message) error { return &Error{To: msg.To, Temporary: true, Err: err} })
				return
			}
			continue
		}
		if !done(i, nil) {
			return
		}
	}
}

// classify tells a temporary failure from a permanent one by the server's
// answer: 4xx and failures to talk at all are temporary, 5xx permanent.
func classify(to string, err error) error {
	var se *mail.SendError
	if errors.As(err, &se) {
		if code := se.ErrorCode(); code >= 500 && code < 600 {
			return &Error{To: to, Err: err}
		}
		if code := se.ErrorCode(); code >= 400 && code < 500 {
			return &Error{To: to, Temporary: true, Err: err}
		}
		if se.Reason == mail.ErrSMTPRcptTo || se.Reason == mail.ErrSMTPMailFrom {
			// An address refused with no code we could read: by its
			// reason, go-mail keeps 5xx permanent (IsTemp false).
			return &Error{To: to, Temporary: se.IsTemp(), Err: err}
		}
	}
	var tp *textproto.Error
	if errors.As(err, &tp) && tp.Code >= 500 {
		return &Error{To: to, Err: err}
	}
	return &Error{To: to, Temporary: true, Err: err}
}

// build turns msg into go-mail's message.
func (m *Mailer) build(msg *Message) (*mail.Msg, error) {
	gm := mail.NewMsg()
	if err := gm.From(m.cfg.From); err != nil {
		return nil, fmt.Errorf("the sender %q: %w", m.cfg.From, err)
	}
	if err := gm.To(msg.To); err != nil {
		return nil, fmt.Errorf("the address %q is not one mail can go to", msg.To)
	}
	gm.Subject(msg.Subject)
	gm.SetDate()
	if msg.MessageID != "" {
		gm.SetMessageIDWithValue(msg.MessageID)
	} else {
		gm.SetMessageID()
	}
	gm.SetUserAgent("Broadsheet")
	if msg.ListID != "" {
		gm.SetGenHeader(mail.Header("List-Id"), msg.ListID)
		gm.SetBulk()
	}
	var unsub []string
	if msg.ListUnsubscribe != "" {
		unsub = append(unsub, "<"+msg.ListUnsubscribe+">")
	}
	if msg.UnsubscribeMailto != "" {
		unsub = append(unsub, "<"+msg.UnsubscribeMailto+">")
	}
	if len(unsub) > 0 {
		gm.SetGenHeaderPreformatted(mail.HeaderListUnsubscribe, joinComma(unsub))
	}
	if msg.ListUnsubscribe != "" {
		gm.SetListUnsubscribePost()
	}
	gm.SetBodyString(mail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		gm.AddAlternativeString(mail.TypeTextHTML, msg.HTML)
	}
	return gm, nil
}

func joinComma(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ", "
		}
		out += v
	}
	return out
}

// limiter spaces messages at most rate a second, over every caller.
type limiter struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
}

func newLimiter(rate float64) *limiter {
	if rate <= 0 {
		rate = config.DefaultMailRate
	}
	return &limiter{interval: time.Duration(float64(time.Second) / rate)}
}

// reserve takes the next free slot at or after now and returns how long
// to wait for it.
func (l *limiter) reserve(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	at := l.next
	if at.Before(now) {
		at = now
	}
	l.next = at.Add(l.interval)
	return at.Sub(now)
}

func (l *limiter) wait(ctx context.Context) error {
	d := l.reserve(time.Now())
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
