// Package media keeps the files editors upload (images, documents) in a
// Storage: a folder on this machine by default, a folder shared by several
// serve processes (the same code: writes are atomic renames), or an
// S3-compatible object store.
package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

// Storage keeps media files by key: a relative, slash-separated path such
// as "2026/01/harbour.jpg" (see ValidKey). Every implementation behaves the
// same, as the conformance tests check.
type Storage interface {
	// Put stores the content of r, size bytes long (-1 if unknown), under
	// key, replacing what was there. Readers never see a partly written
	// file: they get the old content or the new.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Open returns the file under key, to be closed by the caller, and what
	// is known of it. A missing key is a content.ENotFound error.
	Open(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error)
	// Stat returns what is known of the file under key; a missing key is a
	// content.ENotFound error.
	Stat(ctx context.Context, key string) (ObjectInfo, error)
	// Delete removes the file under key. Deleting a missing file is not an
	// error, so a retried delete succeeds.
	Delete(ctx context.Context, key string) error
}

// ObjectInfo is what a Storage knows of one stored file.
type ObjectInfo struct {
	Key         string
	Size        int64
	ContentType string
	ModTime     time.Time
}

// ValidKey checks that key can name a file in every Storage: relative,
// slash-separated, without empty, "." or ".." segments, of letters,
// digits and "-_.~" only, at most 512 bytes. It says what is wrong.
func ValidKey(key string) error {
	if key == "" {
		return content.FieldError("key", "a media key must not be empty")
	}
	if len(key) > 512 {
		return content.FieldError("key", "the media key %.40q… is longer than 512 bytes", key)
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return content.FieldError("key", "the media key %q has an empty, '.' or '..' part; keys are relative paths like 2026/01/photo.jpg", key)
		}
		for _, r := range seg {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.~", r)) {
				return content.FieldError("key", "the media key %q contains %q; use letters, digits and -_.~ only", key, r)
			}
		}
	}
	return nil
}

// OpenStorage opens the storage a --media setting names: a folder path (the
// default, DATA/media; several processes may share one on a network file
// system), or an S3-compatible bucket as
//
//	s3://BUCKET[/PREFIX]?endpoint=HOST[:PORT][&region=REGION][&insecure=1]
//
// with the access key and secret read from the environment variables
// BROADSHEET_S3_ACCESS_KEY and BROADSHEET_S3_SECRET_KEY (env holds KEY=VALUE
// strings, as os.Environ returns them).
func OpenStorage(spec string, env []string) (Storage, error) {
	if strings.HasPrefix(spec, "s3://") {
		return openS3(spec, env)
	}
	if strings.Contains(spec, "://") {
		return nil, fmt.Errorf("media storage %q: give a folder or an s3:// address", spec)
	}
	if spec == "" {
		return nil, errors.New("media storage: no folder given")
	}
	return NewDiskStorage(spec)
}

// DiskStorage keeps media files in a folder, under their keys as paths.
type DiskStorage struct {
	root string
}

// NewDiskStorage returns the storage in folder root, creating it if needed.
func NewDiskStorage(root string) (*DiskStorage, error) {
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("media storage: create folder %s: %w", root, err)
	}
	return &DiskStorage{root: root}, nil
}

func (d *DiskStorage) path(key string) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	return filepath.Join(d.root, filepath.FromSlash(key)), nil
}

// Put writes to a temporary file beside the target and renames it into
// place, which is atomic on one file system, local or shared.
func (d *DiskStorage) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return fmt.Errorf("media: store %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return fmt.Errorf("media: store %s: %w", key, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename, there is nothing left to remove
	n, err := io.Copy(tmp, contextReader{ctx, r})
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("got %d bytes, expected %d", n, size)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		return fmt.Errorf("media: store %s: %w", key, err)
	}
	return nil
}

// Open opens the file under key.
func (d *DiskStorage) Open(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, ObjectInfo{}, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, ObjectInfo{}, d.notFound(key, err)
	}
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		f.Close()
		return nil, ObjectInfo{}, d.notFound(key, fs.ErrNotExist)
	}
	return f, diskInfo(key, st), nil
}

// Stat describes the file under key.
func (d *DiskStorage) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	p, err := d.path(key)
	if err != nil {
		return ObjectInfo{}, err
	}
	st, err := os.Stat(p)
	if err == nil && st.IsDir() {
		err = fs.ErrNotExist
	}
	if err != nil {
		return ObjectInfo{}, d.notFound(key, err)
	}
	return diskInfo(key, st), nil
}

// Delete removes the file under key.
func (d *DiskStorage) Delete(ctx context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("media: delete %s: %w", key, err)
	}
	return nil
}

func (d *DiskStorage) notFound(key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return content.Errorf(content.ENotFound, "No media file %s.", key)
	}
	return fmt.Errorf("media: open %s: %w", key, err)
}

func diskInfo(key string, st fs.FileInfo) ObjectInfo {
	return ObjectInfo{Key: key, Size: st.Size(), ContentType: typeByName(key), ModTime: st.ModTime().UTC()}
}

// typeByName guesses a file's type from its extension, as a folder keeps
// no type of its own.
func typeByName(key string) string {
	if t := mime.TypeByExtension(path.Ext(key)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// contextReader stops a copy when its context ends.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
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

// parseS3 reads an s3:// storage address.
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
	if cfg.prefix != "" {
		if err := ValidKey(cfg.prefix); err != nil {
			return cfg, fmt.Errorf("media storage %q: the prefix: %w", spec, err)
		}
	}
	return cfg, nil
}
