package apptest

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/ancr/cqp/internal/app"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/config"
)

// WithDemoYear loads the demo year (seed/demo.json's accounts and a
// generated year of activity) at the fixed clock. On SQLite the year is
// generated once per test binary into a template (a database file and its
// data folder) that each test copies: a few seconds once, not per test.
// On PostgreSQL each test loads it.
func WithDemoYear() Option {
	return func(s *setup) { s.cfg.Demo, s.cfg.DemoYear = true, true }
}

var template struct {
	once sync.Once
	dir  string // holds test.db and data/
	err  error
}

// demoYearTemplate makes the template once and returns its folder.
func demoYearTemplate(base config.Config) (string, error) {
	template.once.Do(func() {
		dir, err := os.MkdirTemp("", "cqp-demo-year-")
		if err != nil {
			template.err = err
			return
		}
		cfg := base
		cfg.DatabaseURL = "sqlite:" + filepath.Join(dir, "test.db")
		cfg.DataDir = filepath.Join(dir, "data")
		cfg.MasterKey = nil
		cfg.Demo, cfg.DemoYear = true, true
		clock := &Clock{t: Start}
		a, err := app.New(context.Background(), cfg, app.Options{Logger: slog.New(slog.DiscardHandler), Now: clock.Now,
			Hash: auth.HashParams{MemoryKiB: 64, Time: 1, Threads: 1}})
		if err != nil {
			template.err = fmt.Errorf("apptest: demo year template: %w", err)
			return
		}
		template.err = a.Close()
		template.dir = dir
	})
	return template.dir, template.err
}

// copyDemoYear puts a copy of the template at cfg's database and data folder.
func copyDemoYear(cfg config.Config) error {
	dir, err := demoYearTemplate(cfg)
	if err != nil {
		return err
	}
	if err := copyFile(filepath.Join(dir, "test.db"), cfg.SQLitePath()); err != nil {
		return err
	}
	src := filepath.Join(dir, "data")
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(cfg.DataDir, rel), 0o700)
		}
		return copyFile(p, filepath.Join(cfg.DataDir, rel))
	})
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
