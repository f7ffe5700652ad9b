// Package config reads the program's settings once, at start, from the
// environment variables README.md lists ("Configuration"), into a typed struct.
// No other package reads the environment.
package config

import (
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/platform/blobs"
	"github.com/ancr/cqp/internal/platform/secrets"
)

// Config is every setting of the program.
type Config struct {
	Addr        string // CQP_ADDR
	DatabaseURL string // CQP_DATABASE_URL: postgres://… or sqlite:PATH
	DataDir     string // CQP_DATA_DIR
	BaseURL     string // CQP_BASE_URL, printed in QR codes
	Demo        bool   // CQP_DEMO
	// DemoYear (CQP_DEMO_YEAR, on by default with the demo) adds to the demo
	// accounts a generated year of activity: ~200 candidates, attempts,
	// VAE requests, past and upcoming juries, certificates.
	DemoYear bool

	BootstrapAdminEmail    string
	BootstrapAdminPassword string

	BodyLimit   int64 // CQP_BODY_LIMIT bytes (default 10 MiB)
	UploadLimit int64 // CQP_UPLOAD_LIMIT bytes (default 10 MiB)
	// A VAE dossier holds at most DossierDocuments documents
	// (CQP_DOSSIER_DOCUMENTS, default 60) totalling DossierBytes
	// (CQP_DOSSIER_SIZE, default 200 MiB).
	DossierDocuments int
	DossierBytes     int64
	TokenTTL         time.Duration // CQP_TOKEN_TTL (default 12h)
	LogLevel         string        // CQP_LOG_LEVEL: debug, info, warn, error
	SecureCookie     bool          // true when BaseURL is https

	// TrustedProxies are the CIDRs whose X-Forwarded-For / -Proto are
	// believed (CQP_TRUSTED_PROXIES); empty: the socket address is the client.
	TrustedProxies []netip.Prefix
	// VerifyRate is public verifications per minute per client
	// (CQP_VERIFY_RATE, default 60; 0 = unlimited).
	VerifyRate int
	// MetricsToken protects /metrics (CQP_METRICS_TOKEN); empty: loopback only.
	MetricsToken string

	// MasterKey seals the secrets kept in the database (CQP_MASTER_KEY, 32
	// bytes); nil when it is in a file (MasterKeyFile) or, on the embedded
	// default, in DataDir/master.key, made on first start.
	MasterKey []byte
	// MasterKeyFile is CQP_MASTER_KEY_FILE: a file holding the master key
	// (a mounted secret).
	MasterKeyFile string
	// BlobURL is where documents are stored (CQP_BLOB_URL): empty for the
	// folder DataDir/blobs, file:PATH, or s3://BUCKET?endpoint=…&region=….
	BlobURL string
	// S3 keys (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) for an s3:// BlobURL.
	S3AccessKey, S3SecretKey string

	SMTPURL  string // CQP_SMTP_URL: smtp://[user:pass@]host:port[?starttls=…] or smtps://…; empty = not configured
	MailFrom string // CQP_MAIL_FROM: "Name <address>"
}

// Variable is one environment variable the program reads.
type Variable struct {
	Name, Default, Meaning string
}

