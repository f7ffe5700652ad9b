package app

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/platform/config"
)

// TestHelp_ListsEveryVariableConfigReads records the names config.Load asks
// for, so a variable added to Load without a line in `cqp help` fails here.
func TestHelp_ListsEveryVariableConfigReads(t *testing.T) {
	read := map[string]bool{}
	if _, err := config.Load(func(k string) (string, bool) { read[k] = true; return "", false }); err != nil {
		t.Fatal(err)
	}
	if len(read) < 11 {
		t.Fatalf("config read only %d variables: %v", len(read), read)
	}
	var out bytes.Buffer
	if err := Main(context.Background(), []string{"help"}, func(string) (string, bool) { return "", false }, &out, &out); err != nil {
		t.Fatal(err)
	}
	for k := range read {
		if !strings.Contains(out.String(), k+" ") {
			t.Errorf("cqp help does not list %s:\n%s", k, out.String())
		}
	}
}

func TestMain_InvalidLogLevelIsAStartUpError(t *testing.T) {
	lookup := func(k string) (string, bool) {
		if k == "CQP_LOG_LEVEL" {
			return "loud", true
		}
		return "", false
	}
	var out bytes.Buffer
	err := Main(context.Background(), []string{"version"}, lookup, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "CQP_LOG_LEVEL") {
		t.Fatalf("want a CQP_LOG_LEVEL error, got %v (output %q)", err, out.String())
	}
}
