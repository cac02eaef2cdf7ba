// Package config reads Broadsheet's infrastructure settings from command-line
// flags and BROADSHEET_* environment variables. The result is a value passed
// to whoever needs it, never a global. Site settings editors change (title,
// posts per page…) live in the database instead.
package config

import (
	"flag"
	"fmt"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
)

// Config is the infrastructure configuration.
type Config struct {
	DataDir string // --data, BROADSHEET_DATA: database, media, theme
	DB      string // --db, BROADSHEET_DB: SQLite path or postgres:// URL
	Addr    string // --addr, BROADSHEET_ADDR: where serve listens
	BaseURL string // --base-url, BROADSHEET_BASE_URL: the public address
	Media   string // --media, BROADSHEET_MEDIA: media folder or s3:// bucket; default DATA/media
	// FetchAllowPrivate lets outbound requests (the source desk's fetches,
	// WebSub pings) reach loopback and private addresses
	// (--fetch-allow-private, BROADSHEET_FETCH_ALLOW_PRIVATE=1); off by
	// default, so feeds and hubs cannot be used to probe the internal network.
	FetchAllowPrivate bool
	// PageCache is the page cache's size in megabytes (--page-cache,
	// BROADSHEET_PAGE_CACHE); 0 turns it off.
	PageCache int
	// FragmentCache is the size in megabytes of the cache of rendered
	// fragments of pages, posts' teasers, reused by every listing showing
	// them (--fragment-cache, BROADSHEET_FRAGMENT_CACHE); 0 turns it off.
	FragmentCache int
	// TrustedProxies are the address ranges of the reverse proxies in front
	// of serve (--trusted-proxies, BROADSHEET_TRUSTED_PROXIES): only a
	// request from one of them has its Forwarded or X-Forwarded-For and
	// X-Forwarded-Proto headers believed, for the client's address (which
	// the sign-in throttle counts by) and whether it uses https.
	TrustedProxies []netip.Prefix
	// SMTP is the mail server (--smtp, BROADSHEET_SMTP); nil leaves the
	// newsletter and account mail off.
	SMTP *SMTP
}

// Default returns the configuration with nothing set.
func Default() Config {
	return Config{DataDir: "data", Addr: "127.0.0.1:8080", PageCache: 64, FragmentCache: 32}
}

// FromEnv overrides c with the BROADSHEET_* variables found in env
// (KEY=VALUE strings, as os.Environ returns them).
func (c *Config) FromEnv(env []string) error {
	vars := map[string]*string{
		"BROADSHEET_DATA": &c.DataDir, "BROADSHEET_DB": &c.DB,
		"BROADSHEET_ADDR": &c.Addr, "BROADSHEET_BASE_URL": &c.BaseURL,
		"BROADSHEET_MEDIA": &c.Media,
	}
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if dst := vars[k]; ok && dst != nil && v != "" {
			*dst = v
		}
		switch k {
		case "BROADSHEET_FETCH_ALLOW_PRIVATE":
			c.FetchAllowPrivate = v == "1" || strings.EqualFold(v, "true")
		case "BROADSHEET_PAGE_CACHE":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("BROADSHEET_PAGE_CACHE=%q: give the page cache's size as a whole number of megabytes (0 turns it off)", v)
			}
			c.PageCache = n
		case "BROADSHEET_TRUSTED_PROXIES":
			if v == "" {
				c.TrustedProxies = nil
				continue
			}
			p, err := parsePrefixes(v)
			if err != nil {
				return fmt.Errorf("BROADSHEET_TRUSTED_PROXIES=%q: %w", v, err)
			}
			c.TrustedProxies = p
		case "BROADSHEET_SMTP":
			if v == "" {
				c.SMTP = nil
				continue
			}
			m, err := ParseSMTP(v)
			if err != nil {
				return fmt.Errorf("BROADSHEET_SMTP: %w", err)
			}
			c.SMTP = m
		case "BROADSHEET_FRAGMENT_CACHE":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("BROADSHEET_FRAGMENT_CACHE=%q: give the fragment cache's size as a whole number of megabytes (0 turns it off)", v)
			}
			c.FragmentCache = n
		}
	}
	return nil
}

// GlobalFlags registers the flags every command takes.
func (c *Config) GlobalFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data `folder`: the SQLite database, media and theme (env BROADSHEET_DATA)")
	fs.StringVar(&c.DB, "db", c.DB, "database: a SQLite file path or a postgres:// `URL` (env BROADSHEET_DB; default DATA/broadsheet.db)")
	fs.BoolVar(&c.FetchAllowPrivate, "fetch-allow-private", c.FetchAllowPrivate, "let outbound requests (source desk, WebSub pings) reach loopback and private addresses (env BROADSHEET_FETCH_ALLOW_PRIVATE=1)")
}

// ServeFlags registers the flags of the serve command.
func (c *Config) ServeFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "`host:port` to listen on (env BROADSHEET_ADDR)")
	fs.StringVar(&c.Media, "media", c.Media, "where uploads are kept: a `folder`, or s3://BUCKET/PREFIX?endpoint=HOST (env BROADSHEET_MEDIA; default DATA/media)")
	fs.IntVar(&c.PageCache, "page-cache", c.PageCache, "`megabytes` of memory for the page cache for anonymous readers; 0 turns it off (env BROADSHEET_PAGE_CACHE)")
	fs.IntVar(&c.FragmentCache, "fragment-cache", c.FragmentCache, "`megabytes` of memory for rendered fragments of pages (posts' teasers), reused by every listing; 0 turns it off (env BROADSHEET_FRAGMENT_CACHE)")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public `URL` of the site, for canonical links (env BROADSHEET_BASE_URL; default: from each request)")
	fs.Func("smtp", "mail server for the newsletter, password resets and invitations: smtp://USER:PASSWORD@HOST:PORT or smtps://…, with ?from=ADDRESS&rate=PER_SECOND (env BROADSHEET_SMTP; default: no mail, the newsletter is off)", func(v string) error {
		m, err := ParseSMTP(v)
		if err != nil {
			return err
		}
		c.SMTP = m
		return nil
	})
	fs.Func("trusted-proxies", "address ranges (`CIDR,…`) of the reverse proxies in front of serve, whose Forwarded and X-Forwarded-* headers are believed (env BROADSHEET_TRUSTED_PROXIES; default: none)", func(v string) error {
		p, err := parsePrefixes(v)
		if err != nil {
			return err
		}
		c.TrustedProxies = p
		return nil
	})
}

// parsePrefixes reads a comma-separated list of address ranges in CIDR
// notation; a bare address stands for itself alone.
func parsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, fmt.Errorf("%q is not an address range: give ranges in CIDR notation (10.0.0.0/8, 2001:db8::/32) or single addresses, separated by commas", s)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			// Clients' addresses are compared unmapped.
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// DatabaseURL is the database to open: --db, else DATA/broadsheet.db.
func (c *Config) DatabaseURL() string {
	if c.DB != "" {
		return c.DB
	}
	return filepath.Join(c.DataDir, "broadsheet.db")
}

// MediaDir is the media library's folder.
func (c *Config) MediaDir() string { return filepath.Join(c.DataDir, "media") }

// ThemeDir is the folder whose files override the default theme's.
func (c *Config) ThemeDir() string { return filepath.Join(c.DataDir, "theme") }
