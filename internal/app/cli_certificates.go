package app

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/certificates"
	"github.com/ancr/cqp/internal/platform/database"
	"gorm.io/gorm"
)

const certificatesUsage = `usage:
  cqp certificates verify FILE.json [--keys JWKS.json]   check a signed document offline
  cqp certificates issue --jury ID                        issue the documents of a jury's candidates
  cqp certificates issue --certification CODE --candidates ID,ID,...
  cqp certificates rotate-key                             sign new documents with a new key`

func runCertificates(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 {
		return errors.New(certificatesUsage)
	}
	switch args[0] {
	case "verify":
		return runCertificatesVerify(ctx, env, args[1:])
	case "issue":
		return runCertificatesIssue(ctx, env, args[1:])
	case "rotate-key":
		db, err := openMigrated(ctx, env)
		if err != nil {
			return err
		}
		defer database.Close(db)
		box, err := OpenSecrets(env.cfg)
		if err != nil {
			return err
		}
		keys, err := certificates.OpenKeyring(ctx, db, box, env.cfg.DataDir, time.Now)
		if err != nil {
			return err
		}
		oldKID, newKID, err := keys.Rotate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "nouvelle clé de signature %s ; l'ancienne (%s) reste publiée pour vérifier les documents déjà délivrés\n", newKID, oldKID)
		return nil
	}
	return errors.New(certificatesUsage)
}

// runCertificatesVerify checks a signed document with the public keys of a
// JWK set file (as served by /api/v1/keys) or, without one, with the public
// keys in the database (no master key needed). It needs no network:
// revocation is the one thing it cannot tell, and it says so.
func runCertificatesVerify(ctx context.Context, env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("certificates verify", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	keysFile := fs.String("keys", "", "JWK set file (from /api/v1/keys); default: the public keys in the database")
	file, rest := "", args
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		file, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	}
	if file == "" {
		return errors.New(certificatesUsage)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	var pub map[string]ed25519.PublicKey
	if *keysFile != "" {
		var set []byte
		if set, err = os.ReadFile(*keysFile); err == nil {
			pub, err = certificates.ParseJWKSet(set)
		}
	} else {
		var db *gorm.DB
		if db, err = openMigrated(ctx, env); err == nil {
			pub, err = certificates.PublicKeys(ctx, db)
			database.Close(db)
		}
	}
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	d, err := certificates.Verify(raw, pub)
	if err != nil {
		fmt.Fprintf(env.stdout, "INVALIDE : %s\n", frenchVerifyError(err))
		return fmt.Errorf("verify %s: %w", file, err)
	}
	kind := "Attestation de validation partielle"
	if d.Kind == certificates.KindCertificate {
		kind = "Certificat de qualification professionnelle"
	}
	fmt.Fprintf(env.stdout, "VALIDE : signature Ed25519 correcte (clé %s).\n%s n° %s — %s\nTitulaire : %s %s — délivré le %s\n",
		d.KID, kind, d.Number, d.CertificationTitle, d.Holder.FirstName, d.Holder.LastName, d.IssuedOn.French())
	for _, c := range d.Components {
		fmt.Fprintf(env.stdout, "  %s  %s  validé le %s, valable jusqu'au %s inclus\n", c.Code, c.Title, c.AcquiredOn, c.ExpiresOn.AddDays(-1))
	}
	fmt.Fprintf(env.stdout, "Une révocation éventuelle ne se voit qu'en ligne : %s\n", d.VerificationURL)
	return nil
}

func frenchVerifyError(err error) string {
	switch {
	case errors.Is(err, certificates.ErrBadSig):
		return "la signature ne correspond pas au document : il a été modifié ou n'a pas été délivré par nous."
	case errors.Is(err, certificates.ErrUnknownKey):
		return "le document est signé par une clé inconnue de ce jeu de clés."
	}
	return err.Error()
}

func runCertificatesIssue(ctx context.Context, env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("certificates issue", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	jury := fs.String("jury", "", "jury id: every candidate it assessed")
	cert := fs.String("certification", "", "certification code (with --candidates)")
	list := fs.String("candidates", "", "comma-separated candidate ids")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*jury == "") == (*list == "") {
		return errors.New(certificatesUsage)
	}
	a, err := New(ctx, env.cfg, Options{Logger: env.log})
	if err != nil {
		return err
	}
	defer a.Close()
	ids := strings.Split(*list, ",")
	if *jury != "" {
		if *cert, ids, err = a.Certificates.JuryCandidates(ctx, *jury); err != nil {
			return err
		}
	}
	bar := newProgressBar(env.stderr, "candidats")
	rep, err := a.Certificates.Batch(ctx, "cli", *cert, ids, func(done, total int) {
		bar.draw("délivrance", int64(done), int64(total), done)
	})
	bar.finish()
	if err != nil {
		return fmt.Errorf("batch stopped after %d of %d (run it again to resume): %w", rep.Issued+rep.Unchanged+rep.Nothing, rep.Total, err)
	}
	fmt.Fprintf(env.stdout, "%d candidats : %d documents délivrés, %d déjà à jour, %d sans bloc acquis\n",
		rep.Total, rep.Issued, rep.Unchanged, rep.Nothing)
	return nil
}
