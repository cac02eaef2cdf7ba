package store

import "testing"

func TestWithConnectTimeout(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u@h:5432/db":                        "postgres://u@h:5432/db?connect_timeout=5",
		"postgres://u@h/db?sslmode=disable":             "postgres://u@h/db?connect_timeout=5&sslmode=disable",
		"postgres://u@h/db?connect_timeout=30":          "postgres://u@h/db?connect_timeout=30",
		"postgresql://u:p%40ss@h/db?application_name=x": "postgresql://u:p%40ss@h/db?application_name=x&connect_timeout=5",
	} {
		if got := withConnectTimeout(in); got != want {
			t.Errorf("withConnectTimeout(%q) = %q, want %q", in, got, want)
		}
	}
}
