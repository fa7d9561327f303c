//go:build unix

package cli

import (
	"context"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// TestSecondInterruptDoesNotKill: the first Ctrl-C ends the command's context; further ones
// do not end the process, so a command can remove the files it began (export dpo's hidden
// folder) before it exits. Run in a child process that a second SIGINT would kill.
func TestSecondInterruptDoesNotKill(t *testing.T) {
	if os.Getenv("COUNSEL_TEST_INTERRUPT_CHILD") == "1" {
		ctx, stop := interruptible(context.Background())
		defer stop()
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
			os.Exit(3) // the first interrupt did not end the context
		}
		for range 5 {
			syscall.Kill(os.Getpid(), syscall.SIGINT)
			time.Sleep(20 * time.Millisecond)
		}
		os.Exit(0) // still here: the cleanup would run
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSecondInterruptDoesNotKill$")
	cmd.Env = append(os.Environ(), "COUNSEL_TEST_INTERRUPT_CHILD=1")
	if err := cmd.Run(); err != nil {
		t.Fatalf("child after two interrupts: %v, want it alive to exit 0", err)
	}
}
