# shellcheck shell=sh
# pgsql-roles.sh — sourced by ocf:pulse:pgsql (resource-agents/pgsql) after pgsql-lib.sh, not an
# agent itself (not executable): the role changes. promote (with the guard that refuses a
# promotion that may lose acknowledged commits), demote, and the notifications that carry each
# standby's position and the demoted primary's end of WAL between them. The agent's parameters
# (OCF_RESKEY_*), BIN, PGDATA, NODE, RSC and ACTION_BEGAN_MS are set before it is sourced.

# --- promote, demote, notify ---------------------------------------------------------------

# Refuses (exit reason, 1) a promotion that may lose acknowledged commits.
# On a primary, waits until each of the nodes $1 streams from it with all the WAL written when
# the wait began, for at most half the action's timeout (10 s at most). It only delays a
# switchover; it never fails it. The server itself waits, checking every 10 ms, in one psql
# run: the standbys are a few milliseconds behind, and this runs on the way to the demotion.
pg_wait_streaming() {
	timeout_ms=${OCF_RESKEY_CRM_meta_timeout:-20000}
	ocf_is_decimal "$timeout_ms" || timeout_ms=20000
	[ "$timeout_ms" -gt 20000 ] && timeout_ms=20000
	left_ms=$((ACTION_BEGAN_MS + timeout_ms / 2 - $(date +%s%3N)))
	names=$(for m in $1; do [ "$m" = "$NODE" ] || printf "('%s')," "$m"; done)
	[ -n "$names" ] || return 0
	# On a standby there is no WAL of a primary to wait for.
	out=$(pg_sql "do \$\$ declare t pg_lsn;
		give_up timestamptz := clock_timestamp() + interval '$left_ms milliseconds'; begin
		if pg_is_in_recovery() then return; end if;
		t := pg_current_wal_lsn();
		while clock_timestamp() < give_up loop
			if not exists (select 1 from (values ${names%,}) w(n) where not exists
				(select 1 from pg_stat_replication r where r.application_name = w.n
				 and r.state = 'streaming' and r.flush_lsn >= t)) then return; end if;
			perform pg_sleep(0.01);
		end loop;
		raise exception '% not streaming all WAL up to % yet', '$1', t; end \$\$") && return 0
	why=$(echo "$out" | sed -n 's/.*ERROR: *//p' | head -n 1)
	ocf_log warn "switchover: ${why:-$(echo "$out" | tail -n 1)}; demoting anyway"
	return 0
}

# Succeeds (PG_HANDOVER=node) when a peer was demoted cleanly (a planned switchover) and
# published where its WAL ended, and this standby holds all of it (its position $1): then no
# commit, acknowledged or not, is missing here, synchronous or not.
pg_clean_handover() {
	ocf_is_decimal "$1" || return 1
	peers=$(cat "$HA_RSCTMP/pgsql-$RSC-peers" 2>/dev/null)
	for m in $peers; do
		[ "$m" = "$NODE" ] && continue
		final=$(pg_node_attr_get "$m" "$RSC-final-lsn")
		if [ -n "$final" ] && [ "$1" -ge "$final" ]; then
			ocf_log info "$m was demoted cleanly with its WAL ending at $final; $NODE has $1: nothing is lost"
			PG_HANDOVER=$m
			return 0
		fi
	done
	return 1
}

pg_promote_guard() {
	PG_FORCE="to accept that loss: pcs resource promote $RSC $NODE --allow-data-loss"
	# What the guard read, promote reuses: every crm_attribute run delays the VIP.
	PG_FORCED=no
	if ocf_is_true "$(pg_node_attr_get "$NODE" "$RSC-allow-data-loss")"; then
		ocf_log warn "$RSC-allow-data-loss is set on $NODE: promoting without checking for acknowledged commits"
		PG_FORCED=yes
		return 0
	fi
	mine=$(pg_lsn)
	set=$(pg_sync_set_get)
	PG_GUARD_SET=$set
	PG_HANDOVER=""
	if [ "$OCF_RESKEY_synchronous" != off ] && [ -n "$set" ]; then
		own_final=$(cat "$HA_RSCTMP/pgsql-$RSC-final-lsn" 2>/dev/null)
		if [ "$set" != none ] && pg_in_list "$NODE" "$set"; then
			:
		elif [ -n "$own_final" ] && [ "$mine" -ge "$own_final" ] 2>/dev/null; then
			# This node was the primary, demoted cleanly, and nobody was promoted since.
			PG_HANDOVER=$NODE
			return 0
		elif pg_clean_handover "$mine"; then
			# A planned switchover: nothing can be lost, whatever the synchronous set was.
			return 0
		elif [ "$set" = none ]; then
			ocf_exit_reason "the primary ran without a synchronous standby: promoting $NODE may lose acknowledged commits ($PG_FORCE)"
			return 1
		elif ! pg_in_list "$NODE" "$set"; then
			ocf_exit_reason "$NODE was not a synchronous standby (those were: $set): it may lack acknowledged commits ($PG_FORCE)"
			return 1
		fi
	fi
	# Each peer's position read once (every crm_attribute run delays the VIP).
	positions=$(pg_positions "$(pg_position_peers "$set")")
	if [ "$OCF_RESKEY_synchronous" != off ] && [ -n "$set" ]; then
		for m in $set; do
			[ "$m" = "$NODE" ] && continue
			if ! echo "$positions" | awk -v m="$m" '$1 == m && $2 != "" { f = 1 } END { exit !f }'; then
				ocf_exit_reason "synchronous standby $m has not reported its position: it may hold acknowledged commits $NODE lacks ($PG_FORCE)"
				return 1
			fi
		done
	fi
	if ahead=$(pg_peer_ahead "$mine" "$positions"); then
		pg_score "$NODE" 1
		pg_score "${ahead%% *}" 1000
		ocf_exit_reason "${ahead%% *} is further ahead (${ahead#* } bytes of WAL, $NODE $mine): promote it instead"
		return 1
	fi
	return 0
}

# The standbys that may hold commits this node lacks, given the published synchronous set $1:
# with one, only its members (a former primary that came back as a standby may be further
# ahead, with commits nobody acknowledged); else every standby notified at pre-promote.
pg_position_peers() {
	if [ "$OCF_RESKEY_synchronous" != off ] && [ -n "$1" ] && [ "$1" != none ]; then
		echo "$1"
	else
		cat "$HA_RSCTMP/pgsql-$RSC-peers" 2>/dev/null
	fi
}

# "NODE POSITION" lines for the nodes $1 other than this one, POSITION (bytes of WAL) empty
# for a node that reported none: what it reported at pre-promote ($RSC-lsn), or for the
# primary demoted cleanly in this switchover where its WAL ended ($RSC-final-lsn): no WAL
# arrives anywhere before the next promotion, so that is its position, and it does not report
# it again at pre-promote (see pg_notify).
pg_positions() {
	for m in $1; do
		[ "$m" = "$NODE" ] && continue
		pos=$(pg_node_attr_get "$m" "$RSC-lsn")
		[ -n "$pos" ] || pos=$(pg_node_attr_get "$m" "$RSC-final-lsn")
		echo "$m $pos"
	done
}

# The first of the positions $2 (pg_positions) ahead of $1: prints "NODE LSN"; fails when
# none is.
pg_peer_ahead() {
	echo "$2" | {
		while read -r m pos; do
			if ocf_is_decimal "$pos" && [ "$pos" -gt "$1" ]; then
				echo "$m $pos"
				exit 0
			fi
		done
		exit 1
	}
}

pg_promote() {
	pg_state
	case $? in
	"$OCF_RUNNING_MASTER") return "$OCF_SUCCESS" ;;
	"$OCF_SUCCESS") ;;
	"$OCF_NOT_RUNNING")
		ocf_exit_reason "PostgreSQL does not run: nothing to promote"
		return "$OCF_NOT_RUNNING" ;;
	*) return "$OCF_ERR_GENERIC" ;;
	esac
	pg_promote_guard || return "$OCF_ERR_GENERIC"
	# The old primary's end of WAL vouches for this one promotion only: gone before this
	# primary can acknowledge anything.
	if [ -n "$PG_HANDOVER" ] && ! pg_node_attr_del "$PG_HANDOVER" "$RSC-final-lsn"; then
		ocf_exit_reason "cannot remove $PG_HANDOVER's $RSC-final-lsn before the promotion"
		return "$OCF_ERR_GENERIC"
	fi
	# The lock first: a crash from here on leaves a node that must rejoin, not resume.
	if ! touch "$OCF_RESKEY_lock_file"; then
		ocf_exit_reason "cannot write the lock $OCF_RESKEY_lock_file"
		return "$OCF_ERR_GENERIC"
	fi
	if [ "$PG_FORCED" = yes ]; then old_set=$(pg_sync_set_get); else old_set=$PG_GUARD_SET; fi
	# Everything here delays the VIP, which starts after this action: as few programs run as
	# can be. The synchronous set is settled before the promotion (a standby takes the setting
	# and applies it once it is a primary), and published before anything is acknowledged.
	if [ "$OCF_RESKEY_synchronous" != off ]; then
		# Nothing acknowledged by this primary yet: strict waits for the old set's other
		# members, on starts asynchronous; monitor adds the standbys as they stream.
		want=""
		if [ "$OCF_RESKEY_synchronous" = strict ]; then
			want=$(pg_words "$(echo "$old_set" | tr ' ' '\n' | grep -vx -e "$NODE" -e none)")
		fi
		pg_sync_set_put "$want"
		pg_set_sync_names "$want"
	fi
	# Slots for the standbys that will follow (not replicated from the old primary), made
	# by the psql that promotes, once the promotion has finished.
	slots=""
	for m in $(pg_words "$(cat "$HA_RSCTMP/pgsql-$RSC-peers" 2>/dev/null) $old_set"); do
		[ "$m" = "$NODE" ] || [ "$m" = none ] && continue
		slots="$slots${slots:+, }('$(pg_slot "$m")')"
	done
	# pg_promote(true) checks every 100 ms whether the promotion is done; this every 10 ms (for
	# 60 s at most, as pg_promote(true, 60)).
	out=$(pg_sql "do \$\$ begin
			if not pg_promote(false) then raise exception 'cannot signal the promotion'; end if;
			for i in 1..6000 loop exit when not pg_is_in_recovery(); perform pg_sleep(0.01); end loop;
			if pg_is_in_recovery() then raise exception 'not promoted after 60 s'; end if; end \$\$" \
		"select not pg_is_in_recovery()" \
		"select current_setting('wal_log_hints') = 'on' or current_setting('data_checksums') = 'on'" \
		"select count(pg_create_physical_replication_slot(s)) from (values ${slots:-('')}) v(s)
			where s <> '' and s not in (select slot_name from pg_replication_slots)")
	if [ "$(echo "$out" | sed -n 1p)" != t ]; then
		ocf_exit_reason "pg_promote() failed: $(echo "$out" | tr '\n' ' ')"
		return "$OCF_ERR_GENERIC"
	fi
	if [ "$(echo "$out" | sed -n 2p)" = f ]; then
		ocf_log warn "wal_log_hints is off: if this primary fails, pg_rewind cannot rejoin it and it is copied afresh (set wal_log_hints = on)"
	fi
	case $(echo "$out" | sed -n 3p) in
	''|*[!0-9]*) ocf_log warn "could not create the replication slots $slots: $(echo "$out" | sed -n '3,$p' | tr '\n' ' ')" ;;
	esac
	# A standby's score is at most 1000: set, not compared first.
	pg_node_attr_set "$NODE" "master-$RSC" $SCORE_PRIMARY ||
		ocf_log warn "could not set the promotion score of $NODE to $SCORE_PRIMARY"
	rm -f "$HA_RSCTMP/pgsql-$RSC-demoted"
	# The operator's flag is good for this one promotion.
	[ "$PG_FORCED" = yes ] && pg_node_attr_del "$NODE" "$RSC-allow-data-loss"
	ocf_log info "$NODE is the primary"
	return "$OCF_SUCCESS"
}

