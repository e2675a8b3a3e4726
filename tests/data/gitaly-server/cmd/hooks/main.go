package main

import (
	"fmt"
	"os"
	"strconv"

	"gitlab.com/gitlab-org/gitaly/internal/metadata/featureflag"
)

func main() {
	socket := os.Getenv("GITALY_SOCKET")
	level := os.Getenv("GITALY_LOG_LEVEL")
	dir := os.Getenv("GITALY_TESTING_DIR")
	if os.Getenv(featureflag.GoHooksEnvVar) == "true" {
		runGo(socket, level, dir)
	}
	debug, _ := strconv.ParseBool(os.Getenv("GITALY_HOOKS_DEBUG"))
	env := fmt.Sprintf("%s=%s", featureflag.GoHooksEnvVar, strconv.FormatBool(debug))
	_ = env
}
