package media

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/broadsheet/broadsheet/internal/content"
)

// s3Config is an s3:// storage address, parsed.
type s3Config struct {
	bucket, prefix   string
	endpoint, region string
	secure           bool
}

// S3Storage keeps media files as objects in a bucket of an S3-compatible
// store (AWS S3, MinIO, Garage, Ceph…), under an optional key prefix, so
// that any number of serve processes on any machines share them. An
// object store replaces an object in one step, so readers never see a
// partial file.
type S3Storage struct {
	client *minio.Client
	cfg    s3Config
}

// openS3 opens the bucket an s3:// address names; see OpenStorage.
func openS3(spec string, env []string) (*S3Storage, error) {
	cfg, err := parseS3(spec)
	if err != nil {
		return nil, err
	}
	access, secret := envValue(env, "BROADSHEET_S3_ACCESS_KEY"), envValue(env, "BROADSHEET_S3_SECRET_KEY")
	if access == "" || secret == "" {
		return nil, fmt.Errorf("media storage %s: set BROADSHEET_S3_ACCESS_KEY and BROADSHEET_S3_SECRET_KEY", spec)
	}
	client, err := minio.New(cfg.endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(access, secret, ""),
		Secure: cfg.secure,
		Region: cfg.region,
	})
	if err != nil {
		return nil, fmt.Errorf("media storage %s: %w", spec, err)
	}
	return &S3Storage{client: client, cfg: cfg}, nil
}

// Check verifies that the bucket exists and the credentials reach it, so a
// misconfigured store is reported at start-up rather than at the first
// upload.
func (s *S3Storage) Check(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.cfg.bucket)
	if err != nil {
		return fmt.Errorf("media storage: reach bucket %s at %s: %w", s.cfg.bucket, s.cfg.endpoint, err)
	}
	if !ok {
		return fmt.Errorf("media storage: there is no bucket %s at %s; create it first", s.cfg.bucket, s.cfg.endpoint)
	}
	return nil
}

func (s *S3Storage) object(key string) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	if s.cfg.prefix == "" {
		return key, nil
	}
	return path.Join(s.cfg.prefix, key), nil
}

// Put uploads the file as one object.
func (s *S3Storage) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	if contentType == "" {
		contentType = typeByName(key)
	}
	if size >= 0 {
		// Fail before anything is stored when the body is shorter than
		// announced, rather than leave the server to judge a cut upload.
		r = &exactReader{r: r, left: size}
	}
	opts := minio.PutObjectOptions{ContentType: contentType}
	if !s.cfg.secure {
		// Over plain HTTP the client would sign the body in aws-chunked
		// streaming form, which not every S3-compatible server decodes;
		// send it plain with a Content-MD5 the server checks instead.
		opts.DisableContentSha256, opts.SendContentMd5 = true, true
	}
	info, err := s.client.PutObject(ctx, s.cfg.bucket, name, r, size, opts)
	if err != nil {
		return fmt.Errorf("media: store %s in bucket %s: %w", key, s.cfg.bucket, err)
	}
	if size >= 0 && info.Size != size {
		return fmt.Errorf("media: store %s: stored %d bytes, expected %d", key, info.Size, size)
	}
	return nil
}

// Open downloads the object under key.
func (s *S3Storage) Open(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, ObjectInfo{}, err
	}
	obj, err := s.client.GetObject(ctx, s.cfg.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, ObjectInfo{}, s.fail("open", key, err)
	}
	// GetObject is lazy: Stat makes the request, so a missing object is
	// reported here rather than at the first read.
	st, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, ObjectInfo{}, s.fail("open", key, err)
	}
	return obj, s3Info(key, st), nil
}

// Stat asks for the object's metadata.
func (s *S3Storage) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	name, err := s.object(key)
	if err != nil {
		return ObjectInfo{}, err
	}
	st, err := s.client.StatObject(ctx, s.cfg.bucket, name, minio.StatObjectOptions{})
	if err != nil {
		return ObjectInfo{}, s.fail("stat", key, err)
	}
	return s3Info(key, st), nil
}

// Delete removes the object; S3 reports success for a missing one too.
func (s *S3Storage) Delete(ctx context.Context, key string) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.cfg.bucket, name, minio.RemoveObjectOptions{}); err != nil {
		return s.fail("delete", key, err)
	}
	return nil
}

// fail turns a missing object into content.ENotFound and wraps the rest.
func (s *S3Storage) fail(op, key string, err error) error {
	resp := minio.ToErrorResponse(err)
	if resp.Code == "NoSuchKey" || resp.StatusCode == http.StatusNotFound && resp.Code != "NoSuchBucket" {
		return content.Errorf(content.ENotFound, "No media file %s.", key)
	}
	return fmt.Errorf("media: %s %s in bucket %s: %w", op, key, s.cfg.bucket, err)
}

func s3Info(key string, st minio.ObjectInfo) ObjectInfo {
	return ObjectInfo{Key: key, Size: st.Size, ContentType: st.ContentType, ModTime: st.LastModified.UTC()}
}

// exactReader reports io.ErrUnexpectedEOF when its reader ends before
// left bytes were read.
type exactReader struct {
	r    io.Reader
	left int64
}

func (e *exactReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if err == io.EOF && e.left > 0 {
		return n, fmt.Errorf("media: the upload ended %d bytes short: %w", e.left, io.ErrUnexpectedEOF)
	}
	return n, err
}
