package content

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// SubscriberStatus is where a newsletter reader stands.
type SubscriberStatus string

// Subscribers' statuses.
const (
	// SubscriberPending has asked to subscribe and not yet confirmed by
	// the link mailed to them (double opt-in); nothing else is sent.
	SubscriberPending SubscriberStatus = "pending"
	// SubscriberConfirmed receives the newsletter.
	SubscriberConfirmed SubscriberStatus = "confirmed"
	// SubscriberUnsubscribed left; nothing is sent until they subscribe again.
	SubscriberUnsubscribed SubscriberStatus = "unsubscribed"
	// SubscriberBounced: the mail server refused the address for good.
	SubscriberBounced SubscriberStatus = "bounced"
)

// SubscriberStatuses lists the statuses in the admin's order.
var SubscriberStatuses = []SubscriberStatus{SubscriberConfirmed, SubscriberPending, SubscriberUnsubscribed, SubscriberBounced}

// Frequency is how often a subscriber is mailed.
type Frequency string

// Frequencies.
const (
	EveryStory   Frequency = "each"   // every post as it is published
	DailyDigest  Frequency = "daily"  // one message a day listing the day's posts
	WeeklyDigest Frequency = "weekly" // one a week
)

// Frequencies lists them in the order a form offers them.
var Frequencies = []Frequency{EveryStory, DailyDigest, WeeklyDigest}

// Label says the frequency in words.
func (f Frequency) Label() string {
	switch f {
	case DailyDigest:
		return "A daily digest"
	case WeeklyDigest:
		return "A weekly digest"
	}
	return "Every story, as it is published"
}

// Subscriber is a reader who receives (or asked for) the newsletter.
type Subscriber struct {
	ID        int64
	Email     string
	Name      string
	Status    SubscriberStatus
	Frequency Frequency
	// Sections are the slugs of the categories followed; none means all.
	Sections []string
	// Source says how they came: "form", "import" or "admin".
	Source         string
	CreatedAt      time.Time
	ConfirmedAt    time.Time
	UnsubscribedAt time.Time
	// Failure is the mail server's answer that marked the address bounced.
	Failure string
	// ConfirmSentAt is when the last confirmation link was mailed.
	ConfirmSentAt time.Time
}

// Follows reports whether a post in the given categories (slugs) goes to s.
func (s *Subscriber) Follows(categories []string) bool {
	if len(s.Sections) == 0 {
		return true
	}
	for _, c := range categories {
		for _, f := range s.Sections {
			if c == f {
				return true
			}
		}
	}
	return false
}

// NormalizeEmail checks a reader's address and returns it trimmed; the
// error names what is wrong, on the field "email".
func NormalizeEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return "", FieldError("email", "type your email address")
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return "", FieldError("email", "%s", fmt.Sprintf("%q is not an email address (it should look like name@example.org)", email))
	}
	at := strings.LastIndex(email, "@")
	if at < 1 || !strings.Contains(email[at+1:], ".") || strings.HasSuffix(email, ".") || len(email) > 254 {
		return "", FieldError("email", "%s", fmt.Sprintf("%q is not an email address (it should look like name@example.org)", email))
	}
	return email, nil
}

// Validate checks a subscriber before it is stored.
func (s *Subscriber) Validate() error {
	email, err := NormalizeEmail(s.Email)
	if err != nil {
		return err
	}
	s.Email = email
	switch s.Frequency {
	case "":
		s.Frequency = EveryStory
	case EveryStory, DailyDigest, WeeklyDigest:
	default:
		return FieldError("frequency", "%s", fmt.Sprintf("%q is not a choice: choose every story, a daily or a weekly digest", s.Frequency))
	}
	switch s.Status {
	case "":
		s.Status = SubscriberPending
	case SubscriberPending, SubscriberConfirmed, SubscriberUnsubscribed, SubscriberBounced:
	default:
		return FieldError("status", "%s", fmt.Sprintf("%q is not a subscriber's status", s.Status))
	}
	return nil
}
