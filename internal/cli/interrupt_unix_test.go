//go:build unix

package cli

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// TestSecondInterruptStopsTheProcess: the first Ctrl-C ends the command's context (work that
// must finish, finishes); the second stops the process at once. Run in a child process, which
// the second signal kills.
func TestSecondInterruptStopsTheProcess(t *testing.T) {
	if os.Getenv("COUNSEL_TEST_INTERRUPT_CHILD") == "1" {
		ctx, stop := interruptible(context.Background())
		defer stop()
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
			os.Exit(3) // the first interrupt did not end the context
		}
		for range 100 { // the second interrupt must kill us; give the handover time
			syscall.Kill(os.Getpid(), syscall.SIGINT)
			time.Sleep(50 * time.Millisecond)
		}
		os.Exit(4) // still alive after the second interrupt
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSecondInterruptStopsTheProcess$")
	cmd.Env = append(os.Environ(), "COUNSEL_TEST_INTERRUPT_CHILD=1")
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("child: %v, want killed by SIGINT", err)
	}
	ws, ok := exit.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Fatalf("child ended with %v (exit code %d), want killed by SIGINT", err, exit.ExitCode())
	}
}
