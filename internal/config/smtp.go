package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
)

// DefaultMailRate is how many messages a second the mailer sends unless the
// SMTP address says otherwise (?rate=).
const DefaultMailRate = 10

// SMTP is the mail server the mailer sends through, read from
// --smtp / BROADSHEET_SMTP: smtp://USER:PASS@HOST:PORT (STARTTLS when the
// server offers it, required when a password would otherwise cross the
// network in the clear) or smtps://… (TLS from the first byte). The query may
// give from= (the sender's address) and rate= (messages a second).
type SMTP struct {
	Host     string
	Port     int
	User     string
	Password string
	// ImplicitTLS is set by smtps://.
	ImplicitTLS bool
	// From is the address mail comes from; default: the user when it is an
	// address, else broadsheet@HOST.
	From string
	// Rate is the most messages a second sent, over every connection.
	Rate float64
	// DKIMKey is the file of the PEM private key (RSA or Ed25519) that
	// signs messages (?dkim_key=), under DKIMSelector (?dkim_selector=)
	// of the sender's domain; both or neither.
	DKIMKey      string
	DKIMSelector string
}

// String is the address without its password, for logs and the admin.
func (s SMTP) String() string {
	scheme := "smtp"
	if s.ImplicitTLS {
		scheme = "smtps"
	}
	user := ""
	if s.User != "" {
		user = url.User(s.User).String() + "@"
	}
	return fmt.Sprintf("%s://%s%s", scheme, user, net.JoinHostPort(s.Host, strconv.Itoa(s.Port)))
}

// ParseSMTP reads a mail server's address; an error says what is wrong with it.
func ParseSMTP(raw string) (*SMTP, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("the SMTP address %s: %s; write it as smtp://USER:PASSWORD@HOST:PORT (or smtps:// for TLS from the start)",
			redact(raw), fmt.Sprintf(format, args...))
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, bad("it is not a URL")
	}
	s := &SMTP{Rate: DefaultMailRate}
	switch u.Scheme {
	case "smtp":
	case "smtps":
		s.ImplicitTLS = true
	default:
		return nil, bad("it must begin with smtp:// or smtps://")
	}
	if u.Opaque != "" || u.Host == "" {
		return nil, bad("it names no host")
	}
	if u.Path != "" && u.Path != "/" {
		return nil, bad("it has a path (%q), which a mail server has no use for", u.Path)
	}
	s.Host = u.Hostname()
	if s.Host == "" {
		return nil, bad("it names no host")
	}
	s.Port = 587
	if s.ImplicitTLS {
		s.Port = 465
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, bad("the port %q is not a number from 1 to 65535", p)
		}
		s.Port = n
	}
	if u.User != nil {
		s.User = u.User.Username()
		s.Password, _ = u.User.Password()
		if s.User == "" {
			return nil, bad("it has a password but no user name")
		}
	}
	q := u.Query()
	for k := range q {
		switch k {
		case "from", "rate", "dkim_key", "dkim_selector":
		default:
			return nil, bad("it has an unknown setting %q (known: from, rate, dkim_key, dkim_selector)", k)
		}
	}
	if f := q.Get("from"); f != "" {
		a, err := mail.ParseAddress(f)
		if err != nil {
			return nil, bad("from=%q is not an email address", f)
		}
		s.From = a.Address
	} else if a, err := mail.ParseAddress(s.User); err == nil && s.User != "" {
		s.From = a.Address
	} else {
		s.From = "broadsheet@" + s.Host
	}
	if r := q.Get("rate"); r != "" {
		n, err := strconv.ParseFloat(r, 64)
		if err != nil || n <= 0 || n > 100000 {
			return nil, bad("rate=%q is not a number of messages a second above 0", r)
		}
		s.Rate = n
	}
	s.DKIMKey, s.DKIMSelector = q.Get("dkim_key"), q.Get("dkim_selector")
	if (s.DKIMKey == "") != (s.DKIMSelector == "") {
		return nil, bad("DKIM signing needs both dkim_key (the private key's file) and dkim_selector")
	}
	return s, nil
}

// redact hides the password of an SMTP address quoted in an error.
func redact(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.User == nil {
		if i := strings.LastIndex(raw, "@"); i >= 0 {
			return "«hidden»" + raw[i:]
		}
		return strconv.Quote(raw)
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return strconv.Quote(u.String())
}
