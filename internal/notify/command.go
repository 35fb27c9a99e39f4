package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"text/template"
	"time"
)

// commandNotifier runs a program, without a shell: each argument is a
// template rendered on its own, and the message is its standard input.
type commandNotifier struct {
	cfg  Config
	text *template.Template
	args []*template.Template
}

func newCommand(c Config) (*commandNotifier, error) {
	n := &commandNotifier{cfg: c}
	var err error
	if n.text, err = compile("message", c.Template, DefaultTemplate); err != nil {
		return nil, fmt.Errorf("%s: %w", c.key("template"), err)
	}
	for i, a := range c.Args {
		t, err := compile(fmt.Sprintf("args[%d]", i), a, "")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.key(fmt.Sprintf("args[%d]", i)), err)
		}
		n.args = append(n.args, t)
	}
	return n, nil
}

func (n *commandNotifier) Name() string { return n.cfg.Name }

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

// Send runs the command once. The timeout kills its whole process group;
// a non-zero exit is an error quoting the end of its standard error.
func (n *commandNotifier) Send(ctx context.Context, m Message) error {
	stdin, err := execute(n.text, m)
	if err != nil {
		return Permanent(fmt.Errorf("notifier %s: template: %w", n.cfg.Name, err))
	}
	args := make([]string, len(n.args))
	for i, t := range n.args {
		if args[i], err = execute(t, m); err != nil {
			return Permanent(fmt.Errorf("notifier %s: args[%d]: %w", n.cfg.Name, i, err))
		}
	}
	ctx, cancel := withTimeout(ctx, n.cfg.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, n.cfg.Path, args...)
	cmd.Stdin = strings.NewReader(stdin)
	stderr := &tailBuffer{max: 512}
	cmd.Stderr = stderr
	cmd.Stdout = &tailBuffer{max: 512}
	cmd.WaitDelay = time.Second
	killGroup(cmd)
	err = cmd.Run()
	if err == nil {
		return nil
	}
	excerpt := string(bytes.TrimSpace(stderr.b))
	if ctx.Err() != nil {
		return fmt.Errorf("notifier %s: %s: killed: %w", n.cfg.Name, n.cfg.Path, context.Cause(ctx))
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return fmt.Errorf("notifier %s: %s: %s: %q", n.cfg.Name, n.cfg.Path, exit.ProcessState, excerpt)
	}
	return fmt.Errorf("notifier %s: %s: %w", n.cfg.Name, n.cfg.Path, err)
}
