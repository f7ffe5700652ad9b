// Package certificates issues the CQP certificates and the attestations of
// partial validation from the final jury decisions: numbering, Ed25519
// signatures over a canonical JSON snapshot, PDFs regenerated from that
// snapshot, public verification, revocation and Open Badges credentials.
package certificates
