package media

import (
	"fmt"
	"net/url"
	"os"
	"strings"
)

// OpenStorage opens the storage a media setting names: a folder path (the
// default is DATA/media; several serve processes may share one folder on
// a network file system), or a bucket of an S3-compatible object store:
//
//	s3://BUCKET[/PREFIX]?endpoint=HOST[:PORT][&region=REGION][&insecure=1]
//
// with the access key and secret taken from BROADSHEET_S3_ACCESS_KEY and
// BROADSHEET_S3_SECRET_KEY in env (KEY=VALUE strings, as os.Environ gives).
func OpenStorage(spec string, env []string) (Storage, error) {
	switch {
	case strings.HasPrefix(spec, "s3://"):
		return openS3(spec, env)
	case strings.Contains(spec, "://"):
		return nil, fmt.Errorf("media storage %q: give a folder or an s3:// address", spec)
	case spec == "":
		return nil, fmt.Errorf("media storage: no folder given")
	}
	if err := os.MkdirAll(spec, 0o750); err != nil {
		return nil, fmt.Errorf("media storage: create folder %s: %w", spec, err)
	}
	return Dir{Root: spec}, nil
}

// envValue returns the value of key among KEY=VALUE strings.
func envValue(env []string, key string) string {
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// s3Config is an s3:// storage address, parsed.
type s3Config struct {
	bucket, prefix   string
	endpoint, region string
	secure           bool
}

// parseS3 reads an s3:// storage address, saying what is missing.
func parseS3(spec string) (cfg s3Config, err error) {
	u, err := url.Parse(spec)
	if err != nil {
		return cfg, fmt.Errorf("media storage %q: %w", spec, err)
	}
	cfg.bucket = u.Host
	cfg.prefix = strings.Trim(u.Path, "/")
	q := u.Query()
	cfg.endpoint = q.Get("endpoint")
	cfg.region = q.Get("region")
	cfg.secure = q.Get("insecure") != "1" && q.Get("insecure") != "true"
	switch {
	case cfg.bucket == "":
		return cfg, fmt.Errorf("media storage %q: no bucket; write s3://BUCKET/PREFIX?endpoint=HOST", spec)
	case cfg.endpoint == "":
		return cfg, fmt.Errorf("media storage %q: no endpoint; add ?endpoint=HOST[:PORT] (s3.amazonaws.com for AWS)", spec)
	case strings.Contains(cfg.endpoint, "/"):
		return cfg, fmt.Errorf("media storage %q: the endpoint is a host and port, not %q", spec, cfg.endpoint)
	}
	for _, seg := range strings.Split(cfg.prefix, "/") {
		if cfg.prefix != "" && (seg == "" || seg == "." || seg == "..") {
			return cfg, fmt.Errorf("media storage %q: the prefix %q has an empty, '.' or '..' part", spec, cfg.prefix)
		}
	}
	return cfg, nil
}
