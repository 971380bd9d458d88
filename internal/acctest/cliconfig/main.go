// Command cliconfig prints the CLI configuration block that makes Terraform
// and OpenTofu take this provider from a directory (dev_overrides), the
// same block the acceptance tests write: make install prints it for the
// user's own CLI configuration, and make demo writes it for its run.
//
//	go run ./internal/acctest/cliconfig DIR
package main

import (
	"fmt"
	"os"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: cliconfig DIR (the directory that holds terraform-provider-servicetitan)")
		os.Exit(2)
	}
	fmt.Print(acctest.CLIConfig(os.Args[1]))
}
