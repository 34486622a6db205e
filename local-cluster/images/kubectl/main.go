// Command kubectl is kubectl itself, built from k8s.io/kubectl at the release go.mod pins, for
// the local stand-in of the registry.k8s.io/kubectl image (local-cluster/images/build.sh kubectl).
// It does what kubernetes' own cmd/kubectl main does; nothing here is ours but the wiring.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/component-base/logs"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"

	// The client auth plugins upstream's kubectl registers, so a kubeconfig naming one behaves
	// the same (a pod's in-cluster config needs none of them).
	_ "k8s.io/client-go/plugin/pkg/client/auth"
)

func main() {
	// klog's verbosity has to be known before the command is built (it logs while it reads
	// plugins and .kuberc), and cobra parses -v only later, inside cli.RunNoErrOutput.
	_, _ = logs.GlogSetter(cmd.GetLogVerbosity(os.Args))
	command := cmd.NewDefaultKubectlCommand()
	if err := cli.RunNoErrOutput(command); err != nil {
		// kubectl's own error formatting and exit code (1, or the code a plugin exited with).
		util.CheckErr(err)
	}
}
