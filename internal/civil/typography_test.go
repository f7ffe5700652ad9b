package civil

import "testing"

func TestFrenchSpacesHTML(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"<p>Motif : refus ; pourquoi ? Enfin ! 50 %</p>", "<p>Motif\u00a0: refus\u202f; pourquoi\u202f? Enfin\u202f! 50\u00a0%</p>"},
		{"<p>« Document RÉVOQUÉ »</p>", "<p>«\u00a0Document RÉVOQUÉ\u00a0»</p>"},
		{"<li>l'<strong>indication</strong> l'</li>", "<li>l’<strong>indication</strong> l'</li>"},
		{`<p title="l'a">l&#39;administration l'a</p><code>l'x</code>`, `<p title="l'a">l’administration l’a</p><code>l'x</code>`},
		{"<li>l'<strong>indication</strong> l'</li>", "<li>l’<strong>indication</strong> l'</li>"},
		{`<p title="l'a">l&#39;administration l'a</p><code>l'x</code>`, `<p title="l'a">l’administration l’a</p><code>l'x</code>`},
		// Tags, attributes and text kept as typed are left alone.
		{`<a title="a : b" href="/x?y=1">lien :</a>`, "<a title=\"a : b\" href=\"/x?y=1\">lien\u00a0:</a>"},
		{"<pre>{ \"a\" : 1 }</pre> et :", "<pre>{ \"a\" : 1 }</pre> et\u00a0:"},
		{"<textarea name=t>ma réponse : oui</textarea>", "<textarea name=t>ma réponse : oui</textarea>"},
		{"<code>x ? y</code><progress value=1> ?</progress>", "<code>x ? y</code><progress value=1>\u202f?</progress>"},
		{"<script>a ? b : c</script><p>ok ?</p>", "<script>a ? b : c</script><p>ok\u202f?</p>"},
	} {
		if got := string(FrenchSpacesHTML([]byte(tc.in))); got != tc.want {
			t.Errorf("%q:\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestFrenchSpaces_PlainText(t *testing.T) {
	for in, want := range map[string]string{
		"Lieu : Paris":                            "Lieu\u00a0: Paris",
		"Reçu ? Oui ; merci !":                    "Reçu\u202f? Oui\u202f; merci\u202f!",
		"« Clerc » à 80 %":                        "«\u00a0Clerc\u00a0» à 80\u00a0%",
		"Note: English as is.":                    "Note: English as is.",
		"l'administration d'aujourd'hui":          "l’administration d’aujourd’hui",
		"1 190,00 € et 12 345 678 €, 2026 12 000": "1\u202f190,00\u00a0€ et 12\u202f345\u202f678\u00a0€, 2026 12\u202f000",
		"le 4 décembre 2026 à 10 h":               "le 4 décembre 2026 à 10 h",
		"'cité' et 1'2":                           "'cité' et 1'2",
		"Déjà\u00a0: rien à faire":                "Déjà\u00a0: rien à faire",
	} {
		if got := FrenchSpaces(in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}
