#!/bin/sh
# Regenerates the Latin subsets of DejaVu Sans the certificates embed
# (Debian: apt-get install fonttools). Latin, Latin-1, Latin Extended A/B
# and Additional (Polish, Czech, Vietnamese…), combining marks and
# general punctuation: every holder name we expect, at a tenth of the
# glyphs, which is what makes a certificate PDF cost milliseconds.
set -e
cd "$(dirname "$0")"
U="U+0020-007E,U+00A0-024F,U+0300-036F,U+1E00-1EFF,U+2000-206F,U+20AC"
for f in DejaVuSans; do
	pyftsubset ../../pdfdoc/fonts/$f.ttf --unicodes="$U" --output-file=$f-latin.ttf \
		--no-hinting --desubroutinize --layout-features='' --drop-tables+=GSUB,GPOS,GDEF,kern,FFTM
done
