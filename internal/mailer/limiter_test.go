package mailer

import (
	"strings"
	"testing"
	"time"
)

// TestLimiterSpacesMessages gives each message its own slot 1/rate apart,
// whoever asks, and lets an idle mailer send at once.
func TestLimiterSpacesMessages(t *testing.T) {
	l := newLimiter(4) // 250ms apart
	now := time.Unix(1000, 0)
	var waits []string
	for range 3 {
		waits = append(waits, l.reserve(now).String())
	}
	if got := strings.Join(waits, " "); got != "0s 250ms 500ms" {
		t.Errorf("three messages at once wait %s, want 0s 250ms 500ms", got)
	}
	if d := l.reserve(now.Add(time.Minute)); d != 0 {
		t.Errorf("after a quiet minute: wait %s, want none", d)
	}
}
