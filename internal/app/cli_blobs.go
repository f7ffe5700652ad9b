package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/ancr/cqp/internal/civil"
	"time"

	"github.com/ancr/cqp/internal/platform/blobs"
	"github.com/ancr/cqp/internal/platform/secrets"
)

// runBlobs compares the document store with the counts in the database.
// It changes nothing: an orphan may be an upload in flight, and a missing
// object is for a person to restore from a backup.
func runBlobs(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) != 1 || args[0] != "check" {
		return errors.New("usage: cqp blobs check")
	}
	db, store, closeDB, err := openWithBlobs(ctx, env)
	if err != nil {
		return err
	}
	defer closeDB()
	rep, err := blobs.NewRefs(db, store, blobs.Temp(env.cfg.DataDir), time.Now).Check(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s : %s, %s ; %s par la base\n", store.Describe(), civil.Count("fr", rep.Objects, "objet", "objets"),
		civil.Count("fr", int(rep.Bytes), "octet", "octets"), civil.Count("fr", rep.Counted, "référencé", "référencés"))
	for _, k := range rep.Missing {
		fmt.Fprintf(env.stdout, "MANQUANT  %s  (référencé, absent du stockage)\n", k)
	}
	for _, k := range rep.Orphaned {
		fmt.Fprintf(env.stdout, "ORPHELIN  %s  (stocké, référencé par rien)\n", k)
	}
	if !rep.OK() {
		return fmt.Errorf("blobs: %d missing, %d orphaned", len(rep.Missing), len(rep.Orphaned))
	}
	fmt.Fprintln(env.stdout, "stockage et base concordent")
	return nil
}

func runSecrets(_ context.Context, env *cliEnv, args []string) error {
	if len(args) != 1 || args[0] != "new-master-key" {
		return errors.New("usage: cqp secrets new-master-key")
	}
	fmt.Fprintln(env.stdout, secrets.NewKey())
	return nil
}
