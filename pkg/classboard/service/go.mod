// The class board's service: its HTTP handlers and page (board), its SQLite store (store), the
// hub's API (hub) and the binary (cmd/class-board). A module apart from the lesson's, so that a
// student's set-up never downloads the SQLite driver (about 240 MB of Go source): only the class
// hub's install (scripts/classroom) and its image build it. The kernel's client and the report
// format stay in the lesson's module (mnistlesson/pkg/classboard).
module mnistlesson/pkg/classboard/service

go 1.27.3

require (
	mnistlesson v0.0.0
	modernc.org/sqlite v1.60.1
)

require (
	github.com/dustin/go-humanize v1.0.1 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/ncruces/go-strftime v1.0.0 // indirect
	github.com/remyoudompheng/bigfft v0.0.0-20230129092748-24d4a6f8daec // indirect
	golang.org/x/sys v0.48.0 // indirect
	modernc.org/libc v1.77.1 // indirect
	modernc.org/mathutil v1.7.1 // indirect
	modernc.org/memory v1.12.1 // indirect
)

replace mnistlesson => ../../..
