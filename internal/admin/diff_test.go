package admin

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDiff(t *testing.T) {
	got := Diff("a\nb\nc\nd", "a\nc\nd\ne")
	want := []DiffLine{{" ", "a"}, {"-", "b"}, {" ", "c"}, {" ", "d"}, {"+", "e"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Diff (-want +got):\n%s", d)
	}
	if got := Diff("same", "same"); len(got) != 1 || got[0].Op != " " {
		t.Errorf("identical texts: %v", got)
	}
}
