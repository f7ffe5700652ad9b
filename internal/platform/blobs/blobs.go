// Package blobs keeps the bytes of uploaded documents, addressed by their
// SHA-256, in a folder (the embedded default) or in S3-compatible object
// storage, and counts in the database how many rows point at each object.
//
// The count is what makes deletion safe with replicas: it changes in the
// transaction that adds or removes the row pointing at the bytes, and the
// object is put or removed only while its count row is locked, so that a
// deletion racing an identical upload never leaves a document without its
// file (see Refs).
package blobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Store holds objects by key. Keys are lower-case SHA-256 hex digests.
type Store interface {
	// Put writes size bytes read from r under key.
	Put(ctx context.Context, key string, r io.Reader, size int64) error
	// Open streams an object; ErrNotFound when it is absent.
	Open(ctx context.Context, key string) (Object, error)
	// Exists tells whether key is stored.
	Exists(ctx context.Context, key string) (bool, error)
	// Remove deletes an object; a missing one is not an error.
	Remove(ctx context.Context, key string) error
	// Walk calls fn for every stored object.
	Walk(ctx context.Context, fn func(key string, size int64) error) error
	// Describe names the store for logs and reports, without credentials.
	Describe() string
}

// Object is a stored object being read. Seek lets a download answer a
// range and find its length without reading everything.
type Object interface {
	io.ReadSeekCloser
}

// ErrNotFound is an absent object.
var ErrNotFound = errors.New("blob not found")

// ValidKey tells whether s is a key: 64 lower-case hexadecimal digits. A
// key is never a name a user chose.
func ValidKey(s string) bool {
	return len(s) == 64 && strings.Trim(s, "0123456789abcdef") == ""
}

// objectName spreads objects over 256 prefixes: ab/abcdef….
func objectName(key string) string { return key[:2] + "/" + key }

// Settings name a store: URL is CQP_BLOB_URL, the keys come from
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
type Settings struct {
	URL       string
	DataDir   string
	AccessKey string
	SecretKey string
}

// DefaultDir is the folder of the default store.
func DefaultDir(dataDir string) string { return filepath.Join(dataDir, "blobs") }

// Open makes the store CQP_BLOB_URL names: empty for DataDir/blobs,
// file:PATH for a folder, s3://BUCKET?endpoint=http://host:port&region=…
// for object storage.
func Open(ctx context.Context, s Settings) (Store, error) {
	switch {
	case s.URL == "":
		if err := adoptUploads(s.DataDir); err != nil {
			return nil, err
		}
		return NewDir(DefaultDir(s.DataDir))
	case strings.HasPrefix(s.URL, "s3://"):
		u, err := url.Parse(s.URL)
		if err != nil {
			return nil, fmt.Errorf("CQP_BLOB_URL: %w", err)
		}
		return NewS3(ctx, u, s.AccessKey, s.SecretKey)
	case strings.HasPrefix(s.URL, "file:"):
		path := strings.TrimPrefix(strings.TrimPrefix(s.URL, "file:"), "//")
		if path == "" {
			return nil, fmt.Errorf("CQP_BLOB_URL: expected file:PATH, got %q", s.URL)
		}
		return NewDir(path)
	}
	return nil, fmt.Errorf("CQP_BLOB_URL: expected file:PATH or s3://BUCKET?endpoint=…, got %q", s.URL)
}

// adoptUploads moves the folder the first version kept documents in
// (DataDir/uploads, same layout) to the default store's place, once.
func adoptUploads(dataDir string) error {
	old, dst := filepath.Join(dataDir, "uploads"), DefaultDir(dataDir)
	if _, err := os.Stat(dst); err == nil {
		return nil
	}
	if _, err := os.Stat(old); err != nil {
		return nil
	}
	if err := os.Rename(old, dst); err != nil {
		return fmt.Errorf("blobs: move %s to %s: %w", old, dst, err)
	}
	return nil
}
