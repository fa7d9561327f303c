package cli

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// An interrupt (Deps.Interrupt, Ctrl-C in the real binary) ends the context of a command that
// runs; help and usage errors never start listening for it.
func TestInterruptOnlyForCommandsThatRun(t *testing.T) {
	_, deps := isolated(t)
	var started, stopped int
	// An interrupt that has already come when the command starts.
	interrupted := func(ctx context.Context) (context.Context, context.CancelFunc) {
		started++
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		return ctx, func() { stopped++ }
	}
	run := func(interrupt func(context.Context) (context.Context, context.CancelFunc), args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		d := deps(&stdout, &stderr)
		d.Interrupt = interrupt
		code := Main(context.Background(), args, d)
		return code, stderr.String()
	}
	for _, args := range [][]string{{"--help"}, {"session", "--help"}, {"session", "new", "--no-such-flag"}} {
		run(interrupted, args...)
		if started != 0 {
			t.Fatalf("%q started listening for interrupts", args)
		}
	}
	if code, stderr := run(nil, "session", "new", "--client", "Client-A", "--provider", "sichere-videokonferenz",
		"--at", "2026-12-03 10:00"); code != exitOK {
		t.Fatalf("session new: exit %d\n%s", code, stderr)
	}
	code, stderr := run(interrupted, "audit", "verify")
	if started != 1 || stopped != 1 {
		t.Errorf("audit verify: listening started %d and stopped %d times, want 1 and 1", started, stopped)
	}
	if code != exitFailure || !strings.Contains(stderr, "context canceled") {
		t.Errorf("audit verify after an interrupt: exit %d, want %d and the interrupt named; stderr:\n%s", code, exitFailure, stderr)
	}
	if code, stderr := run(nil, "audit", "verify"); code != exitOK {
		t.Errorf("audit verify without an interrupt: exit %d\n%s", code, stderr)
	}
}

// An interrupt while counsel waits for an answer (the question of consent revoke at a
// terminal, a name read with '-') ends the command at once: counsel listens for Ctrl-C, so the
// interrupt no longer ends the process itself, and a read of a terminal does not return by
// itself. Nothing is withdrawn or stored.
func TestInterruptEndsAQuestion(t *testing.T) {
	_, deps := isolated(t)
	run := func(stdin io.Reader, tty bool, interrupt func(context.Context) (context.Context, context.CancelFunc), args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		d := deps(&stdout, &stderr)
		d.Stdin, d.StdinTTY, d.Interrupt = stdin, tty, interrupt
		code := Main(context.Background(), args, d)
		return code, stdout.String(), stderr.String()
	}
	if code, _, stderr := run(strings.NewReader(""), false, nil, "session", "new", "--client", "Client-A",
		"--provider", "sichere-videokonferenz", "--at", "2026-12-03 10:00"); code != exitOK {
		t.Fatalf("session new: exit %d\n%s", code, stderr)
	}
	// Ctrl-C a moment after the command started, while it waits for the answer.
	later := func(ctx context.Context) (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(50*time.Millisecond, cancel)
		return ctx, cancel
	}
	for _, c := range []struct {
		tty  bool
		args []string
	}{
		{true, []string{"consent", "revoke", "Client-A"}},
		{true, []string{"consent", "show"}},
		{false, []string{"session", "new", "--client", "-", "--provider", "sichere-videokonferenz", "--at", "2026-12-04 10:00"}},
	} {
		stdin, typing := io.Pipe() // a terminal nobody types at
		defer typing.Close()
		type result struct {
			code           int
			stdout, stderr string
		}
		done := make(chan result, 1)
		go func() {
			code, stdout, stderr := run(stdin, c.tty, later, c.args...)
			done <- result{code, stdout, stderr}
		}()
		select {
		case r := <-done:
			if r.code != exitFailure || !strings.Contains(r.stderr, "context canceled") {
				t.Errorf("%q interrupted at its question: exit %d, want %d and the interrupt named; stderr:\n%s", c.args, r.code, exitFailure, r.stderr)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%q still waits for its answer 10s after an interrupt", c.args)
		}
	}
	code, stdout, stderr := run(strings.NewReader(""), false, nil, "session", "list", "--format", "json")
	if code != exitOK || strings.Count(stdout, `"id"`) != 1 {
		t.Errorf("after the interrupts, want the one session of Client-A stored; exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if code, stdout, stderr := run(strings.NewReader(""), false, nil, "consent", "show", "Client-A", "--format", "json"); code != exitOK || strings.Contains(stdout, "withdrawn") {
		t.Errorf("after the interrupted withdrawal, want the consent untouched; exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}
