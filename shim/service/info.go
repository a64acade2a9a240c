package service

import (
	"io"

	"github.com/containerd/containerd/api/types"
	"google.golang.org/protobuf/proto"
)

// WriteInfo answers containerd 2.x's `containerd-shim-runsc-v1 -info`
// (which the 1.7 shim library does not know): the shim's name and version
// as a protobuf RuntimeInfo. It declares no features or annotations.
func WriteInfo(w io.Writer, version string) error {
	b, err := proto.Marshal(&types.RuntimeInfo{Name: RuntimeName, Version: &types.RuntimeVersion{Version: version}})
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
