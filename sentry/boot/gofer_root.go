package boot

import (
	"fmt"

	goferfs "moat/sentry/fs/gofer"
	"moat/sentry/vfs"
)

// GoferRoot returns a RootFunc serving the root from the gofer connected at
// fd.
func GoferRoot(fd int, readOnly bool) RootFunc {
	return func(v *vfs.VirtualFilesystem) (*vfs.Filesystem, error) {
		fs, err := goferfs.NewFromFD(v, fd, goferfs.Options{ReadOnly: readOnly})
		if err != nil {
			return nil, fmt.Errorf("connecting to the gofer: %w", err)
		}
		return fs, nil
	}
}
