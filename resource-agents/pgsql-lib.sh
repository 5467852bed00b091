# shellcheck shell=sh
# pgsql-lib.sh — sourced by ocf:pulse:pgsql (resource-agents/pgsql), not an agent itself (not
# executable, so no OCF tool lists it): how the agent drives PostgreSQL's programs, the
# cluster's attributes and the server's start and stop. The agent's parameters (OCF_RESKEY_*),
# BIN, PGDATA, NODE, RSC and ACTION_BEGAN_MS are set before it is sourced.

# --- running PostgreSQL's programs -------------------------------------------------------

# Runs a command as pguser (PostgreSQL refuses root), from / so any cwd works. repuser's
# password goes in the environment, not on a command line every user can read in /proc.
pg_run() {
	if [ -n "$OCF_RESKEY_reppassword" ]; then
		PGPASSWORD=$OCF_RESKEY_reppassword
		export PGPASSWORD
	fi
	if [ "$(id -u)" = 0 ] && [ "$OCF_RESKEY_pguser" != root ]; then
		(cd / && runuser -u "$OCF_RESKEY_pguser" -- "$@")
	else
		(cd / && "$@")
	fi
}

# SQL statements on the local server, one psql (each statement its own transaction, up to
# the first error); prints their results unaligned, without headers.
pg_sql() {
	for statement do
		set -- "$@" -c "$statement"
		shift
	done
	pg_run "$BIN/psql" -XAtq -v ON_ERROR_STOP=1 -h "$OCF_RESKEY_pghost" -p "$OCF_RESKEY_pgport" \
		-U "$OCF_RESKEY_pguser" -d postgres "$@" 2>&1
}

# A libpq connection string to HOST PORT as repuser, named after this node; with the
# password only when $3 is "password" (primary_conninfo, a file only pguser reads).
pg_conninfo() {
	ci="host=$1 port=$2 user=$OCF_RESKEY_repuser application_name=$NODE connect_timeout=5"
	ci="$ci keepalives_idle=5 keepalives_interval=2 keepalives_count=3"
	[ "${3:-}" = password ] && [ -n "$OCF_RESKEY_reppassword" ] &&
		ci="$ci password=$OCF_RESKEY_reppassword"
	[ -n "$OCF_RESKEY_passfile" ] && ci="$ci passfile=$OCF_RESKEY_passfile"
	echo "$ci"
}

# One SQL statement on the server at HOST PORT (database postgres, as repuser). With
# PG_REMOTE_LIMIT set (seconds), psql is cut off after that long.
pg_remote_sql() {
	pg_run ${PG_REMOTE_LIMIT:+timeout "$PG_REMOTE_LIMIT"} "$BIN/psql" -XAtq -v ON_ERROR_STOP=1 -d "$(pg_conninfo "$1" "$2") connect_timeout=2 dbname=postgres" \
		-c "$3" 2>&1
}

# A field of pg_controldata, e.g. "Database cluster state".
pg_control() {
	pg_run "$BIN/pg_controldata" "$PGDATA" 2>/dev/null | sed -n "s/^$1: *//p"
}

# The postmaster's pid when it runs for pgdata, else nothing. A killed postmaster not yet
# reaped (a zombie: its parent may be slow to reap) does not run.
pg_postmaster_pid() {
	pid=$(sed -n 1p "$PGDATA/postmaster.pid" 2>/dev/null)
	case $pid in ''|*[!0-9]*) return 0 ;; esac
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = postgres ] || return 0
	state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null)
	[ -n "$state" ] && [ "$state" != Z ] && echo "$pid"
}

# Looks for the primary at primary_address: PRIMARY_HOST and PRIMARY_PORT when one answers
# there as a primary (succeeds), else empty with PRIMARY_WHY saying what was found (fails).
pg_find_primary() {
	PRIMARY_HOST="" PRIMARY_PORT="" PRIMARY_WHY="primary_address is not set"
	[ -n "$OCF_RESKEY_primary_address" ] || return 1
	host=${OCF_RESKEY_primary_address%:*}
	port=${OCF_RESKEY_primary_address##*:}
	[ "$host" = "$OCF_RESKEY_primary_address" ] && port=$OCF_RESKEY_pgport
	answer=$(pg_remote_sql "$host" "$port" "select pg_is_in_recovery()")
	case $answer in
	f) PRIMARY_HOST=$host PRIMARY_PORT=$port PRIMARY_WHY=""; return 0 ;;
	t) PRIMARY_WHY="$host:$port is a standby" ;;
	*) PRIMARY_WHY="$host:$port: $(echo "$answer" | tail -n 1)" ;;
	esac
	return 1
}

