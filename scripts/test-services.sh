#!/usr/bin/env bash
# Start the real backends the tests run against (MariaDB, Redis, a private
# 3-master Redis Cluster, an S3 server) and export the JIUZHU_TEST_* variables that storage/storagetest
# reads.
#
# Two ways to use it:
#   source scripts/test-services.sh; jz_services_up     (what .ci/run does)
#   scripts/test-services.sh go test ./storage/...      (run one command
#                                                         with the services
#                                                         up; default: make test)
#
# MariaDB (127.0.0.1:3306, root, empty password) and Redis (127.0.0.1:6379)
# are used as they are when they already answer; otherwise they are
# installed with apt-get if missing and started. Chromium (for the browser
# tests in web/e2e) is installed with apt-get when /usr/bin/chromium is
# missing; `npm ci` runs in web/ (Redocly CLI for the OpenAPI lint test).
# Only what this file started is stopped again by
# jz_services_down, and the machine's own servers are
# never touched. The S3 server is always a private versitygw on a free
# loopback port with a temporary directory.
#
# Knobs (environment):
#   JIUZHU_TEST_DB_NAME     test database to drop and re-create (jiuzhu_test)
#   JIUZHU_VERSITYGW_VERSION  version to go install when versitygw is missing
#   JIUZHU_SERVICE_WAIT     seconds to wait for each service (60)

JZ_MYSQL_HOST=127.0.0.1
JZ_MYSQL_PORT=3306
JZ_REDIS_HOST=127.0.0.1
JZ_REDIS_PORT=6379
JZ_DB_NAME=${JIUZHU_TEST_DB_NAME:-jiuzhu_test}
JZ_VERSITYGW_VERSION=${JIUZHU_VERSITYGW_VERSION:-v1.8.0}
JZ_WAIT=${JIUZHU_SERVICE_WAIT:-60}

# State for jz_services_down.
JZ_TMP=""
JZ_STARTED_MARIADB=0
JZ_STARTED_REDIS=0
JZ_VGW_PID=""
JZ_CLUSTER_PIDFILES=()
JZ_APT_UPDATED=0

jz_log() { printf '[test-services] %s\n' "$*" >&2; }
jz_die() { jz_log "ERROR: $*"; exit 1; }

# jz_tail FILE: show the end of a log file when something failed to start.
jz_tail() {
	if [[ -s $1 ]]; then
		jz_log "last lines of $1:"
		tail -n 30 "$1" >&2 || true
	fi
}

