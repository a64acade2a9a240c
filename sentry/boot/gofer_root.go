package boot

import (
	"fmt"

	"moat/gofer/proto"
	goferfs "moat/sentry/fs/gofer"
	"moat/sentry/vfs"
)

// GoferRoot returns a RootFunc serving the root from the gofer connected at
// fd.
func GoferRoot(fd int, readOnly bool) RootFunc {
	return func(v *vfs.VirtualFilesystem) (*vfs.Filesystem, error) {
		fs, err := goferfs.New(v, proto.NewClient(fd), goferfs.Options{ReadOnly: readOnly})
		if err != nil {
			return nil, fmt.Errorf("connecting to the gofer: %w", err)
		}
		return fs, nil
	}
}