pg_demote() {
	pg_state
	case $? in
	"$OCF_SUCCESS") return "$OCF_SUCCESS" ;;
	"$OCF_NOT_RUNNING")
		# A primary that died is no primary: nothing to demote (a failed demote would
		# escalate); the stop and start that follow rejoin it.
		ocf_log warn "demote: PostgreSQL does not run"
		return "$OCF_SUCCESS" ;;
	"$OCF_RUNNING_MASTER") state=primary ;;
	*) state=unknown ;;
	esac
	# PostgreSQL cannot turn a running primary into a standby: stop, start as one. Its fast
	# shutdown delivers the shutdown checkpoint to every streaming standby before the server
	# exits, so the promotion that follows loses nothing that was acknowledged.
	pg_stop_release $state
	PG_NO_UPSTREAM=yes
	if [ $PG_STOPPED_PRIMARY != yes ]; then
		# Not a clean stop of a primary: this node may hold commits no standby has. start
		# decides how it rejoins (pg_rewind onto the next primary, or waiting as a standby
		# with its lock).
		pg_score_clear
		pg_node_attr_del "$NODE" "$RSC-lsn"
		pg_start
		return
	fi
	# Straight back as a standby of whichever node is promoted next: start's search for a
	# primary would only find this node's own address (the VIP moves after this demote), and
	# its data needs no rewind. Nothing is written to the CIB here: a write aborts the
	# transition, and the VIP's stop, ordered after this demote, would then wait until after
	# the promotion. This node's promotion score goes in its next monitor (pg_standby_tend).
	touch "$HA_RSCTMP/pgsql-$RSC-demoted"
	pg_standby_config || {
		ocf_exit_reason "cannot write the standby settings into $PGDATA"
		return "$OCF_ERR_GENERIC"
	}
	pg_launch || return $?
	# Where this primary's WAL ends (its shutdown checkpoint): published at post-demote, so
	# that a standby holding all of it can be promoted even if none was synchronous.
	lsn=$(pg_lsn)
	ocf_is_decimal "$lsn" && echo "$lsn" >"$HA_RSCTMP/pgsql-$RSC-final-lsn"
	return "$OCF_SUCCESS"
}

