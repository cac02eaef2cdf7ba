package site

import (
	"errors"
	"net/http"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/newsletter"
	"github.com/broadsheet/broadsheet/internal/store"
)

// The newsletter's pages: the subscribe form (/subscribe/, and POST
// /subscribe from the forms after posts and in the footer), the
// confirmation of a subscription by its mailed link, and the one-click
// unsubscribe (RFC 8058: a POST to the link in List-Unsubscribe, with no
// sign-in and no form token, unsubscribes) with the reader's choices.
// Pages reached by a link carrying a token are never cached and send no
// referrer.

func (s *Site) newsletterRoutes(mux *http.ServeMux) {
	mux.Handle("GET /subscribe/{$}", s.adapt.Handle(s.subscribeForm))
	mux.Handle("GET /subscribe", http.RedirectHandler("/subscribe/", http.StatusMovedPermanently))
	mux.Handle("POST /subscribe", s.adapt.Handle(s.subscribe))
	mux.Handle("POST /subscribe/{$}", s.adapt.Handle(s.subscribe))
	mux.Handle("GET /subscribe/confirm", s.adapt.Handle(s.confirmForm))
	mux.Handle("POST /subscribe/confirm", s.adapt.Handle(s.confirm))
	mux.Handle("GET /unsubscribe", s.adapt.Handle(s.unsubscribeForm))
	mux.Handle("POST /unsubscribe", s.adapt.Handle(s.unsubscribe))
	mux.Handle("POST /subscribe/choices", s.adapt.Handle(s.choices))
}

// SubscribePage is what the theme's subscribe template shows.
type SubscribePage struct {
	Layout
	// Step is what the page shows: "form", "sent" (the confirmation was
	// mailed), "already" (the address receives the newsletter), "confirm"
	// (a button confirms), "confirmed", "manage" (choices and the
	// unsubscribe button), "unsubscribed", "saved", "off" or "error".
	Step        string
	Heading     string
	Message     string // a mistake to correct, or what went wrong
	Field       string // the field the mistake is in
	Email       string
	Frequency   content.Frequency
	Chosen      []string // sections followed
	Frequencies []content.Frequency
	Sections    []*content.Term
	Token       string
	Subscriber  *content.Subscriber
}

// Follows reports whether the page's choices include the section.
func (p *SubscribePage) Follows(slug string) bool {
	for _, c := range p.Chosen {
		if c == slug {
			return true
		}
	}
	return false
}

func (s *Site) subscribePage(r *http.Request, step, heading string) (*SubscribePage, error) {
	layout, err := s.layout(r.Context(), "subscribe")
	if err != nil {
		return nil, err
	}
	layout.Head.Title = joinTitle(heading, layout.Site.Title)
	layout.Head.NoIndex = step != "form"
	p := &SubscribePage{Layout: layout, Step: step, Heading: heading, Frequencies: content.Frequencies, Frequency: content.EveryStory}
	if s.cfg.Newsletter.On() {
		if p.Sections, err = s.cfg.Newsletter.Sections(r.Context()); err != nil {
			return nil, err
		}
	} else {
		p.Step, p.Message = "off", "This site's newsletter is off for now: it has no mail server to send with. Follow the site's feeds instead."
	}
	return p, nil
}

// renderSubscribe renders p, answering a failure with its status and
// sentence; pages reached through a token are kept by no cache.
func (s *Site) renderSubscribe(w http.ResponseWriter, p *SubscribePage, err error) error {
	status := http.StatusOK
	if p.Step == "off" {
		status = http.StatusServiceUnavailable
	}
	if p.Token != "" || err != nil || status != http.StatusOK {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Referrer-Policy", "no-referrer")
	}
	if err != nil {
		var un *newsletter.Unavailable
		var ce *content.Error
		switch {
		case errors.As(err, &un):
			status, p.Message = http.StatusServiceUnavailable, un.Message
		case errors.As(err, &ce) && ce.Code != content.EInternal:
			status, p.Message, p.Field = statusOfCode(ce.Code), ce.Message, ce.Field
		default:
			return err
		}
	}
	return s.tmpl.Render(w, status, "subscribe", p)
}

