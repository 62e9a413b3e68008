// The library: the standard library is its only dependency. The CLI
// (cmd/exifscrub) and the tag-table generator (tools/gentags) are modules of
// their own, so that their dependencies never reach an app that imports
// this package.
module github.com/exifscrub/exifscrub

go 1.24.0
