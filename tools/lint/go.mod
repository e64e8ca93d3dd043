// The lint tools of scripts/test, pinned apart from tools/go.mod: staticcheck 0.8.2 needs an
// x/tools (v0.51) that reads Go 1.27's export data, and the kernel's gopls (v0.23.0) does not build
// with it; gopls 0.24, which does, left imports unfixed in a class hub's cells (goimports of the same x/tools).
module mnistlesson/tools/lint

go 1.27.3

tool honnef.co/go/tools/cmd/staticcheck

require (
	github.com/BurntSushi/toml v1.4.1-0.20240526193622-a339e1f7089c // indirect
	golang.org/x/exp/typeparams v0.0.0-20231108232855-2478ac86f678 // indirect
	golang.org/x/mod v0.41.0 // indirect
	golang.org/x/sync v0.23.0 // indirect
	golang.org/x/tools v0.51.0 // indirect
	honnef.co/go/tools v0.8.2 // indirect
)
