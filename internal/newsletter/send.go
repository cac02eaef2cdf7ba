package newsletter

import (
	"context"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/mailer"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
)

// Sending's settings.
const (
	// Batch is how many sends one connection to the mail server carries.
	Batch = 25
	// claimHold is how long a batch is held by the process sending it;
	// past it, a batch still "sending" is failed (see store.RecoverSends).
	claimHold = 10 * time.Minute
	// maxAttempts is how often a temporarily refused message is tried.
	maxAttempts = 8
	// postWindow is how far back a published post is still mailed: a
	// server down longer does not mail old news, and posts imported with
	// their old dates are never mailed.
	postWindow = 48 * time.Hour
)

// backoff is the wait before the next try of a message tried attempts times.
func backoff(attempts int) time.Duration {
	d := time.Minute << min(attempts, 9)
	return min(d, 6*time.Hour)
}

// Run does one round of the newsletter's background work: it queues the
// posts published since the last round and the digests whose day or week
// has ended, then sends what is due. serve runs it under a lease.
func (s *Service) Run(ctx context.Context) error {
	if !s.On() {
		return nil
	}
	if s.cfg.BaseURL == "" {
		// The admin's page says so too; the log says it once.
		s.noBase.Do(func() {
			s.cfg.Log.Warn("newsletter: nothing is sent without the site's address (--base-url), which the messages' links need")
		})
		return nil
	}
	if _, _, err := s.cfg.DB.RecoverSends(ctx); err != nil {
		return err
	}
	if _, err := s.QueuePosts(ctx); err != nil {
		return err
	}
	if _, err := s.QueueDigests(ctx); err != nil {
		return err
	}
	_, err := s.Deliver(ctx)
	return err
}

// recipients returns the confirmed subscribers mailed at frequency f.
func (s *Service) recipients(ctx context.Context, f content.Frequency) ([]*content.Subscriber, error) {
	subs, _, err := s.cfg.DB.FindSubscribers(ctx, store.SubscriberFilter{Status: content.SubscriberConfirmed, Frequency: f})
	return subs, err
}

func slugs(terms []content.Term) []string {
	out := make([]string, len(terms))
	for i, t := range terms {
		out[i] = t.Slug
	}
	return out
}

// QueuePosts queues each post published since the newsletter started (and
// within postWindow) for every confirmed subscriber of every story who
// follows one of its sections. A post is queued once: editing it later,
// or a second server doing the same, queues nothing.
func (s *Service) QueuePosts(ctx context.Context) (int, error) {
	_, since, err := s.signingKey(ctx)
	if err != nil {
		return 0, err
	}
	now := s.cfg.DB.Now()
	f := store.Published(now)
	f.From = now.Add(-postWindow)
	if since.After(f.From) {
		f.From = since
	}
	posts, _, err := s.cfg.DB.FindPosts(ctx, f)
	if err != nil {
		return 0, err
	}
	var subs []*content.Subscriber
	queued := 0
	for _, p := range posts {
		edition := "post:" + strconv.FormatInt(p.ID, 10)
		if done, err := s.cfg.DB.EditionQueued(ctx, edition); err != nil || done {
			if err != nil {
				return queued, err
			}
			continue
		}
		if subs == nil {
			if subs, err = s.recipients(ctx, content.EveryStory); err != nil {
				return queued, err
			}
		}
		var ids []int64
		for _, sub := range subs {
			if sub.Follows(slugs(p.Categories)) {
				ids = append(ids, sub.ID)
			}
		}
		var ok bool
		if err := s.cfg.DB.Update(ctx, func(tx *store.Tx) (err error) {
			ok, err = tx.QueueEdition(ctx, edition, p.ID, p.Title, ids)
			return err
		}); err != nil {
			return queued, err
		}
		if ok {
			queued++
			s.cfg.Log.Info("newsletter: post queued", "post", p.ID, "subscribers", len(ids))
		}
	}
	return queued, nil
}

// period is a digest's span of time in the site's zone.
type period struct {
	edition  string
	from, to time.Time
	label    string
}

// digestPeriods returns the last ended day and week at now in loc.
func digestPeriods(now time.Time, loc *time.Location) (day, week period) {
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	yesterday := today.AddDate(0, 0, -1)
	day = period{edition: "daily:" + yesterday.Format("2006-01-02"), from: yesterday, to: today,
		label: yesterday.Format("Monday 2 January 2006")}
	// Weeks run Monday to Sunday (ISO 8601).
	back := (int(today.Weekday()) + 6) % 7
	monday := today.AddDate(0, 0, -back)
	last := monday.AddDate(0, 0, -7)
	y, w := last.ISOWeek()
	week = period{edition: fmt.Sprintf("weekly:%d-W%02d", y, w), from: last, to: monday,
		label: "the week of " + last.Format("2 January 2006")}
	return day, week
}

