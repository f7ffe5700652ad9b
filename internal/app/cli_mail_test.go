package app_test

import (
	"bytes"
	"context"
	"github.com/ancr/cqp/internal/app/apptest"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app"
	"github.com/ancr/cqp/internal/platform/messages/mailtest"
)

// An administrator checks the mail settings before the first convocation:
// the test message reaches the server, or the command says why not.
func TestMailTestCommand_SendsOrSaysWhy(t *testing.T) {
	srv := mailtest.Start(t)
	dir := t.TempDir()
	env := func(smtp string) func(string) (string, bool) {
		return func(k string) (string, bool) {
			switch k {
			case "CQP_DATA_DIR":
				return dir, true
			case "CQP_MASTER_KEY":
				return apptest.MasterKey, true
			case "CQP_DEMO":
				return "false", true
			case "CQP_SMTP_URL":
				return smtp, smtp != ""
			}
			return "", false
		}
	}
	var out bytes.Buffer
	if err := app.Main(context.Background(), []string{"mail", "test", "admin@ancr.example"}, env(srv.URL()), &out, &out); err != nil {
		t.Fatalf("mail test: %v\n%s", err, out.String())
	}
	if got := srv.WaitFor(t, 1)[0]; !got.SentTo("admin@ancr.example") || got.Kind != "test" {
		t.Fatalf("received %+v", got)
	}
	if !strings.Contains(out.String(), "message d'essai envoyé à admin@ancr.example") {
		t.Fatalf("output: %s", out.String())
	}
	srv.Refuse("nobody@ancr.example")
	out.Reset()
	err := app.Main(context.Background(), []string{"mail", "test", "nobody@ancr.example"}, env(srv.URL()), &out, &out)
	if err == nil || !strings.Contains(out.String(), "550") {
		t.Fatalf("refused address: err %v, output %s", err, out.String())
	}
	out.Reset()
	if err := app.Main(context.Background(), []string{"mail", "test", "x@ancr.example"}, env(""), &out, &out); err == nil ||
		!strings.Contains(out.String(), "CQP_SMTP_URL n'est pas défini") {
		t.Fatalf("without SMTP: err %v, output %s", err, out.String())
	}
}