# The replication slot's name for a node: slot names allow only [a-z0-9_].
pg_slot() {
	echo "$1" | tr '[:upper:]' '[:lower:]' | tr -c 'a-z0-9_\n' '_'
}

# --- cluster attributes (Pulse's crm_attribute, Pacemaker's options) ---------------------

pg_attr() {
	"${HA_SBIN_DIR}/crm_attribute" "$@" 2>/dev/null
}
pg_node_attr_get() { pg_attr -N "$1" -l reboot -n "$2" -G -q; }
pg_node_attr_set() { pg_attr -N "$1" -l reboot -n "$2" -v "$3"; }
pg_node_attr_del() { pg_attr -N "$1" -l reboot -n "$2" -D; }

# Sets node $1's promotion score to $2. crm_attribute writes only when the value differs (one
# read of the CIB either way), so monitors do not churn the CIB. Set each time, not
# remembered: the cluster drops a node's transient attributes when the node leaves or its
# crmd restarts.
pg_score() {
	pg_node_attr_set "$1" "master-$RSC" "$2" ||
		ocf_log warn "could not set the promotion score of $1 to $2"
}
pg_score_clear() { pg_node_attr_del "$NODE" "master-$RSC"; }

# The published synchronous set: words, "none" for an empty set, nothing if never published
# (put writes only a change: crm_attribute compares).
pg_sync_set_get() { pg_attr -t crm_config -n "$RSC-sync-standbys" -G -q; }
pg_sync_set_put() {
	set=$(pg_words "$1")
	[ -n "$set" ] || set=none
	pg_attr -t crm_config -n "$RSC-sync-standbys" -v "$set" && return 0
	ocf_log err "could not publish the synchronous standbys ($set)"
	return 1
}

# The words of the arguments, sorted, each once, space-separated (no stray spaces).
pg_words() {
	# shellcheck disable=SC2048,SC2086 # splitting into words is the point
	printf '%s\n' $* | sort -u | tr '\n' ' ' | sed 's/ $//'
}

pg_in_list() {
	case " $2 " in *" $1 "*) return 0 ;; esac
	return 1
}

# --- standby setup -------------------------------------------------------------------------

