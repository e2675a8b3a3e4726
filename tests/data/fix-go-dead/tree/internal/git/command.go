package git

import "os/exec"

func gitCommand(name string, args ...string) *exec.Cmd {
	return exec.Command(name, args...)
}
