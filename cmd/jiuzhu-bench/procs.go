package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/go-sql-driver/mysql" // the raw MariaDB client
	"github.com/redis/go-redis/v9"
)

// Proc is a server process the bench started for itself on a private
// loopback port; the bench stops only what it started.
type Proc struct {
	Name string
	Addr string
	cmd  *exec.Cmd
	done chan struct{}
	log  string
}

// Pid is the process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Stop ends the process with SIGTERM (SIGKILL after 20 s) and waits.
func (p *Proc) Stop() {
	if p == nil {
		return
	}
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// startProc runs cmd with its output in logPath and waits (at most wait)
// until ready reports true.
func startProc(name string, cmd *exec.Cmd, logPath string, wait time.Duration, ready func() bool) (*Proc, error) {
	out, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group: a ^C to the bench reaches it through Stop,
	// in order, not all at once.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Proc{Name: name, cmd: cmd, done: make(chan struct{}), log: logPath}
	go func() {
		_ = cmd.Wait()
		_ = out.Close()
		close(p.done)
	}()
	deadline := time.Now().Add(wait)
	for !ready() {
		select {
		case <-p.done:
			return nil, fmt.Errorf("%s exited at start:\n%s", name, tailFile(logPath))
		default:
		}
		if time.Now().After(deadline) {
			p.Stop()
			return nil, fmt.Errorf("%s did not answer within %v:\n%s", name, wait, tailFile(logPath))
		}
		time.Sleep(100 * time.Millisecond)
	}
	return p, nil
}

func tailFile(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// freePort returns a loopback port nothing listens on right now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func findBinary(names ...string) (string, error) {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
		for _, dir := range []string{"/usr/sbin", filepath.Join(os.Getenv("HOME"), "go", "bin")} {
			p := filepath.Join(dir, n)
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("%s not found (scripts/test-services.sh installs it)", names[0])
}

// startMariaDB initialises a data directory under dir and starts a private
// mariadbd on a free port with its durability defaults (a commit is an
// fsync of the redo log). It returns the process and the DSN of the server
// (no database).
func startMariaDB(dir string) (*Proc, string, error) {
	server, err := findBinary("mariadbd", "mysqld")
	if err != nil {
		return nil, "", err
	}
	install, err := findBinary("mariadb-install-db", "mysql_install_db")
	if err != nil {
		return nil, "", err
	}
	data := filepath.Join(dir, "data")
	args := []string{"--no-defaults", "--datadir=" + data, "--auth-root-authentication-method=normal", "--skip-test-db"}
	if os.Geteuid() == 0 {
		args = append(args, "--user=root")
	}
	if out, err := exec.Command(install, args...).CombinedOutput(); err != nil {
		return nil, "", fmt.Errorf("mariadb-install-db: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	srvArgs := []string{"--no-defaults", "--datadir=" + data, "--port=" + strconv.Itoa(port), "--bind-address=127.0.0.1",
		"--socket=" + filepath.Join(dir, "mysqld.sock"), "--pid-file=" + filepath.Join(dir, "mysqld.pid"),
		"--skip-grant-tables", "--innodb-buffer-pool-size=256M", "--innodb-log-file-size=128M", "--max-connections=300",
		"--character-set-server=utf8mb4", "--collation-server=utf8mb4_bin"}
	if os.Geteuid() == 0 {
		srvArgs = append(srvArgs, "--user=root")
	}
	dsn := "root@tcp(" + addr + ")/"
	p, err := startProc("mariadbd", exec.Command(server, srvArgs...), filepath.Join(dir, "mysqld.log"), 60*time.Second, func() bool {
		db, err := sql.Open("mysql", dsn+"?timeout=1s")
		if err != nil {
			return false
		}
		defer db.Close()
		var d string
		return db.QueryRow("SELECT @@datadir").Scan(&d) == nil && d == data+"/"
	})
	if err != nil {
		return nil, "", err
	}
	p.Addr = addr
	return p, dsn, nil
}

// binaryAndPort finds a server's binary and a free loopback port for it.
func binaryAndPort(name string) (bin string, port int, addr string, err error) {
	if bin, err = findBinary(name); err != nil {
		return "", 0, "", err
	}
	if port, err = freePort(); err != nil {
		return "", 0, "", err
	}
	return bin, port, "127.0.0.1:" + strconv.Itoa(port), nil
}

// startRedis starts a private redis-server without persistence.
func startRedis(dir string) (*Proc, error) {
	bin, port, addr, err := binaryAndPort("redis-server")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
	p, err := startProc("redis-server", cmd, filepath.Join(dir, "redis.log"), 20*time.Second, func() bool {
		c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: time.Second})
		defer c.Close()
		info, err := c.Info(context.Background(), "server").Result()
		return err == nil && strings.Contains(info, "process_id:"+strconv.Itoa(cmdPid(cmd))+"\r")
	})
	if err != nil {
		return nil, err
	}
	p.Addr = addr
	return p, nil
}

func cmdPid(cmd *exec.Cmd) int {
	if cmd.Process == nil {
		return -1
	}
	return cmd.Process.Pid
}

// startVersityGW starts a private S3 server (versitygw, posix backend) in dir.
func startVersityGW(dir, access, secret string) (*Proc, error) {
	bin, _, addr, err := binaryAndPort("versitygw")
	if err != nil {
		return nil, err
	}
	root := filepath.Join(dir, "s3")
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--port", addr, "--quiet", "posix", root)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+access, "ROOT_SECRET_KEY="+secret)
	p, err := startProc("versitygw", cmd, filepath.Join(dir, "versitygw.log"), 30*time.Second, func() bool {
		resp, err := (&http.Client{Timeout: time.Second}).Get("http://" + addr + "/")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return true
	})
	if err != nil {
		return nil, err
	}
	p.Addr = addr
	return p, nil
}

// cpuSeconds is the user+system CPU time of a process so far.
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	// After the command name: state is field 3, utime 14 and stime 15.
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ is 100 on Linux
}

// procStatus reads a memory figure (kB) of /proc/PID/status in bytes.
func procStatus(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		return kb << 10, err
	}
	return 0, fmt.Errorf("/proc/%d/status has no %s", pid, field)
}

// resetPeakRSS resets a process's VmHWM to its current RSS (Linux 4.0+).
func resetPeakRSS(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// machine describes the host for the report.
func machine() []string {
	var out []string
	out = append(out, fmt.Sprintf("cores: %d (`nproc`)", numCPU()))
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "MemTotal:") {
				kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(l, "MemTotal:")), " kB"), 64)
				out = append(out, fmt.Sprintf("memory: %.1f GiB", kb/(1<<20)))
			}
		}
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				_, v, _ := strings.Cut(l, ":")
				out = append(out, "CPU: "+strings.TrimSpace(v))
				break
			}
		}
	}
	if b, err := exec.Command("uname", "-sr").Output(); err == nil {
		out = append(out, "kernel: "+strings.TrimSpace(string(b)))
	}
	return out
}

// loadAverage is /proc/loadavg's first three fields.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// machineBusySeconds is the CPU time every core of the machine spent not
// idle (user, nice, system, irq, softirq, steal) since boot, from
// /proc/stat.
func machineBusySeconds() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	var busy float64
	for i, v := range f[1:9] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		x, _ := strconv.ParseFloat(v, 64)
		busy += x
	}
	return busy / 100
}
