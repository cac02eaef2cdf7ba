// Package media keeps the files editors upload in a Storage: a folder on
// this machine by default, a folder several serve processes share (writes
// are atomic renames, so that works on a shared file system too), or an
// S3-compatible object store (S3Storage).
package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
)

// Storage keeps media files by key. Keys are slash-separated paths made
// by this package (yyyy/mm/name.ext), never user input.
type Storage interface {
	Put(ctx context.Context, key string, data []byte) error
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}

// Dir is Storage in a folder of the local disk.
type Dir struct{ Root string }

func (d Dir) path(key string) (string, error) {
	if !fs.ValidPath(key) || strings.Contains(key, "\\") {
		return "", fmt.Errorf("media: invalid key %q", key)
	}
	return filepath.Join(d.Root, filepath.FromSlash(key)), nil
}

// Put writes data under key, through a temporary file so that a reader
// never sees half a file.
func (d Dir) Put(ctx context.Context, key string, data []byte) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return fmt.Errorf("media: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return fmt.Errorf("media: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("media: write %s: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("media: write %s: %w", key, err)
	}
	return os.Rename(tmp.Name(), p)
}

// Open opens the file under key; a missing file is ENotFound.
func (d Dir) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, content.Errorf(content.ENotFound, "No such file.")
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, content.Errorf(content.ENotFound, "No such file.")
	}
	return f, err
}

// Delete removes the file under key; a missing file is no error.
func (d Dir) Delete(ctx context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("media: delete %s: %w", key, err)
	}
	return nil
}
