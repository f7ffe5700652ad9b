// Package jury runs the certification panels: composition, quorum and the
// balance between women and men, conflicts of interest (employers current
// and of the last 3 years, VAE support, declared ties), evaluation grids
// and independent scoring, deliberations that write the component ledger,
// and signed minutes (procès-verbal) after which decisions are final.
package jury
