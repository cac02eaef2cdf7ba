package newsletter

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

// What a signed link is for: it is part of what is signed, so a link for
// one thing does nothing for another.
const (
	purposeConfirm     = "c"
	purposeUnsubscribe = "u"
)

// ConfirmTTL is how long a confirmation link works; ConfirmEvery, how
// often one is mailed to an address at most.
const (
	ConfirmTTL   = 72 * time.Hour
	ConfirmEvery = 10 * time.Minute
)

// Link errors: the one a reader meets on a page.
var (
	errDamagedLink = content.Errorf(content.EInvalid,
		"This link is damaged or was changed: open it again from the email, copying the whole address, or subscribe again.")
	errExpiredLink = content.Errorf(content.EInvalid,
		"This confirmation link has expired: links work for three days. Subscribe again to get a new one.")
)

// sign makes the token of a link for the subscriber: what it is for, whom,
// and until when (0: for ever), signed with the newsletter's key over the
// subscriber's address too, so a link stops working if the address changes.
func sign(key []byte, purpose string, s *content.Subscriber, expires time.Time) string {
	exp := int64(0)
	if !expires.IsZero() {
		exp = expires.Unix()
	}
	payload := purpose + "." + strconv.FormatInt(s.ID, 36) + "." + strconv.FormatInt(exp, 36)
	return payload + "." + mac(key, payload, s.Email)
}

func mac(key []byte, payload, email string) string {
	h := hmac.New(sha256.New, key)
	fmt.Fprintf(h, "%s|%s", payload, strings.ToLower(email))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:20])
}

// parsedToken is a token read but not yet checked against its subscriber.
type parsedToken struct {
	purpose string
	id      int64
	expires time.Time
	payload string
	sig     string
}

func parseToken(token, purpose string) (parsedToken, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 4 || parts[0] != purpose {
		return parsedToken{}, errDamagedLink
	}
	id, err1 := strconv.ParseInt(parts[1], 36, 64)
	exp, err2 := strconv.ParseInt(parts[2], 36, 64)
	if err1 != nil || err2 != nil || id <= 0 || exp < 0 {
		return parsedToken{}, errDamagedLink
	}
	p := parsedToken{purpose: purpose, id: id, payload: strings.Join(parts[:3], "."), sig: parts[3]}
	if exp > 0 {
		p.expires = time.Unix(exp, 0)
	}
	return p, nil
}

// check verifies the token against the subscriber it names, at now.
func (p parsedToken) check(key []byte, s *content.Subscriber, now time.Time) error {
	if !hmac.Equal([]byte(mac(key, p.payload, s.Email)), []byte(p.sig)) {
		return errDamagedLink
	}
	if !p.expires.IsZero() && now.After(p.expires) {
		return errExpiredLink
	}
	return nil
}
