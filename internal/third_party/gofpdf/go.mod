module github.com/phpdave11/gofpdf

// 1.21 for clear(); below 1.22, so loops keep the semantics upstream was written for.
go 1.21
