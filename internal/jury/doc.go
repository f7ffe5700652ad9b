// Package jury runs the certification panels: composition and quorum,
// conflicts of interest, evaluation grids and independent scoring,
// deliberations that write the component ledger, and signed minutes
// (procès-verbal) after which decisions are final.
package jury
