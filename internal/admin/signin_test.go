package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/auth"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// answer is what a client saw of a response.
type answer struct {
	status     int
	retryAfter string
	body       string
}

// TestSignInFloodWaitsForAHashingSlot holds the only hashing slot and
// floods the sign-in form with wrong passwords and unknown emails: every
// one is answered, 503 with Retry-After and a clear page, none hangs and
// none is hashed. Creating an account through the form and the API waits
// for the same slot. Once it is free, the right password signs in.
func TestSignInFloodWaitsForAHashingSlot(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		hasher := auth.NewHasher(1, 200*time.Millisecond)
		e := newEnv(t, db, withHasher(hasher))
		admin := e.signIn("admin") // before the slot is taken
		release, err := hasher.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		const flood = 24
		answers := make([]answer, flood)
		var wg sync.WaitGroup
		for i := range flood {
			wg.Add(1)
			go func() {
				defer wg.Done()
				email := fmt.Sprintf("nobody%d@example.org", i)
				if i%2 == 0 {
					email = roleKeys[i/2%len(roleKeys)] + "@example.org"
				}
				// Each from its own address, and no more than three at an
				// account, so that the throttle lets them all through.
				res, err := e.from(fmt.Sprintf("127.0.0.%d", 10+i)).PostForm(e.srv.URL+"/admin/login", url.Values{"email": {email}, "password": {"not the password"}})
				if err != nil {
					t.Error(err)
					return
				}
				answers[i] = answer{res.StatusCode, res.Header.Get("Retry-After"), readAll(t, res)}
			}()
		}
		wg.Wait()
		for i, a := range answers {
			if a.status != http.StatusServiceUnavailable || !positiveSeconds(a.retryAfter) ||
				!strings.Contains(a.body, "Too many passwords are being checked at once") || !strings.Contains(a.body, `name="password"`) {
				t.Errorf("sign-in %d with the hashing slot taken: %d, Retry-After %q, want 503 with Retry-After and the sign-in form saying why", i, a.status, a.retryAfter)
			}
		}
		// Hashing a new account's password waits for the same slot.
		res, err := admin.PostForm(e.srv.URL+"/admin/users", url.Values{"name": {"Ada"}, "email": {"ada@example.org"}, "role": {"author"}, "password": {testPassword}})
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, res); res.StatusCode != http.StatusServiceUnavailable || !positiveSeconds(res.Header.Get("Retry-After")) ||
			!strings.Contains(body, "Too many passwords are being checked at once") {
			t.Errorf("add a user with the slot taken: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
		}
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/users", strings.NewReader(`{"email": "ife@example.org", "name": "Ife", "role": "author", "password": "a long enough password"}`))
		req.Header.Set("Authorization", "Bearer "+e.tokens["admin"])
		res, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, res); res.StatusCode != http.StatusServiceUnavailable || !positiveSeconds(res.Header.Get("Retry-After")) ||
			!strings.Contains(body, `"message": "Too many passwords are being checked at once`) {
			t.Errorf("API: add a user with the slot taken: %d, Retry-After %q: %s", res.StatusCode, res.Header.Get("Retry-After"), body)
		}
		if u, _, _ := db.FindUserByEmail(ctx, "ada@example.org"); u != nil {
			t.Error("an account was created without its password hashed")
		}
		release()
		// None of the refused sign-ins counted as a failure: the right
		// password signs in at once.
		e.signIn("editor")
		e.signIn("author")
	})
}

// positiveSeconds reports whether a Retry-After value is a whole number of
// seconds above zero.
func positiveSeconds(v string) bool {
	n, err := strconv.Atoi(v)
	return err == nil && n > 0
}

