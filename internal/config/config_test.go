package config

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

func TestFlagsOverrideEnvironmentOverridesDefaults(t *testing.T) {
	c := Default()
	if err := c.FromEnv([]string{"BROADSHEET_DATA=/srv/site", "BROADSHEET_ADDR=0.0.0.0:80", "OTHER=x", "BROADSHEET_DB=",
		"BROADSHEET_PAGE_CACHE=16", "BROADSHEET_FRAGMENT_CACHE=0"}); err != nil {
		t.Fatal(err)
	}
	if c.PageCache != 16 || c.FragmentCache != 0 {
		t.Errorf("page cache = %d MB, fragment cache %d MB, want 16 and 0", c.PageCache, c.FragmentCache)
	}
	if c.DataDir != "/srv/site" || c.Addr != "0.0.0.0:80" || c.DB != "" {
		t.Fatalf("after env: %+v", c)
	}
	if got := c.DatabaseURL(); got != filepath.Join("/srv/site", "broadsheet.db") {
		t.Errorf("default database = %q", got)
	}
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	c.GlobalFlags(fs)
	c.ServeFlags(fs)
	if err := fs.Parse([]string{"--db", "postgres://db/site", "--addr", ":9000"}); err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL() != "postgres://db/site" || c.Addr != ":9000" || c.DataDir != "/srv/site" {
		t.Errorf("after flags: %+v", c)
	}
	if c.ThemeDir() != filepath.Join("/srv/site", "theme") {
		t.Errorf("theme dir = %q", c.ThemeDir())
	}
}

func TestBadEnvironmentIsNamed(t *testing.T) {
	c := Default()
	err := c.FromEnv([]string{"BROADSHEET_PAGE_CACHE=lots"})
	if err == nil || !strings.Contains(err.Error(), "BROADSHEET_PAGE_CACHE") {
		t.Errorf("a page cache of %q: err = %v, want it named", "lots", err)
	}
}

// TestTrustedProxies reads the proxies' address ranges from the environment
// and the flag, a bare address standing for itself, and names a bad range.
func TestTrustedProxies(t *testing.T) {
	c := Default()
	if err := c.FromEnv([]string{"BROADSHEET_TRUSTED_PROXIES=10.0.0.0/8, 192.0.2.7"}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(c.TrustedProxies); got != "[10.0.0.0/8 192.0.2.7/32]" {
		t.Errorf("from the environment: %s", got)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.ServeFlags(fs)
	if err := fs.Parse([]string{"--trusted-proxies", "127.0.0.1/32,fd00::/8"}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(c.TrustedProxies); got != "[127.0.0.1/32 fd00::/8]" {
		t.Errorf("the flag replaces the environment: %s", got)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.example.org", "10.0.0.0/8,,"} {
		d := Default()
		err := d.FromEnv([]string{"BROADSHEET_TRUSTED_PROXIES=" + bad})
		if err == nil || !strings.Contains(err.Error(), "BROADSHEET_TRUSTED_PROXIES") || !strings.Contains(err.Error(), "is not an address range") {
			t.Errorf("BROADSHEET_TRUSTED_PROXIES=%s: %v, want an error naming it", bad, err)
		}
		c := Default()
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		c.ServeFlags(fs)
		err = fs.Parse([]string{"--trusted-proxies", bad})
		if err == nil || !strings.Contains(err.Error(), "trusted-proxies") || !strings.Contains(err.Error(), "is not an address range") {
			t.Errorf("--trusted-proxies %s: %v, want an error naming it", bad, err)
		}
	}
}

// TestSMTP reads the mail server from the flag and the environment, keeps
// the password out of what is shown, and refuses a malformed address with
// a sentence that says what is wrong, without repeating the password.
func TestSMTP(t *testing.T) {
	c := Default()
	if err := c.FromEnv([]string{"BROADSHEET_SMTP=smtp://news%40example.org:s3cret@mail.example.org:2525?rate=3"}); err != nil {
		t.Fatal(err)
	}
	s := c.SMTP
	if s == nil || s.Host != "mail.example.org" || s.Port != 2525 || s.User != "news@example.org" || s.Password != "s3cret" ||
		s.From != "news@example.org" || s.Rate != 3 || s.ImplicitTLS {
		t.Fatalf("from the environment: %+v", s)
	}
	if strings.Contains(s.String(), "s3cret") {
		t.Errorf("String() shows the password: %s", s)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.ServeFlags(fs)
	if err := fs.Parse([]string{"--smtp", "smtps://mail.example.org?from=desk@example.org"}); err != nil {
		t.Fatal(err)
	}
	if s := c.SMTP; !s.ImplicitTLS || s.Port != 465 || s.From != "desk@example.org" || s.Rate != DefaultMailRate {
		t.Errorf("from the flag: %+v", s)
	}
	for _, tc := range []struct{ addr, says string }{
		{"http://mail.example.org", "smtp://"},
		{"smtp://user:hunter2@mail.example.org:99999", "port"},
		{"smtp://user:hunter2@", "no host"},
		{"mail.example.org:25", "smtp://"},
		{"smtp://mail.example.org?rate=fast", "rate"},
		{"smtp://mail.example.org?from=nobody", "from"},
		{"smtp://mail.example.org?tls=yes", "unknown setting"},
		{"smtp://mail.example.org?dkim_key=/etc/dkim.pem", "dkim_selector"},
	} {
		d := Default()
		err := d.FromEnv([]string{"BROADSHEET_SMTP=" + tc.addr})
		if err == nil || !strings.Contains(err.Error(), tc.says) || !strings.Contains(err.Error(), "BROADSHEET_SMTP") {
			t.Errorf("%q: err = %v, want it to name BROADSHEET_SMTP and say %q", tc.addr, err, tc.says)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: the error shows the password: %v", tc.addr, err)
		}
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		c := Default()
		c.ServeFlags(fs)
		if err := fs.Parse([]string{"--smtp", tc.addr}); err == nil {
			t.Errorf("--smtp %q accepted", tc.addr)
		}
	}
}
