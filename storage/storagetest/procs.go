package storagetest

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Proc is a backend server process a fault test started for itself on a
// private loopback port, to pause, resume or kill. It is never the
// machine's shared MariaDB or Redis: tests stop only what they started.
type Proc struct {
	t    testing.TB
	cmd  *exec.Cmd
	Addr string // 127.0.0.1:port
	done chan struct{}
}

// Pause stops the process with SIGSTOP: it keeps its sockets open and its
// clients' connections established, but answers nothing (a hung server).
// It returns once the process is stopped: a signal is delivered
// asynchronously, and a busy multi-threaded server may answer one more
// request before it stops.
func (p *Proc) Pause() {
	p.t.Helper()
	p.signal(syscall.SIGSTOP)
	p.waitState(func(state byte) bool { return state == 'T' || state == 't' }, "stopped")
}

// Resume lets a paused process run again (SIGCONT).
func (p *Proc) Resume() {
	p.t.Helper()
	p.signal(syscall.SIGCONT)
	p.waitState(func(state byte) bool { return state != 'T' && state != 't' }, "running")
}

// waitState polls the process state in /proc until ok says so (5 s at most).
func (p *Proc) waitState(ok func(state byte) bool, want string) {
	p.t.Helper()
	path := fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid)
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if err != nil {
			p.t.Fatalf("read %s: %v", path, err)
		}
		// The state follows the parenthesised command name.
		if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) && ok(b[i+2]) {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("process %d is not %s after 5s: %s", p.cmd.Process.Pid, want, b)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Kill ends the process with SIGKILL (a crash) and waits for it.
func (p *Proc) Kill() {
	p.t.Helper()
	p.signal(syscall.SIGKILL)
	<-p.done
}

func (p *Proc) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %v to pid %d: %v", sig, p.cmd.Process.Pid, err)
	}
}

// needBinary returns the path of a server binary; when it is missing the
// test is skipped, except under CI=true, where it fails.
func needBinary(t testing.TB, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
		if p := filepath.Join("/usr/sbin", n); isExecutable(p) {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found; CI must run the fault tests", names[0])
	}
	t.Skipf("%s not found; skipping the fault test", names[0])
	return ""
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// freePort returns a loopback port nothing listens on right now.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// start runs the command with its output in log, waits until ready reports
// true (at most wait), and stops the process (resuming it first, in case it
// is paused) when the test ends.
func start(t testing.TB, name string, cmd *exec.Cmd, log string, wait time.Duration, ready func() bool) *Proc {
	t.Helper()
	out, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	p := &Proc{t: t, cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		_ = out.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
			return
		default:
		}
		_ = cmd.Process.Signal(syscall.SIGCONT)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	deadline := time.Now().Add(wait)
	for !ready() {
		select {
		case <-p.done:
			t.Fatalf("%s exited at start:\n%s", name, tailFile(log))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer within %v:\n%s", name, wait, tailFile(log))
		}
		time.Sleep(50 * time.Millisecond)
	}
	return p
}

func tailFile(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// StartRedis starts a private redis-server (no persistence) on a free
// loopback port for one test.
func StartRedis(t testing.TB) *Proc {
	t.Helper()
	bin := needBinary(t, "redis-server")
	dir := t.TempDir()
	port := freePort(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
	// Ready when the server on the port is this process: another test run
	// on the machine may have taken the port between freePort and the bind.
	p := start(t, "redis-server", cmd, filepath.Join(dir, "redis.log"), 10*time.Second, func() bool {
		return redisPing(addr) && redisPID(addr) == cmd.Process.Pid
	})
	p.Addr = addr
	return p
}

// redisPing reports whether a Redis server answers PING at addr.
func redisPing(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "+PONG")
}

// redisPID is the process id a Redis server at addr reports (0 when it does
// not answer).
func redisPID(addr string) int {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return 0
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("INFO server\r\n")); err != nil {
		return 0
	}
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return 0
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "process_id:"); ok {
			pid, _ := strconv.Atoi(v)
			return pid
		}
	}
}

// StartMariaDB initialises a data directory and starts a private mariadbd
// on a free loopback port for one test, with grant tables skipped (any user
// may log in, for a throw-away instance). It returns the process and a DSN
// for an empty database "jiuzhu" on it.
func StartMariaDB(t testing.TB) (*Proc, string) {
	t.Helper()
	server := needBinary(t, "mariadbd", "mysqld")
	install := needBinary(t, "mariadb-install-db", "mysql_install_db")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	args := []string{"--no-defaults", "--datadir=" + data, "--auth-root-authentication-method=normal", "--skip-test-db"}
	if os.Geteuid() == 0 {
		args = append(args, "--user=root")
	}
	if out, err := exec.Command(install, args...).CombinedOutput(); err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	port := freePort(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	srvArgs := []string{"--no-defaults", "--datadir=" + data, "--port=" + strconv.Itoa(port), "--bind-address=127.0.0.1",
		"--socket=" + filepath.Join(dir, "mysqld.sock"), "--pid-file=" + filepath.Join(dir, "mysqld.pid"),
		"--skip-grant-tables", "--innodb-buffer-pool-size=16M", "--innodb-log-file-size=16M",
		"--character-set-server=utf8mb4", "--collation-server=utf8mb4_bin"}
	if os.Geteuid() == 0 {
		srvArgs = append(srvArgs, "--user=root")
	}
	cmd := exec.Command(server, srvArgs...)
	dsn := "root@tcp(" + addr + ")/"
	// Ready when the server on the port is this one (its data directory):
	// another test run on the machine may have taken the port between
	// freePort and the bind.
	p := start(t, "mariadbd", cmd, filepath.Join(dir, "mysqld.log"), 30*time.Second, func() bool {
		return mysqlDatadir(dsn) == data+"/" && mysqlExec(dsn, "CREATE DATABASE IF NOT EXISTS jiuzhu") == nil
	})
	p.Addr = addr
	return p, dsn + "jiuzhu"
}

// TmpfsDir mounts a tmpfs of size bytes for one test (a small disk to fill
// or remount read-only) and unmounts it at the end. Mounting needs root: it
// is skipped without it, except under CI=true.
func TmpfsDir(t testing.TB, size int) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mount tmpfs: %v %s; CI must run the disk fault tests (as root)", err, out)
		}
		t.Skipf("cannot mount a tmpfs (%v %s); skipping the disk fault test", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// RemountReadOnly makes a TmpfsDir read-only.
func RemountReadOnly(t testing.TB, dir string) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,ro", dir).CombinedOutput(); err != nil {
		t.Fatalf("remount %s read-only: %v %s", dir, err, out)
	}
}

// mysqlExec runs one statement on the server of dsn, within two seconds.
// mysqlDatadir is the data directory the server at dsn reports ("" when
// it does not answer).
func mysqlDatadir(dsn string) string {
	db, err := sql.Open("mysql", dsn+"?timeout=1s")
	if err != nil {
		return ""
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var dir string
	if err := db.QueryRowContext(ctx, "SELECT @@datadir").Scan(&dir); err != nil {
		return ""
	}
	return dir
}

func mysqlExec(dsn, stmt string) error {
	db, err := sql.Open("mysql", dsn+"?timeout=1s")
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err = db.ExecContext(ctx, stmt)
	return err
}