# Writes the standby's settings into postgresql.auto.conf (keeping its owner and mode) and
# standby.signal: primary_conninfo to primary_address named after this node, and its slot.
# With PG_NO_UPSTREAM=yes no primary_conninfo: a demoted primary restarts as a standby while
# primary_address is still its own (the VIP moves after the demote), and a walreceiver
# connected to its own server through it would stream nothing and hang on when the address
# moves (until wal_receiver_timeout); its monitor adds primary_conninfo once a primary answers
# there (pg_standby_tend).
# The file is replaced by a rename, never rewritten in place: a monitor killed halfway (the
# cluster cancels it, or it times out) must not leave it cut short, without the settings that
# ALTER SYSTEM put there.
pg_standby_config() {
	auto="$PGDATA/postgresql.auto.conf"
	[ -f "$auto" ] || pg_run touch "$auto"
	tmp="$auto.pulse-new"
	{ : >"$tmp" && chown --reference="$auto" "$tmp" && chmod --reference="$auto" "$tmp"; } || return 1
	grep -v '^[[:space:]]*\(primary_conninfo\|primary_slot_name\)[[:space:]]*=' "$auto" >"$tmp"
	if [ -n "$OCF_RESKEY_primary_address" ] && [ "${PG_NO_UPSTREAM:-}" != yes ]; then
		host=${OCF_RESKEY_primary_address%:*}
		port=${OCF_RESKEY_primary_address##*:}
		[ "$host" = "$OCF_RESKEY_primary_address" ] && port=$OCF_RESKEY_pgport
		ci=$(pg_conninfo "$host" "$port" password | sed "s/'/''/g")
		printf "primary_conninfo = '%s'\nprimary_slot_name = '%s'\n" "$ci" "$(pg_slot "$NODE")" >>"$tmp"
	fi
	mv -f "$tmp" "$auto" || return 1
	rm -f "$PGDATA/recovery.signal"
	pg_run touch "$PGDATA/standby.signal"
}

# Creates this node's slot on the primary at HOST PORT if it lacks it (after a failover the
# new primary has none for its standbys; slots are not replicated).
pg_ensure_slot() {
	slot=$(pg_slot "$NODE")
	pg_remote_sql "$1" "$2" "select pg_create_physical_replication_slot('$slot') where not exists
		(select 1 from pg_replication_slots where slot_name = '$slot')" >/dev/null ||
		ocf_log warn "could not create replication slot $slot on the primary at $1:$2"
}

# Copies pgdata from the primary at HOST PORT; old data is moved aside first. $3: why.
pg_basebackup_from() {
	if [ -e "$PGDATA" ] && [ -n "$(ls -A "$PGDATA" 2>/dev/null)" ]; then
		aside="$PGDATA.moved-$(date +%Y%m%dT%H%M%S)"
		if ! mv "$PGDATA" "$aside"; then
			ocf_exit_reason "cannot move $PGDATA aside to $aside for a fresh copy ($3)"
			return "$OCF_ERR_GENERIC"
		fi
		ocf_log warn "$3: moved $PGDATA to $aside, copying a fresh one from the primary"
	fi
	if ! { mkdir -p "$PGDATA" && chown "$OCF_RESKEY_pguser" "$PGDATA" && chmod 700 "$PGDATA"; }; then
		ocf_exit_reason "cannot create $PGDATA"
		return "$OCF_ERR_GENERIC"
	fi
	slot=$(pg_slot "$NODE")
	# pg_basebackup -C needs the slot absent: drop an earlier life's slot if nothing uses it.
	pg_remote_sql "$1" "$2" "select pg_drop_replication_slot(slot_name) from pg_replication_slots
		where slot_name = '$slot' and not active" >/dev/null
	ocf_log info "copying $PGDATA from the primary at $1:$2 (pg_basebackup, slot $slot)"
	if ! out=$(pg_run "$BIN/pg_basebackup" -D "$PGDATA" -R -C -S "$slot" -X stream -c fast \
		-d "$(pg_conninfo "$1" "$2")" 2>&1); then
		ocf_exit_reason "pg_basebackup from $1:$2 failed: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
		return "$OCF_ERR_GENERIC"
	fi
	return "$OCF_SUCCESS"
}

# The timeline the primary at HOST PORT writes now (from its current WAL file's name: its
# control file shows a fresh promotion only after the next checkpoint).
pg_primary_timeline() {
	pg_remote_sql "$1" "$2" "select ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int"
}

# Succeeds when pg_controldata's cluster state $1 is a primary's (running, crashed, stopped),
# not a standby's ("in archive recovery", "shut down in recovery").
pg_primary_state() {
	case $1 in "in production"|"shut down"|"shutting down"|"in crash recovery") return 0 ;; esac
	return 1
}

# Rewinds pgdata onto the primary at HOST PORT's timeline (logged); 1 when pg_rewind failed,
# 2 when it cannot run here (wal_log_hints and data checksums off).
pg_rewind_from() {
	if [ "$(pg_control 'wal_log_hints setting')" != on ] &&
		[ "$(pg_control 'Data page checksum version')" = 0 ]; then
		ocf_log warn "pg_rewind cannot run: wal_log_hints is off and data checksums are off in $PGDATA (set wal_log_hints = on)"
		return 2
	fi
	# pg_rewind reads the primary's timeline from its control file, which a promotion updates
	# only at its next checkpoint: without one, a diverged node is "no rewind required".
	out=$(pg_remote_sql "$1" "$2" "checkpoint") ||
		ocf_log warn "CHECKPOINT on the primary at $1:$2 failed ($out): pg_rewind may miss a fresh promotion"
	ocf_log info "rewinding $PGDATA onto the primary at $1:$2 (pg_rewind)"
	# pg_rewind first recovers a crashed target in single-user mode, which refuses standby
	# mode: a former primary that crashed again while waiting as a standby has standby.signal.
	rm -f "$PGDATA/standby.signal"
	if ! out=$(pg_run "$BIN/pg_rewind" -D "$PGDATA" \
		--source-server="$(pg_conninfo "$1" "$2") dbname=postgres" 2>&1); then
		ocf_log warn "pg_rewind from $1:$2 failed: $out"
		return 1
	fi
	ocf_log info "pg_rewind: $(echo "$out" | tail -n 1)"
}

