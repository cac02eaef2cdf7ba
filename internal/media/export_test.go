package media

import (
	"context"

	"github.com/minio/minio-go/v7"
)

// ObjectHeaders returns the Content-Type and Content-Disposition the bucket
// keeps for the object under key, for tests.
func ObjectHeaders(ctx context.Context, s *S3Storage, key string) (typ, disposition string, err error) {
	name, err := s.object(key)
	if err != nil {
		return "", "", err
	}
	info, err := s.client.StatObject(ctx, s.cfg.bucket, name, minio.StatObjectOptions{})
	if err != nil {
		return "", "", err
	}
	return info.ContentType, info.Metadata.Get("Content-Disposition"), nil
}
