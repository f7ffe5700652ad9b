package config

import (
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestLoad_DefaultsGiveTheEmbeddedDatabaseAndDemo(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Addr: ":8080", DataDir: "./data", DatabaseURL: "sqlite:data/cqp.db", Demo: true, DemoYear: true,
		BaseURL: "http://localhost:8080", BodyLimit: 10 << 20, UploadLimit: 10 << 20,
		TokenTTL: 12 * time.Hour, LogLevel: "info", VerifyRate: 60, DossierDocuments: 60, DossierBytes: 200 << 20,
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("defaults:\n got %+v\nwant %+v", c, want)
	}
	if c.SQLitePath() != "data/cqp.db" || c.SlogLevel() != slog.LevelInfo || c.SecureCookie {
		t.Fatalf("derived: path %q level %v secure %v", c.SQLitePath(), c.SlogLevel(), c.SecureCookie)
	}
}

// mk is a master key for the cases on PostgreSQL, which require one.
const mk = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

func TestLoad_EveryVariableParsed(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		check func(Config) bool
	}{
		{"addr and its port in the default base URL", map[string]string{"CQP_ADDR": "127.0.0.1:9000"},
			func(c Config) bool { return c.Addr == "127.0.0.1:9000" && c.BaseURL == "http://localhost:9000" }},
		{"data dir moves the embedded database", map[string]string{"CQP_DATA_DIR": "/var/cqp"},
			func(c Config) bool {
				return c.DataDir == "/var/cqp" && c.DatabaseURL == "sqlite:/var/cqp/cqp.db" && c.Demo
			}},
		{"postgres URL turns demo off by default", map[string]string{"CQP_DATABASE_URL": "postgres://u@h/db", "CQP_MASTER_KEY": mk},
			func(c Config) bool { return c.DatabaseURL == "postgres://u@h/db" && !c.Demo }},
		{"postgresql scheme accepted", map[string]string{"CQP_DATABASE_URL": "postgresql://u@h/db", "CQP_MASTER_KEY": mk},
			func(c Config) bool { return IsPostgres(c.DatabaseURL) && !c.Demo }},
		{"explicit sqlite URL is not the embedded default", map[string]string{"CQP_DATABASE_URL": "sqlite:/tmp/x.db"},
			func(c Config) bool { return c.SQLitePath() == "/tmp/x.db" && !c.Demo }},
		{"demo forced on with postgres", map[string]string{"CQP_DATABASE_URL": "postgres://h/db", "CQP_DEMO": "yes", "CQP_MASTER_KEY": mk},
			func(c Config) bool { return c.Demo }},
		{"demo forced off on the embedded database", map[string]string{"CQP_DEMO": "0"},
			func(c Config) bool { return !c.Demo }},
		{"https base URL makes cookies secure, trailing slash dropped", map[string]string{"CQP_BASE_URL": "https://cqp.example.fr/"},
			func(c Config) bool { return c.BaseURL == "https://cqp.example.fr" && c.SecureCookie }},
		{"bootstrap admin pair", map[string]string{"CQP_BOOTSTRAP_ADMIN_EMAIL": "a@b.fr", "CQP_BOOTSTRAP_ADMIN_PASSWORD": "pw"},
			func(c Config) bool { return c.BootstrapAdminEmail == "a@b.fr" && c.BootstrapAdminPassword == "pw" }},
		{"sizes in every unit", map[string]string{"CQP_BODY_LIMIT": "2KiB", "CQP_UPLOAD_LIMIT": "1GiB"},
			func(c Config) bool { return c.BodyLimit == 2048 && c.UploadLimit == 1<<30 }},
		{"dossier quota", map[string]string{"CQP_DOSSIER_DOCUMENTS": "5", "CQP_DOSSIER_SIZE": "20MiB"},
			func(c Config) bool { return c.DossierDocuments == 5 && c.DossierBytes == 20<<20 }},
		{"bare and B sizes are bytes", map[string]string{"CQP_BODY_LIMIT": "500", "CQP_UPLOAD_LIMIT": "7B"},
			func(c Config) bool { return c.BodyLimit == 500 && c.UploadLimit == 7 }},
		{"trusted proxies", map[string]string{"CQP_TRUSTED_PROXIES": "10.0.0.0/8, 172.18.0.7 ,fd00::/8"},
			func(c Config) bool {
				return len(c.TrustedProxies) == 3 && c.TrustedProxies[1].String() == "172.18.0.7/32" && c.TrustedProxies[2].Bits() == 8
			}},
		{"master key in hex", map[string]string{"CQP_MASTER_KEY": strings.Repeat("ab", 32)},
			func(c Config) bool { return len(c.MasterKey) == 32 && c.MasterKey[0] == 0xab }},
		{"master key file", map[string]string{"CQP_MASTER_KEY_FILE": "/run/secrets/cqp", "CQP_DATABASE_URL": "postgres://h/db"},
			func(c Config) bool { return c.MasterKeyFile == "/run/secrets/cqp" && c.MasterKey == nil }},
		{"S3 blob URL and its keys", map[string]string{"CQP_BLOB_URL": "s3://cqp?endpoint=http://minio:9000&region=us-east-1",
			"AWS_ACCESS_KEY_ID": "cqp", "AWS_SECRET_ACCESS_KEY": "secret"},
			func(c Config) bool {
				b := c.Blobs()
				return b.URL == "s3://cqp?endpoint=http://minio:9000&region=us-east-1" && b.AccessKey == "cqp" && b.SecretKey == "secret"
			}},
		{"file blob URL", map[string]string{"CQP_BLOB_URL": "file:/srv/cqp/blobs"},
			func(c Config) bool { return c.BlobURL == "file:/srv/cqp/blobs" }},
		{"verify rate", map[string]string{"CQP_VERIFY_RATE": "0"}, func(c Config) bool { return c.VerifyRate == 0 }},
		{"smtp", map[string]string{"CQP_SMTP_URL": "smtps://u:p@mail.example.fr", "CQP_MAIL_FROM": "ANCR <no-reply@ancr.fr>"},
			func(c Config) bool {
				return c.SMTPURL == "smtps://u:p@mail.example.fr" && c.MailFrom == "ANCR <no-reply@ancr.fr>"
			}},
		{"token TTL", map[string]string{"CQP_TOKEN_TTL": "90m"},
			func(c Config) bool { return c.TokenTTL == 90*time.Minute }},
		{"log level debug, any case", map[string]string{"CQP_LOG_LEVEL": "DEBUG"},
			func(c Config) bool { return c.LogLevel == "debug" && c.SlogLevel() == slog.LevelDebug }},
		{"log level warn", map[string]string{"CQP_LOG_LEVEL": "warn"},
			func(c Config) bool { return c.SlogLevel() == slog.LevelWarn }},
		{"log level error", map[string]string{"CQP_LOG_LEVEL": "error"},
			func(c Config) bool { return c.SlogLevel() == slog.LevelError }},
		{"blank values mean the default", map[string]string{"CQP_ADDR": "  ", "CQP_LOG_LEVEL": ""},
			func(c Config) bool { return c.Addr == ":8080" && c.LogLevel == "info" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(env(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Fatalf("unexpected config %+v", c)
			}
		})
	}
}

