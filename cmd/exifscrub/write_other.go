//go:build !unix

package main

import (
	"io/fs"
	"os"
)

// links returns 1: hard links are not counted on this system.
func links(fs.FileInfo) uint64 { return 1 }

// restoreOwner does nothing: owners are not Unix user IDs here.
func restoreOwner(*os.File, fs.FileInfo) {}
