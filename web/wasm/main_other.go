//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "exifscrub wasm: build with GOOS=js GOARCH=wasm (see web/build.sh)")
	os.Exit(2)
}