// TestConcurrentGuessesAreCountedBeforeTheyAreChecked sends a burst of
// wrong passwords at once: each attempt is counted before its password is
// checked, so no more are checked (answered 401) than the throttle allows,
// and the rest are refused with 429 and Retry-After. Once from many
// addresses at one account, once from one address at many emails.
func TestConcurrentGuessesAreCountedBeforeTheyAreChecked(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		burst := func(n int, client func(i int) *http.Client, email func(i int) string) (checked int) {
			answers := make([]answer, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res, err := client(i).PostForm(e.srv.URL+"/admin/login", url.Values{"email": {email(i)}, "password": {"not the password"}})
					if err != nil {
						t.Error(err)
						return
					}
					answers[i] = answer{res.StatusCode, res.Header.Get("Retry-After"), readAll(t, res)}
				}()
			}
			wg.Wait()
			for i, a := range answers {
				switch {
				case a.status == http.StatusUnauthorized:
					checked++
				case a.status == http.StatusTooManyRequests && positiveSeconds(a.retryAfter) && strings.Contains(a.body, "Too many failed sign-ins"):
				case a.status == http.StatusServiceUnavailable && positiveSeconds(a.retryAfter):
				default:
					t.Errorf("guess %d: %d, Retry-After %q, want 401, or 429 or 503 with Retry-After", i, a.status, a.retryAfter)
				}
			}
			return checked
		}
		const n = 40
		checked := burst(n, func(i int) *http.Client { return e.from(fmt.Sprintf("127.0.0.%d", 10+i)) },
			func(int) string { return "author@example.org" })
		if checked > auth.LockAfter {
			t.Errorf("%d of %d concurrent guesses at one account were checked; the throttle allows %d", checked, n, auth.LockAfter)
		}
		const m = auth.LockAfterAddr + 20
		checked = burst(m, func(int) *http.Client { return e.browser() },
			func(i int) string { return fmt.Sprintf("nobody%d@example.org", i) })
		if checked > auth.LockAfterAddr {
			t.Errorf("%d of %d concurrent guesses from one address were checked; the throttle allows %d", checked, m, auth.LockAfterAddr)
		}
	})
}

// TestThrottleCountsTheClientsBehindAProxy has readers sign in through a
// trusted proxy: failures are counted by each reader's address, so many
// readers' failures do not lock another out, while one reader's do. From
// a peer that is not a trusted proxy, forwarding headers change nothing.
func TestThrottleCountsTheClientsBehindAProxy(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, withProxies("127.0.0.1/32"))
		try := func(c *http.Client, forwardedFor, email, pw string) int {
			req, _ := http.NewRequest("POST", e.srv.URL+"/admin/login", strings.NewReader(url.Values{"email": {email}, "password": {pw}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", forwardedFor)
			res, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		// As many failures as lock an address, from as many readers.
		proxy := e.browser()
		for i := range auth.LockAfterAddr {
			if status := try(proxy, fmt.Sprintf("198.51.100.%d", i+1), fmt.Sprintf("nobody%d@example.org", i), "wrong"); status != http.StatusUnauthorized {
				t.Fatalf("failure %d from its own reader: %d", i, status)
			}
		}
		if status := try(proxy, "203.0.113.5", "editor@example.org", testPassword); status != http.StatusSeeOther {
			t.Errorf("another reader behind the proxy, the right password: %d, want signed in", status)
		}
		// One reader's failures slow that reader alone.
		for i := range auth.SlowAfter {
			try(proxy, "192.0.2.9", fmt.Sprintf("guess%d@example.org", i), "wrong")
		}
		if status := try(proxy, "192.0.2.9", "author@example.org", testPassword); status != http.StatusTooManyRequests {
			t.Errorf("the reader who failed %d times: %d, want 429", auth.SlowAfter, status)
		}
		if status := try(proxy, "192.0.2.10", "author@example.org", testPassword); status != http.StatusSeeOther {
			t.Errorf("a reader next to them: %d, want signed in", status)
		}
		// A client that is not a trusted proxy cannot pass for another
		// reader: its failures count under its own address.
		direct := e.from("127.0.0.2")
		for i := range auth.SlowAfter {
			try(direct, fmt.Sprintf("198.18.0.%d", i+1), fmt.Sprintf("direct%d@example.org", i), "wrong")
		}
		if status := try(direct, "198.18.0.99", "admin@example.org", testPassword); status != http.StatusTooManyRequests {
			t.Errorf("forged X-Forwarded-For from an untrusted client after %d failures: %d, want 429", auth.SlowAfter, status)
		}
	})
}
