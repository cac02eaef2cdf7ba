package app

import (
	"io"
	"log/slog"
	"strings"
)

// newLogger returns the process's structured logger: text lines by
// default, or one JSON object per line when BROADSHEET_LOG_FORMAT=json, for
// log collectors that gather the logs of several serve processes.
func newLogger(environ []string, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	for _, kv := range environ {
		if k, v, _ := strings.Cut(kv, "="); k == "BROADSHEET_LOG_FORMAT" && strings.EqualFold(v, "json") {
			return slog.New(slog.NewJSONHandler(w, opts))
		}
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// envLookup returns the value of key among KEY=VALUE strings.
func envLookup(environ []string, key string) string {
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}