# On the primary demoted in this switchover, once the VIP has left it (pre-promote comes after
# the VIP's stop): ends the walsenders it runs. The other standbys' walreceivers, cut off by its
# shutdown, came back through the VIP while it was still here and stream from it as a standby
# (cascading); they follow the new primary once the VIP is there, but this side of those
# connections would never hear of it (their address moved away) and would run on, each using
# much of a CPU, until wal_sender_timeout (60 s): every later switchover, and the database,
# slower.
pg_end_cascades() {
	ended=$(pg_sql "select count(pg_terminate_backend(pid)) from pg_stat_replication")
	case $ended in
	0) ;;
	*[!0-9]*|'') ocf_log warn "cannot end the walsenders of the demoted primary: $ended" ;;
	*) ocf_log info "ended $ended walsender(s) that standbys opened through the VIP while it was still here" ;;
	esac
}

pg_notify() {
	unpromoted=${OCF_RESKEY_CRM_meta_notify_unpromoted_uname:-$OCF_RESKEY_CRM_meta_notify_slave_uname}
	case "${OCF_RESKEY_CRM_meta_notify_type}-${OCF_RESKEY_CRM_meta_notify_operation}" in
	pre-demote)
		# A planned switchover: the primary waits (bounded) until the node to be promoted
		# streams and holds all WAL so far, so that its fast shutdown's last WAL reaches it.
		# A standby that reconnects (after an earlier switchover, say) would otherwise miss
		# it, and its promotion would be refused.
		if pg_in_list "$NODE" "$OCF_RESKEY_CRM_meta_notify_demote_uname" &&
			[ -n "$OCF_RESKEY_CRM_meta_notify_promote_uname" ]; then
			pg_wait_streaming "$OCF_RESKEY_CRM_meta_notify_promote_uname"
		fi ;;
	post-demote)
		# After a demotion (a switchover) no WAL arrives anywhere until the next promotion:
		# the positions recorded now are those pre-promote finds, so its writes change
		# nothing (crm_attribute then writes nothing). A write of the CIB aborts the
		# transition: after the demotion that only means the promotion is scheduled afresh
		# once these notifications are done; during pre-promote all of them would run again.
		# The demoted primary publishes where its WAL ended instead (one CIB write each:
		# these notifications delay the promotion).
		final="$HA_RSCTMP/pgsql-$RSC-final-lsn"
		if pg_in_list "$NODE" "$OCF_RESKEY_CRM_meta_notify_demote_uname" && [ -s "$final" ]; then
			pg_node_attr_set "$NODE" "$RSC-final-lsn" "$(cat "$final")"
		else
			lsn=$(pg_lsn)
			ocf_is_decimal "$lsn" && pg_node_attr_set "$NODE" "$RSC-lsn" "$lsn"
		fi ;;
	pre-promote)
		# Every standby records its position; the one to be promoted compares them. A server
		# that does not answer has no position (its error text is none): an earlier one is
		# dropped, so the guard cannot take it for the current one.
		# The primary demoted in this switchover has published its end of WAL, which is its
		# position (pg_positions): written again as $RSC-lsn it would be a new attribute, and
		# any change of the CIB now makes the cluster run every pre-promote notification
		# again (a round of 0.3-0.6 s on the way to the promotion). A stale $RSC-lsn goes.
		lsn=$(pg_lsn)
		if ocf_is_decimal "$lsn" && [ "$lsn" = "$(cat "$HA_RSCTMP/pgsql-$RSC-final-lsn" 2>/dev/null)" ] &&
			[ "$(pg_node_attr_get "$NODE" "$RSC-final-lsn")" = "$lsn" ]; then
			pg_node_attr_del "$NODE" "$RSC-lsn"
			pg_end_cascades
		elif ocf_is_decimal "$lsn"; then
			pg_node_attr_set "$NODE" "$RSC-lsn" "$lsn"
		else
			pg_node_attr_del "$NODE" "$RSC-lsn"
			lsn=""
		fi
		pg_in_list "$NODE" "$OCF_RESKEY_CRM_meta_notify_promote_uname" || return "$OCF_SUCCESS"
		echo "$unpromoted" >"$HA_RSCTMP/pgsql-$RSC-peers"
		# The node chosen for the promotion hands it to a standby further ahead now, if one
		# reported its position in an earlier round of these notifications (each round's
		# new positions make the cluster compute the transition again): the score change
		# makes it recompute before this promote runs, and promote the other directly. The
		# guard's refusal in promote would cost more: the cluster, as Pacemaker does,
		# restarts a refused instance before promoting another.
		if [ -n "$lsn" ] &&
			ahead=$(pg_peer_ahead "$lsn" "$(pg_positions "$(pg_position_peers "$(pg_sync_set_get)")")"); then
			ocf_log info "${ahead%% *} is further ahead (${ahead#* } bytes of WAL, $NODE $lsn): handing it the promotion"
			pg_score "$NODE" 1
			pg_score "${ahead%% *}" 1000
		fi ;;
	post-promote)
		pg_node_attr_del "$NODE" "$RSC-lsn"
		# A new primary may acknowledge commits: the old one's end of WAL no longer vouches.
		if [ -e "$HA_RSCTMP/pgsql-$RSC-final-lsn" ]; then
			pg_node_attr_del "$NODE" "$RSC-final-lsn"
			rm -f "$HA_RSCTMP/pgsql-$RSC-final-lsn"
		fi
		rm -f "$HA_RSCTMP/pgsql-$RSC-peers" ;;
	esac
	return "$OCF_SUCCESS"
}