func TestLoad_InvalidValuesAreStartUpErrorsNamingTheVariable(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"CQP_DATABASE_URL": "mysql://h/db"}, "CQP_DATABASE_URL"},
		{map[string]string{"CQP_DEMO": "maybe"}, "CQP_DEMO"},
		{map[string]string{"CQP_BASE_URL": "ftp://h"}, "CQP_BASE_URL"},
		{map[string]string{"CQP_BASE_URL": "localhost:8080"}, "CQP_BASE_URL"},
		{map[string]string{"CQP_BASE_URL": "https://"}, "CQP_BASE_URL"},
		{map[string]string{"CQP_BODY_LIMIT": "ten"}, "CQP_BODY_LIMIT"},
		{map[string]string{"CQP_BODY_LIMIT": "0"}, "CQP_BODY_LIMIT"},
		{map[string]string{"CQP_UPLOAD_LIMIT": "-5MiB"}, "CQP_UPLOAD_LIMIT"},
		{map[string]string{"CQP_TOKEN_TTL": "12"}, "CQP_TOKEN_TTL"},
		{map[string]string{"CQP_DOSSIER_DOCUMENTS": "0"}, "CQP_DOSSIER_DOCUMENTS"},
		{map[string]string{"CQP_DOSSIER_SIZE": "beaucoup"}, "CQP_DOSSIER_SIZE"},
		{map[string]string{"CQP_TOKEN_TTL": "-1h"}, "CQP_TOKEN_TTL"},
		{map[string]string{"CQP_TOKEN_TTL": "0s"}, "CQP_TOKEN_TTL"},
		{map[string]string{"CQP_LOG_LEVEL": "verbose"}, "CQP_LOG_LEVEL"},
		{map[string]string{"CQP_LOG_LEVEL": "debug+2"}, "CQP_LOG_LEVEL"},
		{map[string]string{"CQP_TRUSTED_PROXIES": "10.0.0.0/33"}, "CQP_TRUSTED_PROXIES"},
		{map[string]string{"CQP_TRUSTED_PROXIES": "proxy.local"}, "CQP_TRUSTED_PROXIES"},
		{map[string]string{"CQP_VERIFY_RATE": "-1"}, "CQP_VERIFY_RATE"},
		{map[string]string{"CQP_VERIFY_RATE": "lots"}, "CQP_VERIFY_RATE"},
		{map[string]string{"CQP_SMTP_URL": "mail.example.fr:25"}, "CQP_SMTP_URL"},
		{map[string]string{"CQP_DATABASE_URL": "postgres://h/db"}, "CQP_MASTER_KEY"},
		{map[string]string{"CQP_MASTER_KEY": "trop-court"}, "CQP_MASTER_KEY"},
		{map[string]string{"CQP_MASTER_KEY": mk, "CQP_MASTER_KEY_FILE": "/k"}, "CQP_MASTER_KEY_FILE"},
		{map[string]string{"CQP_BLOB_URL": "/srv/blobs"}, "CQP_BLOB_URL"},
		{map[string]string{"CQP_BLOB_URL": "ftp://h/b"}, "CQP_BLOB_URL"},
		{map[string]string{"CQP_BOOTSTRAP_ADMIN_EMAIL": "a@b.fr"}, "CQP_BOOTSTRAP_ADMIN"},
		{map[string]string{"CQP_BOOTSTRAP_ADMIN_PASSWORD": "pw"}, "CQP_BOOTSTRAP_ADMIN"},
	}
	for _, tt := range tests {
		t.Run(tt.want+"="+strings.Join(slices.Collect(mapValues(tt.env)), ""), func(t *testing.T) {
			_, err := Load(env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want an error naming %s, got %v", tt.want, err)
			}
		})
	}
}

func mapValues(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}

// TestVariables_AreExactlyWhatLoadReads keeps the table `cqp help` prints in
// step with the code.
func TestVariables_AreExactlyWhatLoadReads(t *testing.T) {
	read := map[string]bool{}
	if _, err := Load(func(k string) (string, bool) { read[k] = true; return "", false }); err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, v := range Variables {
		listed[v.Name] = true
		if !read[v.Name] {
			t.Errorf("%s is listed but Load never reads it", v.Name)
		}
	}
	for k := range read {
		if !listed[k] {
			t.Errorf("Load reads %s but Variables does not list it", k)
		}
	}
}
