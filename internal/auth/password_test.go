package auth

import (
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	h, err := hashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not an argon2id PHC string", h)
	}
	h2, _ := hashPassword("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		if ok, err := verifyPassword(pw, h); ok != want || err != nil {
			t.Errorf("verifyPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	if _, err := verifyPassword("x", "$2a$10$notargon"); err == nil {
		t.Error("a foreign hash was accepted")
	}
	if _, err := hashPassword("short"); err == nil || !strings.Contains(err.Error(), "at least 10 characters") {
		t.Errorf("short password: %v", err)
	}
	if HashSecret("a") == HashSecret("b") || len(NewSecret("bs_")) < 40 {
		t.Error("secrets are not distinct or long enough")
	}
}
