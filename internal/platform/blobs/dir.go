package blobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Dir keeps objects as files under root/ab/abcdef….
type Dir struct{ root string }

// NewDir uses (and creates) root.
func NewDir(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("blobs: %w", err)
	}
	return &Dir{root: root}, nil
}

func (d *Dir) path(key string) string {
	return filepath.Join(d.root, filepath.FromSlash(objectName(key)))
}

// Describe names the folder.
func (d *Dir) Describe() string { return "folder " + d.root }

// Put writes to a temporary file beside the object, then renames it: a
// reader never sees half an object.
func (d *Dir) Put(_ context.Context, key string, r io.Reader, size int64) error {
	if !ValidKey(key) {
		return fmt.Errorf("blobs: bad key %q", key)
	}
	dst := d.path(key)
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return fmt.Errorf("blobs: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".put-*")
	if err != nil {
		return fmt.Errorf("blobs: %w", err)
	}
	defer os.Remove(tmp.Name()) // gone already once renamed
	n, err := io.Copy(tmp, r)
	if err == nil && n != size {
		err = fmt.Errorf("wrote %d bytes of %d", n, size)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		return fmt.Errorf("blobs: put %s: %w", key, err)
	}
	return nil
}

// Open opens the object's file.
func (d *Dir) Open(_ context.Context, key string) (Object, error) {
	if !ValidKey(key) {
		return nil, fmt.Errorf("blobs: bad key %q", key)
	}
	f, err := os.Open(d.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("blobs: %w", err)
	}
	return f, nil
}

// Exists stats the object's file.
func (d *Dir) Exists(_ context.Context, key string) (bool, error) {
	if !ValidKey(key) {
		return false, fmt.Errorf("blobs: bad key %q", key)
	}
	_, err := os.Stat(d.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// Remove deletes the object's file.
func (d *Dir) Remove(_ context.Context, key string) error {
	if !ValidKey(key) {
		return fmt.Errorf("blobs: bad key %q", key)
	}
	if err := os.Remove(d.path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blobs: %w", err)
	}
	return nil
}

// Walk lists the object files, skipping anything else in the folder
// (temporary files, the former version's tmp/).
func (d *Dir) Walk(ctx context.Context, fn func(key string, size int64) error) error {
	return filepath.WalkDir(d.root, func(path string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if de.IsDir() || !ValidKey(de.Name()) || filepath.Base(filepath.Dir(path)) != de.Name()[:2] {
			return nil
		}
		info, err := de.Info()
		if err != nil {
			return err
		}
		return fn(de.Name(), info.Size())
	})
}
