//go:build !js

package exifscrub

import (
	"io"
	"os"
)

// files returns src and dst when both are *os.File, for copyFiles: io.CopyN
// between them uses copy_file_range on Linux.
func files(src, dst any) (io.Reader, io.Writer, bool) {
	s, ok1 := src.(*os.File)
	d, ok2 := dst.(*os.File)
	return s, d, ok1 && ok2
}
