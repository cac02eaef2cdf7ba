// Package auth signs people in to the editorial admin and the Admin API:
// argon2id password hashes, database-backed sessions behind a secure,
// HttpOnly, SameSite cookie, hashed API tokens sent as bearer tokens, and
// the throttle that slows and then refuses repeated failed sign-ins.
// Who may do what once signed in is content's affair (see content.Can*).
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/broadsheet/broadsheet/internal/content"
)

// MinPasswordLen is the shortest password accepted, in characters.
const MinPasswordLen = 10

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes), a
// fraction of a second on a small server.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// CheckPassword says why a new password is refused, or nil.
func CheckPassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return content.FieldError("password", "the password must have at least %d characters", MinPasswordLen)
	}
	if len(pw) > 1024 {
		return content.FieldError("password", "the password is longer than 1024 bytes")
	}
	return nil
}

// hashPassword returns the argon2id hash of pw in the PHC string format,
// with a fresh random salt. It holds argonMemory while it runs: callers go
// through a Hasher.
func hashPassword(pw string) (string, error) {
	if err := CheckPassword(pw); err != nil {
		return "", err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	return phc(salt, argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)), nil
}

// phc writes an argon2id hash with this package's parameters in the PHC
// string format.
func phc(salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// dummyHash is verified against when an email is unknown, so that the
// answer costs as much, and takes as long, as for a known one and reveals
// nothing. Its key is random rather than computed: verifying against it
// runs argon2id with the same parameters all the same, and no password
// matches it.
var dummyHash = phc([]byte(NewSecret("")[:16]), []byte(NewSecret("")[:argonKeyLen]))

// verifyPassword reports whether pw matches hash, in constant time. The
// parameters are read from the hash, so they can be raised later without
// invalidating older hashes. It holds the hash's memory while it runs:
// callers go through a Hasher.
func verifyPassword(pw, hash string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("auth: not an argon2id hash")
	}
	var (
		m, t uint32
		p    uint8
	)
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, fmt.Errorf("auth: argon2id parameters: %w", err)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("auth: argon2id salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, fmt.Errorf("auth: argon2id key: %w", err)
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NewSecret returns a random secret for a session id or an API token:
// 32 random bytes, URL-safe.
func NewSecret(prefix string) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported systems
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret returns what is stored of a secret: its SHA-256, in hex. The
// secrets are random and long, so a fast hash is enough.
func HashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
