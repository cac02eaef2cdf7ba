package web

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

// TestAdapterSaysWhenToRetry: pages refused for now (429, 503) carry
// Retry-After, the wait the error names or a default; others none.
func TestAdapterSaysWhenToRetry(t *testing.T) {
	a := &Adapter{Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Error: func(w http.ResponseWriter, r *http.Request, status int, msg string) { http.Error(w, msg, status) }}
	tests := []struct {
		err    error
		status int
		want   string
	}{
		{&HTTPError{Status: http.StatusTooManyRequests, Message: "Wait.", RetryAfter: 42 * time.Second}, 429, "42"},
		{&HTTPError{Status: http.StatusServiceUnavailable, Message: "Busy."}, 503, "5"},
		{content.Errorf(content.EForbidden, "No."), 403, ""},
		{errors.New("boom"), 500, ""},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		a.Handle(func(http.ResponseWriter, *http.Request) error { return tt.err }).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		if w.Code != tt.status || w.Header().Get("Retry-After") != tt.want {
			t.Errorf("%v: %d, Retry-After %q; want %d, %q", tt.err, w.Code, w.Header().Get("Retry-After"), tt.status, tt.want)
		}
	}
}
