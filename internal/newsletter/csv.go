package newsletter

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

// The subscriber lists of other newsletters, as their exports write them,
// read for an import and written for an export:
//
//   - Ghost (Members → Export): id, email, name, note, subscribed_to_emails,
//     complimentary_plan, stripe_customer_id, created_at, deleted_at,
//     labels, tiers; subscribed_to_emails false is an unsubscribed member.
//   - Substack (Subscribers → Export): email, active_subscription, expiry,
//     plan, email_disabled, created_at; email_disabled true is unsubscribed.
//   - Mailchimp (Audience → Export): "Email Address", "First Name", "Last
//     Name", … OPTIN_TIME, CONFIRM_TIME …; its unsubscribed export adds
//     UNSUB_TIME and its cleaned one CLEAN_TIME (a bounced address).
//
// Any CSV with an "email" column is read too.

// Formats of a subscriber list.
const (
	FormatGhost     = "ghost"
	FormatSubstack  = "substack"
	FormatMailchimp = "mailchimp"
	FormatPlain     = "csv"
)

// ExportFormats lists the formats an export may be written in.
var ExportFormats = []string{FormatGhost, FormatSubstack, FormatMailchimp}

// Problem is a row of a list that was not imported, and why.
type Problem struct {
	Line   int
	Email  string
	Reason string
}

func (p Problem) String() string { return fmt.Sprintf("line %d (%s): %s", p.Line, p.Email, p.Reason) }

// MaxImportRows bounds one import.
const MaxImportRows = 200_000

// ReadList reads a subscriber list in any of the formats, telling which.
// Rows with a bad address, or an address met before in the file, are
// returned as problems, not subscribers. An error means the file as a
// whole cannot be read (not CSV, no email column).
func ReadList(r io.Reader) (format string, subs []*content.Subscriber, problems []Problem, err error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err == io.EOF {
		return "", nil, nil, errors.New("the file is empty: export the list again and choose the file it gives")
	}
	if err != nil {
		return "", nil, nil, fmt.Errorf("the file is not CSV: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		col[strings.ToLower(h)] = i
	}
	has := func(name string) bool { _, ok := col[name]; return ok }
	emailCol := "email"
	switch {
	case has("email address"):
		format, emailCol = FormatMailchimp, "email address"
	case has("subscribed_to_emails"):
		format = FormatGhost
	case has("email_disabled") || has("active_subscription"):
		format = FormatSubstack
	case has("email"):
		format = FormatPlain
	default:
		return "", nil, nil, fmt.Errorf("the file has no email column (its first line reads %q): export it from Ghost, Substack or Mailchimp, or name a column \"email\"",
			strings.Join(header, ","))
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	seen := map[string]bool{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", nil, nil, fmt.Errorf("line %d is not CSV: %w", line, err)
		}
		if len(subs)+len(problems) >= MaxImportRows {
			return "", nil, nil, fmt.Errorf("the file has more than %d rows: split it", MaxImportRows)
		}
		raw := get(rec, emailCol)
		if raw == "" && strings.Join(rec, "") == "" {
			continue // a blank line
		}
		email, err := content.NormalizeEmail(raw)
		if err != nil {
			problems = append(problems, Problem{Line: line, Email: raw, Reason: content.ErrorMessage(err)})
			continue
		}
		key := strings.ToLower(email)
		if seen[key] {
			problems = append(problems, Problem{Line: line, Email: email, Reason: "the address is in the file already"})
			continue
		}
		seen[key] = true
		s := &content.Subscriber{Email: email, Status: content.SubscriberConfirmed, Frequency: content.EveryStory, Source: "import:" + format}
		switch format {
		case FormatGhost:
			s.Name = get(rec, "name")
			if strings.EqualFold(get(rec, "subscribed_to_emails"), "false") {
				s.Status = content.SubscriberUnsubscribed
			}
			s.CreatedAt = parseTime(get(rec, "created_at"))
		case FormatSubstack:
			if strings.EqualFold(get(rec, "email_disabled"), "true") {
				s.Status = content.SubscriberUnsubscribed
			}
			s.CreatedAt = parseTime(get(rec, "created_at"))
		case FormatMailchimp:
			s.Name = strings.TrimSpace(get(rec, "first name") + " " + get(rec, "last name"))
			s.CreatedAt = parseTime(get(rec, "optin_time"))
			s.ConfirmedAt = parseTime(get(rec, "confirm_time"))
			switch {
			case get(rec, "clean_time") != "":
				s.Status, s.Failure = content.SubscriberBounced, "cleaned in Mailchimp"
			case get(rec, "unsub_time") != "":
				s.Status, s.UnsubscribedAt = content.SubscriberUnsubscribed, parseTime(get(rec, "unsub_time"))
			}
		default:
			s.Name = get(rec, "name")
			if st := content.SubscriberStatus(strings.ToLower(get(rec, "status"))); st != "" {
				s.Status = st
			}
		}
		if err := s.Validate(); err != nil {
			problems = append(problems, Problem{Line: line, Email: email, Reason: content.ErrorMessage(err)})
			continue
		}
		subs = append(subs, s)
	}
	return format, subs, problems, nil
}

// parseTime reads the times the exports write; zero when it cannot.
func parseTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05.000Z", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// firstTime is the first time given that is set: Mailchimp tells an
// unsubscribed or cleaned address by its time being there.
func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// cell keeps a spreadsheet from reading a name as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteList writes subscribers in the format another newsletter imports.
func WriteList(w io.Writer, format string, subs []*content.Subscriber) error {
	cw := csv.NewWriter(w)
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	mc := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05")
	}
	switch format {
	case FormatGhost:
		cw.Write([]string{"id", "email", "name", "note", "subscribed_to_emails", "complimentary_plan", "stripe_customer_id", "created_at", "deleted_at", "labels", "tiers"})
		for _, s := range subs {
			cw.Write([]string{"", s.Email, cell(s.Name), "", strconv.FormatBool(s.Status == content.SubscriberConfirmed), "false", "", stamp(s.CreatedAt), "", "", ""})
		}
	case FormatSubstack:
		cw.Write([]string{"email", "active_subscription", "expiry", "plan", "email_disabled", "created_at"})
		for _, s := range subs {
			cw.Write([]string{s.Email, "false", "", "free", strconv.FormatBool(s.Status != content.SubscriberConfirmed), stamp(s.CreatedAt)})
		}
	case FormatMailchimp:
		cw.Write([]string{"Email Address", "First Name", "Last Name", "OPTIN_TIME", "CONFIRM_TIME", "UNSUB_TIME", "CLEAN_TIME"})
		for _, s := range subs {
			first, last, _ := strings.Cut(s.Name, " ")
			unsub, clean := "", ""
			switch s.Status {
			case content.SubscriberUnsubscribed:
				unsub = mc(firstTime(s.UnsubscribedAt, s.CreatedAt, time.Now()))
			case content.SubscriberBounced:
				clean = mc(firstTime(s.CreatedAt, time.Now()))
			}
			cw.Write([]string{s.Email, cell(first), cell(last), mc(s.CreatedAt), mc(s.ConfirmedAt), unsub, clean})
		}
	default:
		return fmt.Errorf("%q is not an export format: choose ghost, substack or mailchimp", format)
	}
	cw.Flush()
	return cw.Error()
}