// parsePeriod reads a digest's edition name back into its period.
func parsePeriod(edition string, loc *time.Location) (period, bool) {
	kind, when, ok := strings.Cut(edition, ":")
	if !ok {
		return period{}, false
	}
	switch kind {
	case "daily":
		d, err := time.ParseInLocation("2006-01-02", when, loc)
		if err != nil {
			return period{}, false
		}
		day, _ := digestPeriods(d.AddDate(0, 0, 1).Add(time.Hour), loc)
		return day, true
	case "weekly":
		var y, w int
		if _, err := fmt.Sscanf(when, "%d-W%d", &y, &w); err != nil {
			return period{}, false
		}
		// The Monday of ISO week w of year y.
		jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, loc)
		monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+(w-1)*7)
		_, week := digestPeriods(monday.AddDate(0, 0, 7).Add(time.Hour), loc)
		return week, true
	}
	return period{}, false
}

// QueueDigests queues the digest of the last ended day and week, in the
// site's zone, for the subscribers of each who follow a section of at
// least one post of it. Each digest is queued once.
func (s *Service) QueueDigests(ctx context.Context) (int, error) {
	_, since, err := s.signingKey(ctx)
	if err != nil {
		return 0, err
	}
	site, err := s.cfg.DB.LoadSettings(ctx)
	if err != nil {
		return 0, err
	}
	now := s.cfg.DB.Now()
	day, week := digestPeriods(now, site.Location())
	queued := 0
	for _, d := range []struct {
		p period
		f content.Frequency
	}{{day, content.DailyDigest}, {week, content.WeeklyDigest}} {
		if d.p.to.Before(since) {
			continue // ended before the newsletter began
		}
		if done, err := s.cfg.DB.EditionQueued(ctx, d.p.edition); err != nil || done {
			if err != nil {
				return queued, err
			}
			continue
		}
		posts, err := s.periodPosts(ctx, d.p)
		if err != nil {
			return queued, err
		}
		var ids []int64
		if len(posts) > 0 {
			subs, err := s.recipients(ctx, d.f)
			if err != nil {
				return queued, err
			}
			for _, sub := range subs {
				if len(followed(sub, posts)) > 0 {
					ids = append(ids, sub.ID)
				}
			}
		}
		var ok bool
		if err := s.cfg.DB.Update(ctx, func(tx *store.Tx) (err error) {
			ok, err = tx.QueueEdition(ctx, d.p.edition, 0, site.Title+": "+d.p.label, ids)
			return err
		}); err != nil {
			return queued, err
		}
		if ok {
			queued++
			s.cfg.Log.Info("newsletter: digest queued", "edition", d.p.edition, "posts", len(posts), "subscribers", len(ids))
		}
	}
	return queued, nil
}

func (s *Service) periodPosts(ctx context.Context, p period) ([]*content.Post, error) {
	f := store.Published(s.cfg.DB.Now())
	f.From, f.To = p.from.UTC(), p.to.UTC()
	posts, _, err := s.cfg.DB.FindPosts(ctx, f)
	return posts, err
}

// followed is the posts in the sections the subscriber follows.
func followed(sub *content.Subscriber, posts []*content.Post) []*content.Post {
	var out []*content.Post
	for _, p := range posts {
		if sub.Follows(slugs(p.Categories)) {
			out = append(out, p)
		}
	}
	return out
}

// Deliver sends every due message, a batch per connection, and records each
// outcome: sent; queued again with a growing wait after a temporary
// refusal; failed, the address marked bounced, after a permanent one.
func (s *Service) Deliver(ctx context.Context) (sent int, err error) {
	site, err := s.cfg.DB.LoadSettings(ctx)
	if err != nil {
		return 0, err
	}
	r := &renderer{s: s, site: site, base: s.BaseURL(), posts: map[int64]*content.Post{}, digests: map[string][]*content.Post{}}
	for ctx.Err() == nil {
		claimed, err := s.cfg.DB.ClaimSends(ctx, Batch, claimHold)
		if err != nil || len(claimed) == 0 {
			return sent, err
		}
		msgs := make([]*mailer.Message, 0, len(claimed))
		var unmade []store.SendOutcome
		var pending []store.Send
		for _, c := range claimed {
			m, err := r.message(ctx, c)
			if err != nil {
				// A message that cannot be made (its post deleted since) is
				// failed, not tried again.
				unmade = append(unmade, store.SendOutcome{ID: c.ID, SubscriberID: c.Subscriber.ID, Err: err.Error()})
				continue
			}
			msgs = append(msgs, m)
			pending = append(pending, c)
		}
		// Recorded even when ctx ended, so what went is not sent again.
		record := context.WithoutCancel(ctx)
		if err := s.cfg.DB.FinishSends(record, unmade); err != nil {
			return sent, err
		}
		// Each outcome is recorded before the next message is begun: a
		// process stopped in between leaves at most one message of the
		// batch in doubt (see store.RecoverSends).
		var failed error
		s.cfg.Mail.SendEach(ctx, msgs, func(i int, err error) bool {
			c := pending[i]
			o := store.SendOutcome{ID: c.ID, SubscriberID: c.Subscriber.ID}
			switch {
			case err == nil:
				sent++
			case mailer.Permanent(err):
				o.Err, o.Bounced = err.Error(), true
			case c.Attempts+1 >= maxAttempts:
				o.Err = fmt.Sprintf("given up after %d tries: %v", c.Attempts+1, err)
			default:
				o.Err, o.RetryAt = err.Error(), s.cfg.DB.Now().Add(backoff(c.Attempts))
			}
			// A send whose outcome cannot be recorded stops the batch: the
			// rest stay claimed, and are settled as a crash's would be.
			failed = s.cfg.DB.FinishSends(record, []store.SendOutcome{o})
			return failed == nil
		})
		if failed != nil {
			return sent, failed
		}
	}
	return sent, ctx.Err()
}

