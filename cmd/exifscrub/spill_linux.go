package main

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// sendFile copies the first n bytes of src, a regular file, to w with
// sendfile(2) when w is a file (standard output: a pipe, a file, a
// device): the kernel moves the pages of src's page cache into w without a
// copy through user space. It reports whether it handled the copy; when it
// did not (w is not a file, or sendfile refuses it before the first byte,
// as for a file opened with O_APPEND), the caller copies as usual.
func sendFile(w io.Writer, src *os.File, n int64) (written int64, handled bool, err error) {
	dst, ok := w.(*os.File)
	if !ok {
		return 0, false, nil
	}
	rc, err := dst.SyscallConn()
	if err != nil {
		return 0, false, nil
	}
	sc, err := src.SyscallConn()
	if err != nil {
		return 0, false, nil
	}
	var in uintptr
	if err := sc.Control(func(fd uintptr) { in = fd }); err != nil {
		return 0, false, nil
	}
	var off int64
	var serr error
	err = rc.Write(func(out uintptr) bool {
		for off < n {
			// Linux sends at most 0x7ffff000 bytes per call.
			k, e := syscall.Sendfile(int(out), int(in), &off, int(min(n-off, 1<<30)))
			switch {
			case e == syscall.EINTR:
				continue
			case e == syscall.EAGAIN:
				return false // wait until w can take more
			case e != nil:
				serr = e
				return true
			case k == 0:
				serr = io.ErrUnexpectedEOF // src is shorter than n
				return true
			}
		}
		return true
	})
	if off == 0 && (errors.Is(serr, syscall.EINVAL) || errors.Is(serr, syscall.ENOSYS)) {
		return 0, false, nil
	}
	if err == nil {
		err = serr
	}
	return off, true, err
}

// pipeSize is what growPipe asks for: the default pipe (64 KiB on Linux)
// makes the processes of a pipeline take turns every 64 KiB, and a video
// is hundreds of megabytes. 1 MiB is /proc/sys/fs/pipe-max-size's default,
// which an unprivileged process may set.
const pipeSize = 1 << 20

// growPipe enlarges the buffer of v, standard input or output, if it is a
// pipe (fcntl(2) F_SETPIPE_SZ). Anything else, or a refusal, leaves it as
// it is: the size only changes how often the pipeline wakes up.
func growPipe(v any) {
	f, ok := v.(*os.File)
	if !ok {
		return
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		return
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_SETPIPE_SZ, pipeSize)
	})
}