# Starts the postmaster (as a standby: standby.signal is there) and waits until it accepts
# connections, which it records in its pidfile (the status line pg_ctl -w reads), polled every
# 20 ms: a standby after a clean shutdown is ready within a few milliseconds, and start and
# demote wait for it on the cluster's critical path.
pg_launch() {
	logdir=$(dirname "$OCF_RESKEY_logfile")
	if [ ! -d "$logdir" ]; then
		mkdir -p "$logdir" && chown "$OCF_RESKEY_pguser" "$logdir"
	fi
	opts="-p $OCF_RESKEY_pgport -k '$OCF_RESKEY_pghost' -c listen_addresses='$OCF_RESKEY_listen_addresses'"
	if ! out=$(pg_run "$BIN/pg_ctl" start -W -D "$PGDATA" -l "$OCF_RESKEY_logfile" -o "$opts" 2>&1); then
		ocf_exit_reason "pg_ctl start failed: $out"
		return "$OCF_ERR_GENERIC"
	fi
	# A standby replaying much WAL may take long to accept connections: wait until 90% of the
	# action's timeout, then fail with the reason rather than be cut off by the cluster.
	# pg_ctl -W returns before the postmaster writes its pidfile: only a pidfile missing for
	# a second in a row means the server exited.
	timeout_ms=${OCF_RESKEY_CRM_meta_timeout:-120000}
	ocf_is_decimal "$timeout_ms" || timeout_ms=120000
	give_up=$((ACTION_BEGAN_MS + timeout_ms * 9 / 10))
	missing=0
	while :; do
		# "ready": accepting connections (read-only ones: standby.signal is there).
		if [ "$(sed -n 8p "$PGDATA/postmaster.pid" 2>/dev/null | tr -d ' ')" = ready ] &&
			[ -n "$(pg_postmaster_pid)" ]; then
			return "$OCF_SUCCESS"
		fi
		if [ "$(date +%s%3N)" -ge "$give_up" ]; then
			ocf_exit_reason "PostgreSQL does not accept connections yet and 90% of the $((timeout_ms / 1000)) s timeout is gone: $(tail -n 1 "$OCF_RESKEY_logfile" 2>/dev/null)"
			return "$OCF_ERR_GENERIC"
		fi
		sleep 0.02
		if [ -n "$(pg_postmaster_pid)" ]; then
			missing=0
		elif [ $((missing += 1)) -ge 50 ]; then
			ocf_exit_reason "PostgreSQL exited while starting: $(tail -n 3 "$OCF_RESKEY_logfile" 2>/dev/null | tr '\n' ' ')"
			return "$OCF_ERR_GENERIC"
		fi
	done
}

# --- stop ------------------------------------------------------------------------------------

# What a killed postmaster (kill -9, OOM killer) leaves: backends that run on (one busy in a
# query notices the postmaster's death only when it waits) and keep the shared memory, and
# its postmaster.pid and socket lock file, naming a pid that may be a zombie or reused —
# either way a new postmaster refuses to start. The backends work in pgdata, their cwd.
# This runs in the stop and the start of a failover's recovery: it must not fork per process
# of the machine (a scan of /proc with readlink and cat took seconds on a busy node), so the
# candidates come from one pgrep and their cwd is compared by the shell's own test.
pg_kill_orphans() {
	dir=$(readlink -f "$PGDATA" 2>/dev/null) || return 0
	for pid in $(pgrep -x postgres 2>/dev/null); do
		[ "/proc/$pid/cwd" -ef "$dir" ] || continue
		ocf_log warn "killing process $pid left of a killed postmaster"
		kill -KILL "$pid" 2>/dev/null
	done
	if [ -e "$PGDATA/postmaster.pid" ] && [ -z "$(pg_postmaster_pid)" ]; then
		dead=$(sed -n 1p "$PGDATA/postmaster.pid")
		ocf_log warn "removing the lock files of postmaster $dead, which no longer runs"
		socket_lock="$OCF_RESKEY_pghost/.s.PGSQL.$OCF_RESKEY_pgport.lock"
		[ "$(sed -n 1p "$socket_lock" 2>/dev/null)" = "$dead" ] && rm -f "$socket_lock"
		rm -f "$PGDATA/postmaster.pid"
	fi
}