// Variables is every variable Load reads, in the order `cqp help` lists them.
// Load's test checks that it reads these and no others, so the list cannot
// drift from the code.
var Variables = []Variable{
	{"CQP_ADDR", ":8080", "listen address"},
	{"CQP_DATABASE_URL", "sqlite:$CQP_DATA_DIR/cqp.db", "postgres://… for PostgreSQL, or sqlite:PATH"},
	{"CQP_DATA_DIR", "./data", "SQLite file, uploads, signing keys"},
	{"CQP_BASE_URL", "http://localhost:<port>", "public URL printed in QR codes; https:// turns on Secure cookies"},
	{"CQP_DEMO", "true for the embedded database, else false", "load the demo dataset on an empty database"},
	{"CQP_DEMO_YEAR", "the value of CQP_DEMO", "with the demo, also generate a year of activity (about 200 candidates, sessions, certificates)"},
	{"CQP_BOOTSTRAP_ADMIN_EMAIL", "", "create this administrator at start if no account has that email"},
	{"CQP_BOOTSTRAP_ADMIN_PASSWORD", "", "password of that administrator"},
	{"CQP_BODY_LIMIT", "10MiB", "request body size limit"},
	{"CQP_UPLOAD_LIMIT", "10MiB", "upload size limit"},
	{"CQP_DOSSIER_DOCUMENTS", "60", "most documents one VAE dossier holds"},
	{"CQP_DOSSIER_SIZE", "200MiB", "most bytes the documents of one VAE dossier total"},
	{"CQP_TOKEN_TTL", "12h", "lifetime of a session token"},
	{"CQP_LOG_LEVEL", "info", "debug, info, warn or error (JSON logs on stderr)"},
	{"CQP_TRUSTED_PROXIES", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For/-Proto are believed; unset = the socket address is the client"},
	{"CQP_VERIFY_RATE", "60", "public certificate verifications per minute per client; 0 = unlimited"},
	{"CQP_METRICS_TOKEN", "", "bearer token required by /metrics; unset = /metrics answers loopback clients only"},
	{"CQP_MASTER_KEY", "generated once in $CQP_DATA_DIR/master.key with the embedded database", "32 bytes (base64 or 64 hex digits) sealing signing keys and second-factor secrets; required with PostgreSQL (or CQP_MASTER_KEY_FILE), the same on every replica"},
	{"CQP_MASTER_KEY_FILE", "", "a file holding the master key, instead of CQP_MASTER_KEY"},
	{"CQP_BLOB_URL", "file:$CQP_DATA_DIR/blobs", "where documents are stored: file:PATH, or s3://BUCKET?endpoint=http://host:port&region=… for S3-compatible storage"},
	{"AWS_ACCESS_KEY_ID", "", "access key of the S3 storage of CQP_BLOB_URL"},
	{"AWS_SECRET_ACCESS_KEY", "", "secret key of the S3 storage of CQP_BLOB_URL"},
	{"CQP_SMTP_URL", "", "mail server: smtp://[user:pass@]host:port[?starttls=required|none] or smtps://…; unset = messages kept as not_configured"},
	{"CQP_MAIL_FROM", "CQP Recouvrement <no-reply@HOST of CQP_BASE_URL>", "sender of the messages, \"Name <address>\""},
}

// Load builds the configuration from a lookup function (os.LookupEnv in main,
// a map in tests), applying the contract's defaults.
func Load(lookup func(string) (string, bool)) (Config, error) {
	get := func(k, def string) string {
		if v, ok := lookup(k); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
		return def
	}
	c := Config{
		Addr:                   get("CQP_ADDR", ":8080"),
		DataDir:                get("CQP_DATA_DIR", "./data"),
		BootstrapAdminEmail:    get("CQP_BOOTSTRAP_ADMIN_EMAIL", ""),
		BootstrapAdminPassword: get("CQP_BOOTSTRAP_ADMIN_PASSWORD", ""),
		LogLevel:               strings.ToLower(get("CQP_LOG_LEVEL", "info")),
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return c, fmt.Errorf("CQP_LOG_LEVEL: expected debug, info, warn or error, got %q", c.LogLevel)
	}
	c.DatabaseURL = get("CQP_DATABASE_URL", "")
	embedded := c.DatabaseURL == ""
	if embedded {
		c.DatabaseURL = "sqlite:" + filepath.Join(c.DataDir, "cqp.db")
	}
	if !strings.HasPrefix(c.DatabaseURL, "sqlite:") && !IsPostgres(c.DatabaseURL) {
		return c, fmt.Errorf("CQP_DATABASE_URL: expected postgres://… or sqlite:PATH, got %q", c.DatabaseURL)
	}
	demo, err := parseBool(get("CQP_DEMO", strconv.FormatBool(embedded)))
	if err != nil {
		return c, fmt.Errorf("CQP_DEMO: %w", err)
	}
	c.Demo = demo
	if c.DemoYear, err = parseBool(get("CQP_DEMO_YEAR", strconv.FormatBool(demo))); err != nil {
		return c, fmt.Errorf("CQP_DEMO_YEAR: %w", err)
	}

	port := strings.TrimPrefix(c.Addr, ":")
	if i := strings.LastIndex(c.Addr, ":"); i >= 0 {
		port = c.Addr[i+1:]
	}
	c.BaseURL = strings.TrimRight(get("CQP_BASE_URL", "http://localhost:"+port), "/")
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("CQP_BASE_URL: expected an absolute http(s) URL, got %q", c.BaseURL)
	}
	c.SecureCookie = u.Scheme == "https"

	if c.BodyLimit, err = parseSize(get("CQP_BODY_LIMIT", "10MiB")); err != nil {
		return c, fmt.Errorf("CQP_BODY_LIMIT: %w", err)
	}
	if c.UploadLimit, err = parseSize(get("CQP_UPLOAD_LIMIT", "10MiB")); err != nil {
		return c, fmt.Errorf("CQP_UPLOAD_LIMIT: %w", err)
	}
	if c.DossierDocuments, err = strconv.Atoi(get("CQP_DOSSIER_DOCUMENTS", "60")); err != nil || c.DossierDocuments < 1 {
		return c, fmt.Errorf("CQP_DOSSIER_DOCUMENTS: expected a whole number of documents, at least 1")
	}
	if c.DossierBytes, err = parseSize(get("CQP_DOSSIER_SIZE", "200MiB")); err != nil {
		return c, fmt.Errorf("CQP_DOSSIER_SIZE: %w", err)
	}
	if c.TokenTTL, err = time.ParseDuration(get("CQP_TOKEN_TTL", "12h")); err != nil || c.TokenTTL <= 0 {
		return c, fmt.Errorf("CQP_TOKEN_TTL: expected a positive duration such as 12h")
	}
	if c.TrustedProxies, err = parseCIDRs(get("CQP_TRUSTED_PROXIES", "")); err != nil {
		return c, fmt.Errorf("CQP_TRUSTED_PROXIES: %w", err)
	}
	if c.VerifyRate, err = strconv.Atoi(get("CQP_VERIFY_RATE", "60")); err != nil || c.VerifyRate < 0 {
		return c, fmt.Errorf("CQP_VERIFY_RATE: expected a whole number of verifications per minute (0 = unlimited)")
	}
	c.MetricsToken = get("CQP_METRICS_TOKEN", "")
	c.MasterKeyFile = get("CQP_MASTER_KEY_FILE", "")
	mk := get("CQP_MASTER_KEY", "")
	switch {
	case mk != "" && c.MasterKeyFile != "":
		return c, fmt.Errorf("CQP_MASTER_KEY and CQP_MASTER_KEY_FILE: give one, not both")
	case mk != "":
		if c.MasterKey, err = secrets.ParseKey(mk); err != nil {
			return c, fmt.Errorf("CQP_MASTER_KEY: %w", err)
		}
	case c.MasterKeyFile == "" && IsPostgres(c.DatabaseURL):
		// Replicas sharing a database must share the key that opens its
		// secrets: a key made up here would lock this process out of them.
		return c, fmt.Errorf("CQP_MASTER_KEY: required with PostgreSQL (the same on every replica); generate one with `cqp secrets new-master-key`")
	}
	c.BlobURL = get("CQP_BLOB_URL", "")
	if c.BlobURL != "" && !strings.HasPrefix(c.BlobURL, "file:") && !strings.HasPrefix(c.BlobURL, "s3://") {
		return c, fmt.Errorf("CQP_BLOB_URL: expected file:PATH or s3://BUCKET?endpoint=http://host:port&region=…, got %q", c.BlobURL)
	}
	c.S3AccessKey = get("AWS_ACCESS_KEY_ID", "")
	c.S3SecretKey = get("AWS_SECRET_ACCESS_KEY", "")
	c.SMTPURL = get("CQP_SMTP_URL", "")
	if c.SMTPURL != "" && !strings.HasPrefix(c.SMTPURL, "smtp://") && !strings.HasPrefix(c.SMTPURL, "smtps://") {
		return c, fmt.Errorf("CQP_SMTP_URL: expected smtp://… or smtps://…")
	}
	c.MailFrom = get("CQP_MAIL_FROM", "")
	if (c.BootstrapAdminEmail == "") != (c.BootstrapAdminPassword == "") {
		return c, fmt.Errorf("CQP_BOOTSTRAP_ADMIN_EMAIL and CQP_BOOTSTRAP_ADMIN_PASSWORD go together")
	}
	return c, nil
}

