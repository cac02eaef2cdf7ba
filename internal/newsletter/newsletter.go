// Package newsletter is Broadsheet's newsletter: readers subscribe with
// their address and confirm it by a signed, expiring link mailed to them
// (double opt-in); they choose every story or a daily or weekly digest,
// and the sections they follow; every message carries a one-click
// unsubscribe link (RFC 8058). A post published goes once to each
// confirmed subscriber of every story; digests go once a day or a week,
// in the site's time zone. Sends wait in a queue in the database (see
// store.QueueEdition), so each edition reaches each subscriber once across
// restarts and several servers. Messages are rendered from the theme's
// email/ templates, in HTML and plain text, with no tracking pixel.
package newsletter

import (
	"context"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/mailer"
	"github.com/broadsheet/broadsheet/internal/store"
)

// Config is what the newsletter needs from its composition root.
type Config struct {
	DB *store.DB
	// Mail sends; nil turns the newsletter off (serve without --smtp).
	Mail *mailer.Mailer
	// Theme holds email/: the messages' templates (the site's theme, so a
	// site's own theme folder may replace them).
	Theme fs.FS
	// BaseURL is the site's public address, for the links in messages
	// sent in the background; requests' own address otherwise.
	BaseURL string
	Log     *slog.Logger
}

// Service runs the newsletter.
type Service struct {
	cfg  Config
	text *texttemplate.Template
	html *htmltemplate.Template

	mu     sync.Mutex
	key    []byte
	since  time.Time
	noBase sync.Once
}

// New parses the theme's email templates and returns the newsletter.
func New(cfg Config) (*Service, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	s := &Service{cfg: cfg}
	var err error
	funcs := map[string]any{"date": func(t time.Time) string { return t.UTC().Format("2 January 2006") }}
	if s.text, err = texttemplate.New("").Funcs(funcs).ParseFS(cfg.Theme, "email/*.txt"); err != nil {
		return nil, fmt.Errorf("newsletter: the theme's email templates: %w", err)
	}
	if s.html, err = htmltemplate.New("").Funcs(funcs).ParseFS(cfg.Theme, "email/*.html"); err != nil {
		return nil, fmt.Errorf("newsletter: the theme's email templates: %w", err)
	}
	return s, nil
}

// On reports whether the newsletter can send (serve was given --smtp).
func (s *Service) On() bool { return s != nil && s.cfg.Mail != nil }

// Mailer is the mailer the newsletter sends through, nil when off.
func (s *Service) Mailer() *mailer.Mailer { return s.cfg.Mail }

// BaseURL is the site's configured public address, "" when none.
func (s *Service) BaseURL() string { return strings.TrimSuffix(s.cfg.BaseURL, "/") }

// Unavailable is a failure for now: no mail server, or the mail server
// did not take a message. Pages answer it with 503.
type Unavailable struct{ Message string }

func (e *Unavailable) Error() string { return e.Message }

// errOff answers what needs mail when there is none.
var errOff = &Unavailable{"This site's newsletter is off for now: it has no mail server to send with. Follow the site's feeds instead."}

// signingKey returns the key that signs links, read once.
func (s *Service) signingKey(ctx context.Context) ([]byte, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key == nil {
		key, since, err := s.cfg.DB.NewsletterKey(ctx)
		if err != nil {
			return nil, time.Time{}, err
		}
		s.key, s.since = key, since
	}
	return s.key, s.since, nil
}

// Sections returns the categories a reader may follow.
func (s *Service) Sections(ctx context.Context) ([]*content.Term, error) {
	return s.cfg.DB.FindTerms(ctx, content.TaxCategory)
}

