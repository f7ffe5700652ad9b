package blobs

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3 keeps objects in a bucket of S3-compatible storage (MinIO, Garage,
// Scaleway, AWS…).
type S3 struct {
	client *minio.Client
	bucket string
	desc   string
}

// NewS3 connects to s3://BUCKET?endpoint=http://host:port&region=… (no
// endpoint: AWS) with the given keys, and creates the bucket if it does not
// exist.
func NewS3(ctx context.Context, u *url.URL, accessKey, secretKey string) (*S3, error) {
	bucket := u.Host
	if bucket == "" || strings.Trim(u.Path, "/") != "" {
		return nil, fmt.Errorf("CQP_BLOB_URL: expected s3://BUCKET?endpoint=http://host:port&region=…")
	}
	q := u.Query()
	host, secure := "s3.amazonaws.com", true
	if ep := q.Get("endpoint"); ep != "" {
		e, err := url.Parse(ep)
		if err != nil || e.Host == "" || (e.Scheme != "http" && e.Scheme != "https") {
			return nil, fmt.Errorf("CQP_BLOB_URL: endpoint: expected http(s)://host:port, got %q", ep)
		}
		host, secure = e.Host, e.Scheme == "https"
	}
	client, err := minio.New(host, &minio.Options{
		Creds:  credentials.NewStaticV4(accessKey, secretKey, ""),
		Secure: secure,
		Region: q.Get("region"),
	})
	if err != nil {
		return nil, fmt.Errorf("blobs: s3: %w", err)
	}
	s := &S3{client: client, bucket: bucket, desc: fmt.Sprintf("bucket %s on %s", bucket, host)}
	ok, err := client.BucketExists(ctx, bucket)
	if err != nil {
		return nil, fmt.Errorf("blobs: %s: %w", s.desc, err)
	}
	if !ok {
		if err := client.MakeBucket(ctx, bucket, minio.MakeBucketOptions{Region: q.Get("region")}); err != nil {
			// Another replica may have made it meanwhile.
			if ok, _ := client.BucketExists(ctx, bucket); !ok {
				return nil, fmt.Errorf("blobs: create %s: %w", s.desc, err)
			}
		}
	}
	return s, nil
}

// Describe names the bucket and host.
func (s *S3) Describe() string { return s.desc }

// Put uploads the object.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if !ValidKey(key) {
		return fmt.Errorf("blobs: bad key %q", key)
	}
	_, err := s.client.PutObject(ctx, s.bucket, objectName(key), r, size, minio.PutObjectOptions{
		ContentType: "application/octet-stream"})
	if err != nil {
		return fmt.Errorf("blobs: put %s: %w", key, err)
	}
	return nil
}

// Open streams the object; its Stat tells absence before any byte is sent.
func (s *S3) Open(ctx context.Context, key string) (Object, error) {
	if !ValidKey(key) {
		return nil, fmt.Errorf("blobs: bad key %q", key)
	}
	obj, err := s.client.GetObject(ctx, s.bucket, objectName(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("blobs: %w", err)
	}
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("blobs: %w", err)
	}
	return obj, nil
}

// Exists asks for the object's metadata.
func (s *S3) Exists(ctx context.Context, key string) (bool, error) {
	if !ValidKey(key) {
		return false, fmt.Errorf("blobs: bad key %q", key)
	}
	_, err := s.client.StatObject(ctx, s.bucket, objectName(key), minio.StatObjectOptions{})
	if err == nil {
		return true, nil
	}
	if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
		return false, nil
	}
	return false, fmt.Errorf("blobs: %w", err)
}

// Remove deletes the object (S3 answers success for a missing one).
func (s *S3) Remove(ctx context.Context, key string) error {
	if !ValidKey(key) {
		return fmt.Errorf("blobs: bad key %q", key)
	}
	if err := s.client.RemoveObject(ctx, s.bucket, objectName(key), minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("blobs: remove %s: %w", key, err)
	}
	return nil
}

// Walk lists the bucket.
func (s *S3) Walk(ctx context.Context, fn func(key string, size int64) error) error {
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Recursive: true}) {
		if obj.Err != nil {
			return fmt.Errorf("blobs: list %s: %w", s.desc, obj.Err)
		}
		name := obj.Key
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			name = name[i+1:]
		}
		if !ValidKey(name) || obj.Key != objectName(name) {
			continue
		}
		if err := fn(name, obj.Size); err != nil {
			return err
		}
	}
	return nil
}
