package webui

import "testing"

func TestFrenchSpaces(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"<p>Motif : refus ; pourquoi ? Enfin ! 50 %</p>", "<p>Motif\u00a0: refus\u202f; pourquoi\u202f? Enfin\u202f! 50\u00a0%</p>"},
		{"<p>« Document RÉVOQUÉ »</p>", "<p>«\u00a0Document RÉVOQUÉ\u00a0»</p>"},
		// Tags, attributes and text kept as typed are left alone.
		{`<a title="a : b" href="/x?y=1">lien :</a>`, "<a title=\"a : b\" href=\"/x?y=1\">lien\u00a0:</a>"},
		{"<pre>{ \"a\" : 1 }</pre> et :", "<pre>{ \"a\" : 1 }</pre> et\u00a0:"},
		{"<textarea name=t>ma réponse : oui</textarea>", "<textarea name=t>ma réponse : oui</textarea>"},
		{"<code>x ? y</code><progress value=1> ?</progress>", "<code>x ? y</code><progress value=1>\u202f?</progress>"},
		{"<script>a ? b : c</script><p>ok ?</p>", "<script>a ? b : c</script><p>ok\u202f?</p>"},
	} {
		if got := string(frenchSpaces([]byte(tc.in))); got != tc.want {
			t.Errorf("%q:\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
