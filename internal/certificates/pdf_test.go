package certificates

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/pdftext"
)

func sampleDocument(kind string) Document {
	d := Document{
		Number: "CQP-CLERC-2026-000123-K", Kind: kind, Certification: "clerc-recouvrement-amiable",
		CertificationTitle: "CQP Clerc en recouvrement amiable", Codes: Codes{NSF: "313t", ROME: "C1201"},
		Certifier: "Association nationale des clercs du recouvrement", Holder: Holder{FirstName: "Łukasz", LastName: "Nguyễn-Wiśniewski"},
		IssuedOn: civil.MustParse("2026-11-22"),
		Components: []ComponentLine{
			{Code: "CLERC-1", Title: "Analyse d'un dossier de créance", AcquiredOn: civil.MustParse("2024-02-29"), ExpiresOn: civil.MustParse("2029-02-28")},
			{Code: "CLERC-2", Title: "Relation écrite et téléphonique avec le débiteur", AcquiredOn: civil.MustParse("2026-10-01"), ExpiresOn: civil.MustParse("2031-10-01")},
		},
		VerificationURL: "https://cqp.example.test/verify/CQP-CLERC-2026-000123-K", Issuer: "https://cqp.example.test",
		KID: "abcdefghijklmnop", Signature: strings.Repeat("s", 86),
	}
	if kind == KindCertificate {
		on := civil.MustParse("2026-10-01")
		d.AwardedOn = &on
		d.Registration = &RegistryMention{Registry: "RNCP", Number: "26291"}
	} else {
		d.Number = "ATT-CLERC-2026-000007-Q"
	}
	return d
}

func TestRenderPDF_FrenchTextReadBack(t *testing.T) {
	for _, tc := range []struct {
		kind string
		want []string
		not  []string
	}{
		{KindCertificate, []string{"CERTIFICAT DE QUALIFICATION PROFESSIONNELLE", "CQP Clerc en recouvrement amiable",
			"Enregistré au RNCP sous le n° 26291 · NSF 313t · ROME C1201", "Łukasz Nguyễn-Wiśniewski",
			"qui a obtenu la certification le 1er octobre 2026", "CLERC-1", "Analyse d'un dossier de créance", "29/02/2024",
			"N° CQP-CLERC-2026-000123-K", "https://cqp.example.test/verify/CQP-CLERC-2026-000123-K", "Fait le 22 novembre 2026",
			"Signé électroniquement (Ed25519), clé abcdefghijklmnop", "est délivré à"},
			[]string{"Valable jusqu'au", "Attestation", "délivré(e)"}},
		{KindAttestation, []string{"ATTESTATION DE VALIDATION PARTIELLE", "est délivrée à", "Valable jusqu'au", "27/02/2029", "30/09/2031",
			"valable jusqu'à la date indiquée, incluse",
			"Relation écrite et téléphonique avec le débiteur", "N° ATT-CLERC-2026-000007-Q", "ne vaut pas certificat"},
			[]string{"RNCP", "obtenu la certification"}},
	} {
		pdf, err := RenderPDF(sampleDocument(tc.kind))
		if err != nil {
			t.Fatal(err)
		}
		txt, err := pdftext.Extract(pdf)
		if err != nil {
			t.Fatal(err)
		}
		txt = pdftext.Plain(txt)
		for _, w := range tc.want {
			if !strings.Contains(txt, w) {
				t.Errorf("%s: %q missing from\n%s", tc.kind, w, txt)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(txt, w) {
				t.Errorf("%s: %q present", tc.kind, w)
			}
		}
		again, err := RenderPDF(sampleDocument(tc.kind))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(pdf, again) {
			t.Errorf("%s: the same document gives different PDF bytes", tc.kind)
		}
	}
}

func BenchmarkRenderPDF(b *testing.B) {
	d := sampleDocument(KindAttestation)
	for b.Loop() {
		if _, err := RenderPDF(d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQRPNG(b *testing.B) {
	for b.Loop() {
		if _, err := QRPNG("https://cqp.example.test/verify/ATT-CLERC-2026-000007-Q"); err != nil {
			b.Fatal(err)
		}
	}
}

// The same document gives the same bytes even across a second boundary: the
// modification date is the issue date, not the clock.
func TestRenderPDF_DatesArePinnedToTheIssueDate(t *testing.T) {
	d := sampleDocument(KindCertificate)
	pdf, err := RenderPDF(d)
	if err != nil {
		t.Fatal(err)
	}
	stamp := "D:" + d.IssuedOn.Time().Format("20060102") + "000000"
	for _, key := range []string{"/CreationDate (" + stamp + ")", "/ModDate (" + stamp + ")"} {
		if !bytes.Contains(pdf, []byte(key)) {
			t.Errorf("%s missing: the PDF would change when drawn again", key)
		}
	}
}

// Documents drawn at the same time (a batch issues on every core) share the
// parsed font (internal/third_party/gofpdf caches it per process): each must
// still come out exactly as when drawn alone, whatever letters its holder's
// name uses. Run with -race, this also guards the shared parse.
func TestRenderPDF_ConcurrentDocumentsMatchSequentialOnes(t *testing.T) {
	names := []string{"Łukasz Wróblewski", "Nguyễn Thị Hồng", "Zoë Ørsted", "Jean-Noël Dupré", "Ștefan Ionescu", "Ana Núñez"}
	want := make([][]byte, len(names))
	docs := make([]Document, len(names))
	for i, n := range names {
		kind := KindCertificate
		if i%2 == 1 {
			kind = KindAttestation
		}
		docs[i] = sampleDocument(kind)
		first, last, _ := strings.Cut(n, " ")
		docs[i].Holder.FirstName, docs[i].Holder.LastName = first, last
		b, err := RenderPDF(docs[i])
		if err != nil {
			t.Fatal(err)
		}
		want[i] = b
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(names)*4)
	for round := range 4 {
		for i := range docs {
			wg.Go(func() {
				got, err := RenderPDF(docs[i])
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(got, want[i]) {
					errs <- fmt.Errorf("round %d, %s: concurrent PDF differs from the sequential one", round, names[i])
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	text, err := pdftext.Extract(want[1])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Nguyễn") {
		t.Errorf("Vietnamese name not extractable from the PDF:\n%s", text)
	}
}