// checkSections refuses a section that is no category.
func (s *Service) checkSections(ctx context.Context, sections []string) ([]string, error) {
	if len(sections) == 0 {
		return nil, nil
	}
	terms, err := s.Sections(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, slug := range sections {
		slug = strings.TrimSpace(slug)
		if slug == "" || slices.Contains(out, slug) {
			continue
		}
		if !slices.ContainsFunc(terms, func(t *content.Term) bool { return t.Slug == slug }) {
			return nil, content.FieldError("sections", "there is no section %q to follow", slug)
		}
		out = append(out, slug)
	}
	return out, nil
}

// Subscribe records a reader's subscription and mails them the link that
// confirms it; an address already receiving the newsletter is told so,
// and nothing is stored twice. base is the site's address as asked for.
func (s *Service) Subscribe(ctx context.Context, base string, sub *content.Subscriber) (store.SubscribeOutcome, error) {
	if !s.On() {
		return 0, errOff
	}
	sections, err := s.checkSections(ctx, sub.Sections)
	if err != nil {
		return 0, err
	}
	sub.Sections = sections
	var outcome store.SubscribeOutcome
	if err := s.cfg.DB.Update(ctx, func(tx *store.Tx) (err error) {
		outcome, err = tx.Subscribe(ctx, sub)
		return err
	}); err != nil {
		return 0, err
	}
	if outcome == store.AlreadySubscribed {
		return outcome, nil
	}
	if outcome == store.SubscribedAgain && s.cfg.DB.Now().Sub(sub.ConfirmSentAt) < ConfirmEvery {
		// A link went out a moment ago: the form sent again (or by
		// someone else, to flood the address) mails nothing more.
		return outcome, nil
	}
	key, _, err := s.signingKey(ctx)
	if err != nil {
		return 0, err
	}
	site, err := s.cfg.DB.LoadSettings(ctx)
	if err != nil {
		return 0, err
	}
	data := confirmMail{Site: site, Subscriber: sub, Base: s.base(base),
		Link: s.base(base) + "/subscribe/confirm?token=" + url.QueryEscape(sign(key, purposeConfirm, sub, s.cfg.DB.Now().Add(ConfirmTTL)))}
	text, err := s.renderText("confirm.txt", data)
	if err != nil {
		return 0, err
	}
	if err := s.cfg.Mail.Send(ctx, &mailer.Message{To: sub.Email, Subject: "Confirm your subscription to " + site.Title, Text: text}); err != nil {
		s.cfg.Log.Warn("newsletter: confirmation not mailed", "subscriber", sub.ID, "err", err)
		if mailer.Permanent(err) {
			return 0, content.FieldError("email", "the mail server refuses %s: check the address", sub.Email)
		}
		return 0, &Unavailable{fmt.Sprintf("The confirmation could not be mailed to %s just now: try again in a few minutes.", sub.Email)}
	}
	if err := s.cfg.DB.Update(ctx, func(tx *store.Tx) error { return tx.ConfirmationSent(ctx, sub.ID) }); err != nil {
		return 0, err
	}
	return outcome, nil
}

// confirmMail is what email/confirm.txt shows.
type confirmMail struct {
	Site       content.Settings
	Subscriber *content.Subscriber
	Base       string
	Link       string
}

func (s *Service) base(requested string) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimSuffix(s.cfg.BaseURL, "/")
	}
	return strings.TrimSuffix(requested, "/")
}

// subscriberOf checks a link's token and returns its subscriber.
func (s *Service) subscriberOf(ctx context.Context, token, purpose string) (*content.Subscriber, error) {
	p, err := parseToken(token, purpose)
	if err != nil {
		return nil, err
	}
	key, _, err := s.signingKey(ctx)
	if err != nil {
		return nil, err
	}
	sub, err := s.cfg.DB.FindSubscriber(ctx, p.id)
	if content.IsNotFound(err) {
		return nil, errDamagedLink
	}
	if err != nil {
		return nil, err
	}
	if err := p.check(key, sub, s.cfg.DB.Now()); err != nil {
		return nil, err
	}
	return sub, nil
}

// PendingOf returns the subscriber a confirmation link is for, unchanged.
func (s *Service) PendingOf(ctx context.Context, token string) (*content.Subscriber, error) {
	return s.subscriberOf(ctx, token, purposeConfirm)
}

// Confirm confirms the subscription a confirmation link is for.
func (s *Service) Confirm(ctx context.Context, token string) (*content.Subscriber, error) {
	sub, err := s.subscriberOf(ctx, token, purposeConfirm)
	if err != nil {
		return nil, err
	}
	err = s.cfg.DB.Update(ctx, func(tx *store.Tx) (err error) {
		sub, err = tx.ConfirmSubscriber(ctx, sub.ID)
		return err
	})
	return sub, err
}

// SubscriberOf returns the subscriber an unsubscribe link is for, unchanged.
func (s *Service) SubscriberOf(ctx context.Context, token string) (*content.Subscriber, error) {
	return s.subscriberOf(ctx, token, purposeUnsubscribe)
}

// Unsubscribe unsubscribes the reader an unsubscribe link is for.
func (s *Service) Unsubscribe(ctx context.Context, token string) (*content.Subscriber, error) {
	sub, err := s.subscriberOf(ctx, token, purposeUnsubscribe)
	if err != nil {
		return nil, err
	}
	err = s.cfg.DB.Update(ctx, func(tx *store.Tx) (err error) {
		sub, err = tx.Unsubscribe(ctx, sub.ID)
		return err
	})
	return sub, err
}

// SetChoices changes, through an unsubscribe link, how often the reader is
// mailed and which sections.
func (s *Service) SetChoices(ctx context.Context, token string, f content.Frequency, sections []string) (*content.Subscriber, error) {
	sub, err := s.subscriberOf(ctx, token, purposeUnsubscribe)
	if err != nil {
		return nil, err
	}
	if sections, err = s.checkSections(ctx, sections); err != nil {
		return nil, err
	}
	err = s.cfg.DB.Update(ctx, func(tx *store.Tx) (err error) {
		sub, err = tx.SetSubscriberChoices(ctx, sub.ID, f, sections)
		return err
	})
	return sub, err
}

// UnsubscribeToken is the token of the subscriber's unsubscribe (and
// choices) link; it does not expire.
func (s *Service) UnsubscribeToken(ctx context.Context, sub *content.Subscriber) (string, error) {
	key, _, err := s.signingKey(ctx)
	if err != nil {
		return "", err
	}
	return sign(key, purposeUnsubscribe, sub, time.Time{}), nil
}

func (s *Service) renderText(name string, data any) (string, error) {
	var b strings.Builder
	if err := s.text.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("newsletter: render %s: %w", name, err)
	}
	return b.String(), nil
}

func (s *Service) renderHTML(name string, data any) (string, error) {
	var b strings.Builder
	if err := s.html.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("newsletter: render %s: %w", name, err)
	}
	return b.String(), nil
}