// renderer makes the messages of a round, reading each post and digest once.
type renderer struct {
	s       *Service
	site    content.Settings
	base    string
	posts   map[int64]*content.Post
	digests map[string][]*content.Post
}

// Mail is what the theme's email templates show.
type Mail struct {
	Site content.Settings
	Base string // the site's address, without a trailing slash
	// Post is the story of a message for every story; Posts, a digest's.
	Post  *content.Post
	Posts []*content.Post
	// Period names a digest's day or week.
	Period      string
	Subscriber  *content.Subscriber
	Unsubscribe string // the one-click unsubscribe (and choices) page
}

// URL is a path's absolute address on the site.
func (m *Mail) URL(path string) string { return m.Base + path }

// Teaser is the story's teaser, its stored (sanitised) HTML with links and
// images made absolute, as a mail program has no page to resolve them on.
func (m *Mail) Teaser() htmltemplate.HTML {
	if m.Post == nil {
		return ""
	}
	return htmltemplate.HTML(markup.Absolutize(m.Post.TeaserHTML, m.URL(m.Post.Path())))
}

func (r *renderer) message(ctx context.Context, c store.Send) (*mailer.Message, error) {
	base := r.base
	token, err := r.s.UnsubscribeToken(ctx, c.Subscriber)
	if err != nil {
		return nil, err
	}
	data := &Mail{Site: r.site, Base: base, Subscriber: c.Subscriber, Unsubscribe: base + "/unsubscribe?token=" + url.QueryEscape(token)}
	var name, subject string
	if c.PostID != 0 {
		p, ok := r.posts[c.PostID]
		if !ok {
			if p, err = r.s.cfg.DB.FindPostByID(ctx, c.PostID); err != nil {
				return nil, fmt.Errorf("the post of %s: %w", c.Edition, err)
			}
			r.posts[c.PostID] = p
		}
		data.Post, name, subject = p, "post", p.Title
	} else {
		per, ok := parsePeriod(c.Edition, r.site.Location())
		if !ok {
			return nil, fmt.Errorf("%q is no edition", c.Edition)
		}
		posts, ok := r.digests[c.Edition]
		if !ok {
			if posts, err = r.s.periodPosts(ctx, per); err != nil {
				return nil, err
			}
			r.digests[c.Edition] = posts
		}
		data.Posts, data.Period, name = followed(c.Subscriber, posts), per.label, "digest"
		if len(data.Posts) == 0 {
			return nil, errors.New("nothing in the sections followed")
		}
		subject = r.site.Title + ": " + per.label
	}
	text, err := r.s.renderText(name+".txt", data)
	if err != nil {
		return nil, err
	}
	html, err := r.s.renderHTML(name+".html", data)
	if err != nil {
		return nil, err
	}
	return r.s.message(base, c.Subscriber.Email, subject, text, html, data.Unsubscribe,
		strings.ReplaceAll(c.Edition, ":", "-")+"."+strconv.FormatInt(c.Subscriber.ID, 10)), nil
}

// Preview renders the message a post makes, addressed to to as if to a
// subscriber of every story (the admin's preview and test send); base is
// the site's address when none is configured.
func (s *Service) Preview(ctx context.Context, base string, postID int64, to string) (*mailer.Message, error) {
	if !s.On() {
		return nil, errOff
	}
	site, err := s.cfg.DB.LoadSettings(ctx)
	if err != nil {
		return nil, err
	}
	if b := s.BaseURL(); b != "" {
		base = b
	}
	r := &renderer{s: s, site: site, base: strings.TrimSuffix(base, "/"), posts: map[int64]*content.Post{}, digests: map[string][]*content.Post{}}
	sub := &content.Subscriber{Email: to, Status: content.SubscriberConfirmed, Frequency: content.EveryStory}
	m, err := r.message(ctx, store.Send{Edition: "preview:" + strconv.FormatInt(postID, 10), PostID: postID, Subscriber: sub})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// message is a newsletter message to one address with the list's headers:
// List-Id, List-Unsubscribe (the page and a mailto:), List-Unsubscribe-Post
// and a Message-ID made of id, so a message sent again is known as the same.
func (s *Service) message(base, to, subject, text, html, unsubscribe, id string) *mailer.Message {
	host := "broadsheet.invalid"
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	from := s.cfg.Mail.From()
	return &mailer.Message{To: to, Subject: subject, Text: text, HTML: html,
		MessageID: id + "@" + host, ListID: "<newsletter." + host + ">",
		ListUnsubscribe:   unsubscribe,
		UnsubscribeMailto: "mailto:" + from + "?subject=unsubscribe",
	}
}