jz_as_root() {
	if [[ $(id -u) -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		jz_die "need root for: $*"
	fi
}

jz_apt_install() {
	if [[ $JZ_APT_UPDATED -eq 0 ]]; then
		jz_log "apt-get update"
		jz_as_root env DEBIAN_FRONTEND=noninteractive apt-get update
		JZ_APT_UPDATED=1
	fi
	jz_log "apt-get install -y $*"
	jz_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

# jz_wait_for SECONDS DESCRIPTION CMD...: run CMD once a second until it
# succeeds; fail after SECONDS.
jz_wait_for() {
	local secs=$1 what=$2 i
	shift 2
	for ((i = 0; i < secs; i++)); do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 1
	done
	jz_log "$what did not come up within ${secs}s"
	return 1
}

jz_path() {
	export PATH="/usr/local/go/bin:$PATH"
	command -v go >/dev/null 2>&1 || jz_die "go not found (expected /usr/local/go/bin/go)"
	PATH="$(go env GOPATH)/bin:$PATH"
	export PATH
}

jz_tmp() {
	if [[ -z $JZ_TMP ]]; then
		JZ_TMP=$(mktemp -d "${TMPDIR:-/tmp}/jiuzhu-ci.XXXXXX")
	fi
}

# ---------------------------------------------------------------- MariaDB

jz_mysql_ping() { mysqladmin -uroot -h"$JZ_MYSQL_HOST" -P"$JZ_MYSQL_PORT" --connect-timeout=2 ping; }

# jz_mysql_alive: the server answers on TCP, even if it refuses root there
# (a fresh install has no root@127.0.0.1, and then even `mysqladmin ping`
# fails with "Host '127.0.0.1' is not allowed to connect"), or it answers
# root on the socket.
jz_mysql_alive() {
	local out
	if out=$(jz_mysql_ping 2>&1); then
		return 0
	fi
	case $out in
	*"is not allowed to connect"* | *"Access denied"*) return 0 ;;
	esac
	jz_as_root mysqladmin -uroot --protocol=socket --connect-timeout=2 ping >/dev/null 2>&1
}
jz_mysql_tcp() { mysql -uroot -h"$JZ_MYSQL_HOST" -P"$JZ_MYSQL_PORT" --connect-timeout=5 "$@"; }

jz_mariadb() {
	if ! command -v mariadbd >/dev/null 2>&1 && [[ ! -x /usr/sbin/mariadbd ]]; then
		jz_apt_install mariadb-server mariadb-client
	fi

	# Whether root may log in over TCP is checked (and fixed) below.
	if ! jz_mysql_alive; then
		if jz_as_root start-stop-daemon --status --exec /usr/sbin/mariadbd; then
			jz_log "mariadbd is running but not answering yet; waiting for it"
		else
			jz_tmp
			jz_log "starting MariaDB"
			jz_as_root install -d -o mysql -g mysql -m 0755 /run/mysqld
			# The Debian config logs to /var/log/mysql; make sure it exists.
			[[ -d /var/log/mysql ]] || jz_as_root install -d -o mysql -g adm -m 2750 /var/log/mysql
			# A data directory that was never initialised (no apt postinst ran).
			if [[ ! -d /var/lib/mysql/mysql ]]; then
				jz_log "initialising /var/lib/mysql"
				jz_as_root mariadb-install-db --user=mysql --datadir=/var/lib/mysql >"$JZ_TMP/mariadb-install-db.log" 2>&1 ||
					{ jz_tail "$JZ_TMP/mariadb-install-db.log"; jz_die "mariadb-install-db failed"; }
			fi
			jz_as_root start-stop-daemon --start --oknodo --background \
				--make-pidfile --pidfile "$JZ_TMP/mariadbd.pid" \
				--output "$JZ_TMP/mariadbd.log" \
				--exec /usr/sbin/mariadbd -- --user=mysql
			JZ_STARTED_MARIADB=1
		fi
		if ! jz_wait_for "$JZ_WAIT" "MariaDB on $JZ_MYSQL_HOST:$JZ_MYSQL_PORT" jz_mysql_alive; then
			[[ -n $JZ_TMP ]] && jz_tail "$JZ_TMP/mariadbd.log"
			jz_tail /var/log/mysql/error.log
			jz_die "MariaDB is not answering"
		fi
	fi

	# root@127.0.0.1 with an empty password over TCP is what the tests use.
	# A fresh Debian install only has root@localhost through unix_socket, so
	# fix that through the socket (as OS root) when the TCP login fails.
	if ! jz_mysql_tcp -e 'SELECT 1' >/dev/null 2>&1; then
		jz_log "root@127.0.0.1 cannot log in over TCP; allowing it through the socket login"
		jz_as_root mysql -uroot --protocol=socket -e "
			CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
			ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY '';
			GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
			FLUSH PRIVILEGES;" ||
			jz_die "cannot log in as root through the socket to set up root@127.0.0.1"
		if ! jz_mysql_tcp -e 'SELECT 1' >/dev/null 2>&1; then
			# Without skip-name-resolve, 127.0.0.1 may resolve to localhost
			# and match root@localhost (socket-only) instead.
			jz_log "still refused; letting root@localhost also log in with an empty password"
			jz_as_root mysql -uroot --protocol=socket -e "
				ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');
				FLUSH PRIVILEGES;" ||
				jz_die "cannot alter root@localhost"
		fi
		jz_mysql_tcp -e 'SELECT 1' >/dev/null || jz_die "root@127.0.0.1 still cannot log in with an empty password"
	fi

	jz_log "MariaDB: $(jz_mysql_tcp -N -e 'SELECT VERSION()'); re-creating database $JZ_DB_NAME"
	jz_mysql_tcp -e "DROP DATABASE IF EXISTS \`$JZ_DB_NAME\`;
		CREATE DATABASE \`$JZ_DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
	export JIUZHU_TEST_MYSQL_DSN="root:@tcp($JZ_MYSQL_HOST:$JZ_MYSQL_PORT)/$JZ_DB_NAME?parseTime=true&charset=utf8mb4&loc=UTC&multiStatements=true"
}

# ------------------------------------------------------------------ Redis

jz_redis_ping() { [[ $(redis-cli -h "$JZ_REDIS_HOST" -p "$JZ_REDIS_PORT" ping 2>/dev/null) == PONG ]]; }

jz_redis() {
	if ! command -v redis-server >/dev/null 2>&1; then
		jz_apt_install redis-server
	fi
	if ! jz_redis_ping; then
		jz_tmp
		jz_log "starting Redis"
		redis-server --daemonize yes --bind "$JZ_REDIS_HOST" --port "$JZ_REDIS_PORT" \
			--save "" --appendonly no \
			--pidfile "$JZ_TMP/redis.pid" --logfile "$JZ_TMP/redis.log" --dir "$JZ_TMP"
		JZ_STARTED_REDIS=1
		if ! jz_wait_for "$JZ_WAIT" "Redis on $JZ_REDIS_HOST:$JZ_REDIS_PORT" jz_redis_ping; then
			jz_tail "$JZ_TMP/redis.log"
			jz_die "Redis is not answering"
		fi
	fi
	jz_log "Redis: $(redis-cli -h "$JZ_REDIS_HOST" -p "$JZ_REDIS_PORT" info server | tr -d '\r' | grep '^redis_version:')"
	export JIUZHU_TEST_REDIS_ADDR="$JZ_REDIS_HOST:$JZ_REDIS_PORT"
}

# ---------------------------------------------------------- Redis Cluster

# jz_cluster_ok PORT: the cluster answers on PORT and has every slot served.
jz_cluster_ok() { redis-cli -h 127.0.0.1 -p "$1" cluster info 2>/dev/null | tr -d '\r' | grep -qx 'cluster_state:ok'; }

# jz_redis_cluster: a private 3-master Redis Cluster (no replicas, no
# persistence) on free loopback ports, for the KV and limiter contract
# suites. Always started here and stopped by jz_services_down.
jz_redis_cluster() {
	jz_tmp
	local addrs=() port bus dir i
	for i in 1 2 3; do
		# The cluster bus gets a free port of its own (the default, port +
		# 10000, may be taken or past 65535).
		port=$(jz_free_port)
		bus=$(jz_free_port)
		dir="$JZ_TMP/cluster/$port"
		mkdir -p "$dir"
		redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --cluster-port "$bus" \
			--cluster-enabled yes --cluster-config-file "$dir/nodes.conf" --cluster-node-timeout 5000 \
			--save "" --appendonly no --dir "$dir" \
			--pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
		JZ_CLUSTER_PIDFILES+=("$dir/redis.pid")
		if ! jz_wait_for "$JZ_WAIT" "Redis Cluster node on 127.0.0.1:$port" redis-cli -h 127.0.0.1 -p "$port" ping; then
			jz_tail "$dir/redis.log"
			jz_die "a Redis Cluster node did not start"
		fi
		addrs+=("127.0.0.1:$port")
	done
	jz_log "creating a Redis Cluster of ${addrs[*]}"
	redis-cli --cluster create "${addrs[@]}" --cluster-replicas 0 --cluster-yes >"$JZ_TMP/cluster/create.log" 2>&1 ||
		{ jz_tail "$JZ_TMP/cluster/create.log"; jz_die "redis-cli --cluster create failed"; }
	for a in "${addrs[@]}"; do
		jz_wait_for "$JZ_WAIT" "Redis Cluster state ok on $a" jz_cluster_ok "${a##*:}" || jz_die "the Redis Cluster is not ok"
	done
	JIUZHU_TEST_REDIS_CLUSTER=$(IFS=,; echo "${addrs[*]}")
	export JIUZHU_TEST_REDIS_CLUSTER
}

# --------------------------------------------------------------------- S3

# jz_free_port: print a TCP port on 127.0.0.1 that nothing listens on.
jz_free_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
		return
	fi
	local p
	for ((p = 20000 + RANDOM % 20000; ; p++)); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

jz_random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

# jz_http_answers URL: true once anything speaks HTTP there (versitygw
# answers an anonymous GET / with 403 AccessDenied, which is fine).
jz_http_answers() {
	local code
	code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null) || true
	[[ -n $code && $code != 000 ]]
}

jz_versitygw() {
	if ! command -v versitygw >/dev/null 2>&1; then
		jz_log "go install github.com/versity/versitygw/cmd/versitygw@$JZ_VERSITYGW_VERSION"
		go install "github.com/versity/versitygw/cmd/versitygw@$JZ_VERSITYGW_VERSION"
		command -v versitygw >/dev/null 2>&1 || jz_die "versitygw is not on PATH after go install"
	fi
	command -v curl >/dev/null 2>&1 || jz_apt_install curl

	jz_tmp
	local dir="$JZ_TMP/s3" log="$JZ_TMP/versitygw.log" access secret port attempt i
	mkdir -p "$dir"
	access="jiuzhu$(jz_random_hex 6)"
	secret=$(jz_random_hex 20)

	# The free port may be taken between the probe and the bind; try again
	# on another port if versitygw dies right away.
	for attempt in 1 2 3; do
		port=$(jz_free_port)
		jz_log "starting versitygw on 127.0.0.1:$port (attempt $attempt)"
		ROOT_ACCESS_KEY=$access ROOT_SECRET_KEY=$secret \
			versitygw --port "127.0.0.1:$port" --quiet posix "$dir" >"$log" 2>&1 &
		JZ_VGW_PID=$!
		for ((i = 0; i < JZ_WAIT * 4; i++)); do
			if ! kill -0 "$JZ_VGW_PID" 2>/dev/null; then
				break
			fi
			if jz_http_answers "http://127.0.0.1:$port/"; then
				export JIUZHU_TEST_S3_ENDPOINT="127.0.0.1:$port"
				export JIUZHU_TEST_S3_ACCESS_KEY=$access
				export JIUZHU_TEST_S3_SECRET_KEY=$secret
				export JIUZHU_TEST_S3_USE_SSL=false
				jz_log "versitygw answers at http://$JIUZHU_TEST_S3_ENDPOINT/ (pid $JZ_VGW_PID)"
				return 0
			fi
			sleep 0.25
		done
		if kill -0 "$JZ_VGW_PID" 2>/dev/null; then
			kill "$JZ_VGW_PID" 2>/dev/null || true
			wait "$JZ_VGW_PID" 2>/dev/null || true
			JZ_VGW_PID=""
			jz_tail "$log"
			jz_die "versitygw did not answer within ${JZ_WAIT}s"
		fi
		wait "$JZ_VGW_PID" 2>/dev/null || true
		JZ_VGW_PID=""
		jz_tail "$log"
	done
	jz_die "versitygw failed to start"
}

# --------------------------------------------------------------- Chromium

# jz_chromium: the browser tests (web/e2e) drive /usr/bin/chromium; no test
# downloads a browser of its own. A CJK font makes their screenshots legible.
jz_chromium() {
	if [[ ! -x /usr/bin/chromium ]]; then
		jz_apt_install chromium fonts-wqy-microhei
	fi
	jz_log "Chromium: $(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown')"
}

# ------------------------------------------------------------ web/ tools

# jz_web_tools: the OpenAPI lint test runs Redocly CLI from web/node_modules
# (pinned in web/package.json, locked in web/package-lock.json). Node and npm
# are installed with apt-get when missing; `npm ci` runs when the installed
# tree is older than the lock file.
jz_web_tools() {
	local web
	web="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/web"
	if ! command -v npm >/dev/null 2>&1; then
		jz_apt_install nodejs npm
	fi
	if [[ ! -f $web/node_modules/.package-lock.json || $web/package-lock.json -nt $web/node_modules/.package-lock.json ]]; then
		jz_log "npm ci in $web"
		(cd "$web" && npm ci --no-audit --no-fund) || jz_die "npm ci failed in web/"
	fi
	jz_log "node $(node --version), Redocly CLI $(node "$web/node_modules/@redocly/cli/bin/cli.js" --version 2>/dev/null || echo missing)"
}

# ---------------------------------------------------------------- up/down

jz_services_up() {
	jz_path
	jz_tmp
	jz_mariadb
	jz_redis
	jz_redis_cluster
	jz_versitygw
	jz_chromium
	jz_web_tools
	jz_log "services up:"
	jz_log "  JIUZHU_TEST_MYSQL_DSN=$JIUZHU_TEST_MYSQL_DSN"
	jz_log "  JIUZHU_TEST_REDIS_ADDR=$JIUZHU_TEST_REDIS_ADDR"
	jz_log "  JIUZHU_TEST_REDIS_CLUSTER=$JIUZHU_TEST_REDIS_CLUSTER"
	jz_log "  JIUZHU_TEST_S3_ENDPOINT=$JIUZHU_TEST_S3_ENDPOINT"
}

# jz_services_down stops only what jz_services_up started. Safe to call
# more than once and from an EXIT trap.
jz_services_down() {
	local had_e=0
	[[ $- == *e* ]] && had_e=1
	set +e
	if [[ -n $JZ_VGW_PID ]]; then
		jz_log "stopping versitygw (pid $JZ_VGW_PID)"
		kill "$JZ_VGW_PID" 2>/dev/null
		wait "$JZ_VGW_PID" 2>/dev/null
		JZ_VGW_PID=""
	fi
	local pidfile cpid
	for pidfile in "${JZ_CLUSTER_PIDFILES[@]}"; do
		[[ -s $pidfile ]] || continue
		cpid=$(cat "$pidfile")
		jz_log "stopping the Redis Cluster node this script started (pid $cpid)"
		kill "$cpid" 2>/dev/null
		for _ in $(seq 1 50); do kill -0 "$cpid" 2>/dev/null || break; sleep 0.2; done
	done
	JZ_CLUSTER_PIDFILES=()
	if [[ $JZ_STARTED_REDIS -eq 1 && -s $JZ_TMP/redis.pid ]]; then
		local rpid
		rpid=$(cat "$JZ_TMP/redis.pid")
		jz_log "stopping the Redis this script started (pid $rpid)"
		kill "$rpid" 2>/dev/null
		for _ in $(seq 1 50); do kill -0 "$rpid" 2>/dev/null || break; sleep 0.2; done
		JZ_STARTED_REDIS=0
	fi
	if [[ $JZ_STARTED_MARIADB -eq 1 ]]; then
		jz_log "stopping the MariaDB this script started"
		jz_as_root start-stop-daemon --stop --oknodo --quiet --pidfile "$JZ_TMP/mariadbd.pid" \
			--exec /usr/sbin/mariadbd --retry TERM/60/KILL/5
		JZ_STARTED_MARIADB=0
	fi
	if [[ -n $JZ_TMP && -d $JZ_TMP ]]; then
		rm -rf "$JZ_TMP"
		JZ_TMP=""
	fi
	[[ $had_e -eq 1 ]] && set -e
	return 0
}

# Executed rather than sourced: bring the services up, run the command.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	set -euo pipefail
	cd "$(dirname "${BASH_SOURCE[0]}")/.."
	trap jz_services_down EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	jz_services_up
	if [[ $# -eq 0 ]]; then
		set -- make test
	fi
	set +e
	"$@"
	rc=$?
	set -e
	exit "$rc"
fi