func statusOfCode(code string) int {
	switch code {
	case content.EInvalid:
		return http.StatusBadRequest
	case content.ENotFound:
		return http.StatusNotFound
	case content.EConflict:
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

func (s *Site) subscribeForm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.subscribePage(r, "form", "Subscribe")
	if err != nil {
		return err
	}
	return s.renderSubscribe(w, p, nil)
}

// readChoices reads the frequency and sections of a form.
func readChoices(r *http.Request) (content.Frequency, []string) {
	f := content.Frequency(r.PostFormValue("frequency"))
	if f == "" {
		f = content.EveryStory
	}
	return f, r.PostForm["sections"]
}

func (s *Site) subscribe(w http.ResponseWriter, r *http.Request) error {
	p, err := s.subscribePage(r, "form", "Subscribe")
	if err != nil {
		return err
	}
	if p.Step == "off" {
		return s.renderSubscribe(w, p, nil)
	}
	if err := r.ParseForm(); err != nil {
		return s.renderSubscribe(w, p, content.FieldError("email", "the form could not be read: send it again"))
	}
	p.Email = strings.TrimSpace(r.PostFormValue("email"))
	p.Frequency, p.Chosen = readChoices(r)
	sub := &content.Subscriber{Email: p.Email, Frequency: p.Frequency, Sections: p.Chosen}
	outcome, err := s.cfg.Newsletter.Subscribe(r.Context(), s.baseURL(r), sub)
	if err != nil {
		if ce := (*content.Error)(nil); errors.As(err, &ce) && ce.Field == "email" {
			ce.Message = "Check your address: " + ce.Message
		}
		return s.renderSubscribe(w, p, err)
	}
	if outcome == store.AlreadySubscribed {
		p.Step, p.Heading = "already", "You are already subscribed"
	} else {
		p.Step, p.Heading = "sent", "Check your inbox"
	}
	p.Head.Title, p.Head.NoIndex = joinTitle(p.Heading, p.Site.Title), true
	return s.renderSubscribe(w, p, nil)
}

// tokenOf reads a link's token from the query or the form.
func tokenOf(r *http.Request) string {
	if t := r.URL.Query().Get("token"); t != "" {
		return t
	}
	return r.PostFormValue("token")
}

// linkPage is the page of a link with a token: a damaged or expired link
// is answered with its sentence.
func (s *Site) linkPage(w http.ResponseWriter, r *http.Request, step, heading string, act func(p *SubscribePage) (*content.Subscriber, error)) error {
	p, err := s.subscribePage(r, step, heading)
	if err != nil {
		return err
	}
	p.Token = tokenOf(r)
	if p.Step == "off" {
		return s.renderSubscribe(w, p, nil)
	}
	sub, err := act(p)
	if ce := (*content.Error)(nil); errors.As(err, &ce) && ce.Field != "" {
		// A choice to correct: the form again, with the sentence.
		p.Step, p.Heading = "manage", "Your subscription"
		p.Frequency, p.Chosen = readChoices(r)
		if p.Subscriber, err = s.cfg.Newsletter.SubscriberOf(r.Context(), p.Token); err == nil {
			p.Email = p.Subscriber.Email
			return s.renderSubscribe(w, p, ce)
		}
	}
	if err != nil {
		p.Step, p.Heading = "error", "This link does not work"
		if content.ErrorCode(err) == content.EConflict {
			p.Heading = "Subscribe again"
		}
		p.Head.Title = joinTitle(p.Heading, p.Site.Title)
		return s.renderSubscribe(w, p, err)
	}
	p.Subscriber, p.Email, p.Frequency, p.Chosen = sub, sub.Email, sub.Frequency, sub.Sections
	return s.renderSubscribe(w, p, nil)
}

func (s *Site) confirmForm(w http.ResponseWriter, r *http.Request) error {
	return s.linkPage(w, r, "confirm", "Confirm your subscription", func(p *SubscribePage) (*content.Subscriber, error) {
		return s.cfg.Newsletter.PendingOf(r.Context(), p.Token)
	})
}

func (s *Site) confirm(w http.ResponseWriter, r *http.Request) error {
	return s.linkPage(w, r, "confirmed", "You are subscribed", func(p *SubscribePage) (*content.Subscriber, error) {
		sub, err := s.cfg.Newsletter.Confirm(r.Context(), p.Token)
		if err != nil {
			return nil, err
		}
		// The page offers the choices, through the subscriber's lasting link.
		p.Token, err = s.cfg.Newsletter.UnsubscribeToken(r.Context(), sub)
		return sub, err
	})
}

func (s *Site) unsubscribeForm(w http.ResponseWriter, r *http.Request) error {
	return s.linkPage(w, r, "manage", "Your subscription", func(p *SubscribePage) (*content.Subscriber, error) {
		return s.cfg.Newsletter.SubscriberOf(r.Context(), p.Token)
	})
}

// unsubscribe is the one-click unsubscribe: mail programs POST
// "List-Unsubscribe=One-Click" to the link; the page's button posts too.
func (s *Site) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	return s.linkPage(w, r, "unsubscribed", "You are unsubscribed", func(p *SubscribePage) (*content.Subscriber, error) {
		return s.cfg.Newsletter.Unsubscribe(r.Context(), p.Token)
	})
}

func (s *Site) choices(w http.ResponseWriter, r *http.Request) error {
	return s.linkPage(w, r, "saved", "Your choices are saved", func(p *SubscribePage) (*content.Subscriber, error) {
		f, sections := readChoices(r)
		return s.cfg.Newsletter.SetChoices(r.Context(), p.Token, f, sections)
	})
}
