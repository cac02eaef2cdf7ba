package media

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/broadsheet/broadsheet/internal/content"
)

// S3Storage is Storage in a bucket of an S3-compatible object store (AWS
// S3, MinIO, Garage, Ceph…), under an optional key prefix, so that serve
// processes on any number of machines share the media files. An object
// store replaces an object in one step, so readers never see half a file.
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

// Check verifies that the bucket exists and the credentials reach it, so
// a misconfigured store is reported when serve starts rather than at the
// first upload.
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

// object names the object for key, refusing the keys a folder would.
func (s *S3Storage) object(key string) (string, error) {
	if !ValidKey(key) {
		return "", fmt.Errorf("media: invalid key %q", key)
	}
	if s.cfg.prefix == "" {
		return key, nil
	}
	return s.cfg.prefix + "/" + key, nil
}

// Put uploads data as one object. Broadsheet serves objects itself, but
// each is typed as Serve would type it, by Sniff, in case the bucket is
// ever served directly: what is not inline there is a download, an SVG
// included, as a bucket cannot send its sandboxing policy.
func (s *S3Storage) Put(ctx context.Context, key string, data []byte) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	d := Sniff(data)
	opts := minio.PutObjectOptions{ContentType: d.Type}
	if d.Attachment || d.Sandbox {
		opts.ContentDisposition = mime.FormatMediaType("attachment", map[string]string{"filename": path.Base(key)})
	}
	if !s.cfg.secure {
		// Over plain HTTP the client would sign the body in aws-chunked
		// streaming form, which not every S3-compatible server decodes;
		// send it whole with a Content-MD5 the server checks instead.
		opts.DisableContentSha256, opts.SendContentMd5 = true, true
	}
	info, err := s.client.PutObject(ctx, s.cfg.bucket, name, bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		return fmt.Errorf("media: store %s in bucket %s: %w", key, s.cfg.bucket, err)
	}
	if info.Size != int64(len(data)) {
		return fmt.Errorf("media: store %s: the store kept %d bytes of %d", key, info.Size, len(data))
	}
	return nil
}

// Open downloads the object under key; a missing object is ENotFound.
func (s *S3Storage) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, content.Errorf(content.ENotFound, "No such file.")
	}
	obj, err := s.client.GetObject(ctx, s.cfg.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.fail("open", key, err)
	}
	// GetObject is lazy: Stat makes the request, so a missing object is
	// reported here rather than at the first read.
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		return nil, s.fail("open", key, err)
	}
	return obj, nil
}

// Delete removes the object under key; a missing object is no error (S3
// answers success for it too).
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

// fail turns a missing object into ENotFound and wraps the rest.
func (s *S3Storage) fail(op, key string, err error) error {
	resp := minio.ToErrorResponse(err)
	if resp.Code == "NoSuchKey" || resp.StatusCode == http.StatusNotFound && resp.Code != "NoSuchBucket" {
		return content.Errorf(content.ENotFound, "No such file.")
	}
	return fmt.Errorf("media: %s %s in bucket %s: %w", op, key, s.cfg.bucket, err)
}
