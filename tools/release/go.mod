// The release builder (see docs/release.md): the standard library only.
module github.com/exifscrub/exifscrub/tools/release

go 1.24.0
