// Command containerd-shim-runsc-v1 is Moat's containerd shim v2 (runtime
// type io.containerd.runsc.v1). containerd starts it once per pod (or per
// container outside Kubernetes); it serves containerd's Task API over ttrpc
// and carries out every request by running the runsc command line. See
// docs/containerd.md.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/containerd/containerd/runtime/v2/shim"

	"moat/shim/service"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	if len(os.Args) == 2 && os.Args[1] == "-info" {
		if err := service.WriteInfo(os.Stdout, version); err != nil {
			fmt.Fprintf(os.Stderr, "containerd-shim-runsc-v1: %v\n", err)
			os.Exit(1)
		}
		return
	}
	service.RegisterTaskPlugin()
	shim.RunManager(context.Background(), service.NewManager(service.RuntimeName))
}
