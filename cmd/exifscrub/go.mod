module github.com/exifscrub/exifscrub/cmd/exifscrub

go 1.24.0

require (
	github.com/bmatcuk/doublestar/v4 v4.8.1
	github.com/exifscrub/exifscrub v0.0.0-00010101000000-000000000000
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.1
	github.com/schollz/progressbar/v3 v3.13.1
	github.com/urfave/cli/v2 v2.27.7
	golang.org/x/term v0.30.0
)

require (
	github.com/cpuguy83/go-md2man/v2 v2.0.7 // indirect
	github.com/mattn/go-runewidth v0.0.14 // indirect
	github.com/mitchellh/colorstring v0.0.0-20190213212951-d06e56a500db // indirect
	github.com/rivo/uniseg v0.2.0 // indirect
	github.com/russross/blackfriday/v2 v2.1.0 // indirect
	github.com/xrash/smetrics v0.0.0-20240521201337-686a1a2994c1 // indirect
	golang.org/x/sys v0.31.0 // indirect
	golang.org/x/text v0.14.0 // indirect
)