// parseCIDRs reads "10.0.0.0/8, 192.168.1.7"; a bare address is a /32 (/128).
func parseCIDRs(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("expected CIDRs such as 10.0.0.0/8, got %q", part)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("expected CIDRs such as 10.0.0.0/8, got %q", part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// IsPostgres tells whether a database URL names PostgreSQL.
func IsPostgres(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// SlogLevel is LogLevel for log/slog; Load has already refused any other word.
func (c Config) SlogLevel() slog.Level {
	switch c.LogLevel {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// Blobs names the document store.
func (c Config) Blobs() blobs.Settings {
	return blobs.Settings{URL: c.BlobURL, DataDir: c.DataDir, AccessKey: c.S3AccessKey, SecretKey: c.S3SecretKey}
}

// SQLitePath is the file of a sqlite: URL.
func (c Config) SQLitePath() string { return strings.TrimPrefix(c.DatabaseURL, "sqlite:") }

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("expected true or false, got %q", s)
}

func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}, {"", 1}}
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), 10, 64)
			if err != nil || n <= 0 {
				return 0, fmt.Errorf("expected a size such as 10MiB, got %q", s)
			}
			return n * u.mult, nil
		}
	}
	return 0, fmt.Errorf("expected a size such as 10MiB, got %q", s)
}
