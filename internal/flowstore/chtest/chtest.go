// Package chtest runs a real, throw-away ClickHouse server for tests:
// Debian's clickhouse-server with a configuration written into a temporary
// folder, listening only on 127.0.0.1 on free ports (HTTP and native; no
// interserver port), its data in that folder.
//
// When clickhouse-server is missing the test is skipped, unless $CI is set:
// on CI a missing ClickHouse must fail loudly, not skip quietly.
package chtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Server is one running test ClickHouse.
type Server struct {
	dir  string
	http int
	cmd  *exec.Cmd
	done chan struct{}
	log  bytes.Buffer
}

// Binary is the clickhouse-server program, or "" when not installed.
func Binary() string {
	for _, p := range []string{"clickhouse-server", "/usr/bin/clickhouse-server", "/usr/sbin/clickhouse-server"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	return ""
}

// Start starts a server and returns its URL
// (clickhouse://127.0.0.1:PORT/default); it is stopped and its folder
// removed when the test ends.
func Start(t testing.TB) string {
	t.Helper()
	bin := Binary()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("clickhouse-server not found and CI is set: install Debian's clickhouse-server package (make test-deps)")
		}
		t.Skip("clickhouse-server not found: install Debian's clickhouse-server package to run this test")
	}
	dir, err := os.MkdirTemp("", "vantage-chtest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// A free port can be taken by someone else between our probe and the
	// server's bind: try a few.
	var lastErr error
	for range 4 {
		s := &Server{dir: dir, done: make(chan struct{})}
		if lastErr = s.start(t, bin); lastErr == nil {
			t.Cleanup(s.stop)
			return fmt.Sprintf("clickhouse://127.0.0.1:%d/default", s.http)
		}
	}
	t.Fatalf("start ClickHouse: %v", lastErr)
	return ""
}

func (s *Server) start(t testing.TB, bin string) error {
	s.http = freePort(t)
	tcp := freePort(t)
	for _, d := range []string{"data", "tmp", "user_files", "format_schemas"} {
		if err := os.MkdirAll(filepath.Join(s.dir, d), 0o755); err != nil {
			return err
		}
	}
	conf := fmt.Sprintf(configXML, s.dir, s.dir, s.http, tcp, s.dir, s.dir, s.dir, s.dir, s.dir)
	if err := os.WriteFile(filepath.Join(s.dir, "config.xml"), []byte(conf), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(s.dir, "users.xml"), []byte(usersXML), 0o644); err != nil {
		return err
	}
	s.cmd = exec.Command(bin, "--config-file="+filepath.Join(s.dir, "config.xml"))
	s.cmd.Dir = s.dir
	s.cmd.Stdout, s.cmd.Stderr = &s.log, &s.log
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("run %s: %w", bin, err)
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d/ping", s.http), nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.TrimSpace(string(b)) == "Ok." {
				return nil
			}
		}
		select {
		case <-s.done:
			errLog, _ := os.ReadFile(filepath.Join(s.dir, "err.log"))
			return fmt.Errorf("clickhouse-server exited: %s\n%s", s.log.String(), lastLines(string(errLog), 20))
		case <-ctx.Done():
			s.stop()
			return fmt.Errorf("clickhouse-server did not answer on 127.0.0.1:%d within 90s", s.http)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// stop ends the server: SIGTERM, then SIGKILL after 20 seconds.
func (s *Server) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// configXML: logs, ports, 127.0.0.1 only, folders; <yandex> is the root
// element 18.16 wants (current releases accept it too).
const configXML = `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>%s/server.log</log><errorlog>%s/err.log</errorlog><console>0</console></logger>
  <http_port>%d</http_port>
  <tcp_port>%d</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>%s/data/</path>
  <tmp_path>%s/tmp/</tmp_path>
  <user_files_path>%s/user_files/</user_files_path>
  <format_schema_path>%s/format_schemas/</format_schema_path>
  <users_config>%s/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>67108864</mark_cache_size>
  <max_concurrent_queries>20</max_concurrent_queries>
</yandex>
`

// usersXML: the default user, no password, from loopback only; two
// threads per query on a shared test machine.
const usersXML = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage><max_threads>2</max_threads></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
`
