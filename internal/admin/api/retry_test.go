package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/web"
)

// TestErrorsSayWhenToRetry: every 429 and 503 the API writes carries
// Retry-After, the wait the error names or a default; other failures none.
func TestErrorsSayWhenToRetry(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&web.HTTPError{Status: http.StatusTooManyRequests, Message: "Too many sign-ins.", RetryAfter: 90 * time.Second}, "90"},
		{&web.HTTPError{Status: http.StatusTooManyRequests, Message: "Too many sign-ins.", RetryAfter: 1500 * time.Millisecond}, "2"},
		{&web.HTTPError{Status: http.StatusTooManyRequests, Message: "Too many sign-ins."}, "5"},
		{fmt.Errorf("wrapped: %w", &web.HTTPError{Status: http.StatusServiceUnavailable, Message: "Busy.", RetryAfter: time.Minute}), "60"},
		{&web.HTTPError{Status: http.StatusServiceUnavailable, Message: "Busy."}, "5"},
		{content.Errorf(content.ENotFound, "No post 3."), ""},
		{errors.New("boom"), ""},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		writeError(w, tt.err)
		if got := w.Header().Get("Retry-After"); got != tt.want {
			t.Errorf("%v (%d): Retry-After %q, want %q", tt.err, w.Code, got, tt.want)
		}
	}
}