# Stops the postmaster: fast shutdown (ends sessions, writes a shutdown checkpoint that every
# streaming standby receives) until half of the timeout, then immediate, then at 80% SIGKILL
# to the postmaster's process group (pg_ctl starts it as a session leader), which also ends
# children that ignore the postmaster (an archive_command in progress). Waits until the whole
# group is gone: a leftover child would hold the shared memory a new start needs.
# PG_CLEAN=yes when the fast shutdown finished.
pg_stop_server() {
	PG_CLEAN=yes
	pid=$(pg_postmaster_pid)
	if [ -z "$pid" ]; then
		pg_kill_orphans
		return "$OCF_SUCCESS"
	fi
	timeout_ms=${OCF_RESKEY_CRM_meta_timeout:-60000}
	ocf_is_decimal "$timeout_ms" || timeout_ms=60000
	pg_run "$BIN/pg_ctl" stop -D "$PGDATA" -m fast -W >/dev/null 2>&1
	mode=fast
	while pg_group_alive "$pid"; do
		now=$(date +%s%3N)
		if [ $mode = fast ] && [ "$now" -ge $((ACTION_BEGAN_MS + timeout_ms / 2)) ]; then
			mode=immediate
			PG_CLEAN=no
			ocf_log warn "PostgreSQL did not stop with a fast shutdown: immediate shutdown"
			pg_run "$BIN/pg_ctl" stop -D "$PGDATA" -m immediate -W >/dev/null 2>&1
		elif [ $mode = immediate ] && [ "$now" -ge $((ACTION_BEGAN_MS + timeout_ms * 8 / 10)) ]; then
			mode=sigkill
			ocf_log warn "PostgreSQL did not stop with an immediate shutdown: SIGKILL to its processes"
			kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
		fi
		sleep 0.02
	done
	return "$OCF_SUCCESS"
}

# Succeeds while a process of the postmaster's process group ($1) runs. One that exited and
# waits for its parent to reap it (a zombie: the postmaster's parent is init, which may reap
# late) holds nothing of the server any more: no shared memory, no socket, no pidfile. The
# postmaster itself is checked without a fork (this runs every 20 ms of a stop); the group
# (children it left, such as an archive_command's) once it is gone.
pg_group_alive() {
	st=""
	# /proc/PID/stat: "PID (postgres) STATE ...".
	read -r _ _ st _ <"/proc/$1/stat" 2>/dev/null
	[ -n "$st" ] && [ "$st" != Z ] && return 0
	ps -e -o pgid=,stat= 2>/dev/null | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 }
		END { exit !found }'
}

# This standby's position: the furthest WAL received or replayed, in bytes.
pg_lsn() {
	pg_sql "select pg_wal_lsn_diff(greatest(coalesce(pg_last_wal_receive_lsn(), '0/0'),
		coalesce(pg_last_wal_replay_lsn(), '0/0')), '0/0')::bigint"
}

# The standbys named in synchronous_standby_names, space-separated; fails (printing psql's
# error) when the server does not answer: its error text is no list of standbys.
pg_sync_names() {
	names=$(pg_sql "show synchronous_standby_names") || { echo "$names"; return 1; }
	pg_words "$(echo "$names" | sed 's/^[^(]*(//; s/).*//; s/[",]/ /g')"
}

# Sets synchronous_standby_names to ANY 1 of the given standbys (none: asynchronous).
pg_set_sync_names() {
	value=""
	names=$(pg_words "$1")
	[ -n "$names" ] && value="ANY 1 ($(echo "$names" | sed 's/\([^ ]*\)/"\1"/g; s/ /, /g'))"
	pg_sql "alter system set synchronous_standby_names = '$value'" "select pg_reload_conf()" >/dev/null
}
