// Command containerd-shim-runsc-v1 is Moat's containerd shim v2 (runtime
// type io.containerd.runsc.v1). containerd starts it once per pod (or per
// container outside Kubernetes); it serves containerd's Task API over ttrpc
// and carries out every request by running the runsc command line. See
// docs/containerd.md.
package main

import (
	"context"

	"github.com/containerd/containerd/runtime/v2/shim"

	"moat/shim/service"
)

func main() {
	service.RegisterTaskPlugin()
	shim.RunManager(context.Background(), service.NewManager(service.RuntimeName))
}
