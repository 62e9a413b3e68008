//go:build !unix

package main

import (
	"os/exec"
	"testing"
)

// asUnprivileged: permission bits are a Unix notion.
func asUnprivileged(t *testing.T, root string) func(*exec.Cmd) { return nil }
