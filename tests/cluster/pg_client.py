#!/usr/bin/python3
"""PostgreSQL clients of setup 3 (tests/cluster/postgres_setup.py), run in the client namespace
with Debian's python3-psycopg2 (hence /usr/bin/python3, not whatever python3 is first in PATH).

  pg_client.py write HOST LOG CLIENT PASSWORD [PAUSE_MS]
      Inserts rows (CLIENT, 1), (CLIENT, 2), ... into table writes through HOST (the VIP), one
      autocommit INSERT each with synchronous_commit=on, PAUSE_MS (default 20) apart, for ever.
      Every attempt is one line of LOG, flushed at once:
          SEQ ok|failed|unknown SENT DONE [error]
      ok:      the server acknowledged the commit (so a synchronous standby has it);
      failed:  the server answered with an error: the INSERT did not commit;
      unknown: the connection was lost after the INSERT was sent (the commit may or may not
               have happened: a row may be present, or not).
      SENT and DONE are epoch seconds. Between attempts it reconnects as needed; a connection
      attempt is preceded by a plain TCP connect with a 250 ms limit, so a VIP that is nowhere
      costs 250 ms per try and not libpq's 2 s minimum connect_timeout. As any client of a
      primary behind a VIP should, it connects with target_session_attrs=read-write (libpq
      refuses a standby) and drops a session whose server answers that it is read-only: during
      a switchover the VIP still leads to the old primary, restarted as a standby, until it
      moves; a session kept there would fail every write until the VIP's move breaks it.

  pg_client.py watch LOG PASSWORD HOST...
      Every 100 ms opens a new connection to each HOST (node addresses) and asks
      pg_is_in_recovery(); one line per round: EPOCH HOST=f|t|- ... at=T,T,... (f: a writable
      primary, t: a standby, -: no answer; EPOCH when the round began, each T when that HOST's
      answer came: a round waiting for an unreachable host takes seconds). A new connection
      each time: only a server whose postmaster runs accepts it (the backends a killed
      postmaster leaves behind answer on old ones).
"""
import socket
import sys
import time

import psycopg2

PORT = 5432
DB = "postgres"
USER = "writer"


def reachable(host, timeout=0.25):
    try:
        with socket.create_connection((host, PORT), timeout=timeout):
            return True
    except OSError:
        return False


def connect(host, password, timeout=2, session="read-write"):
    # tcp_user_timeout: a connection to a node that lost power fails within 1 s of unanswered
    # data instead of TCP's minutes of retransmissions. The writer wants the read-write server
    # only; the watch asks every server, standbys included (session="any").
    return psycopg2.connect(host=host, port=PORT, dbname=DB, user=USER, password=password,
                            connect_timeout=timeout, tcp_user_timeout=1000, keepalives=1,
                            keepalives_idle=1, keepalives_interval=1, keepalives_count=2,
                            target_session_attrs=session,
                            options="-c synchronous_commit=on")


# Errors after which the session is gone: whether the commit happened is unknown (class 08
# connection exception, 57 operator intervention: shutdown, crash, admin termination).
def lost_connection(conn, error):
    code = getattr(error, "pgcode", None) or ""
    return conn.closed != 0 or code[:2] in ("08", "57") or code == ""


# 25006 read_only_sql_transaction: the server is (now) a standby. The INSERT did not commit
# (failed), and the session is of no use for writing.
READ_ONLY = "25006"


def write(host, logpath, client, password, pause_ms=20):
    pause = pause_ms / 1000.0
    conn = None
    seq = 0
    with open(logpath, "a", buffering=1) as log:
        while True:
            if conn is None:
                if not reachable(host):
                    time.sleep(0.02)
                    continue
                try:
                    conn = connect(host, password)
                    conn.autocommit = True
                except psycopg2.Error:
                    conn = None
                    time.sleep(0.05)
                    continue
            seq += 1
            sent = time.time()
            try:
                with conn.cursor() as cur:
                    cur.execute("insert into writes (client, seq) values (%s, %s)",
                                (client, seq))
                log.write(f"{seq} ok {sent:.3f} {time.time():.3f}\n")
            except psycopg2.Error as e:
                lost = lost_connection(conn, e)
                reason = " ".join(str(e).split())[:200]
                log.write(f"{seq} {'unknown' if lost else 'failed'} {sent:.3f} "
                          f"{time.time():.3f} {reason}\n")
                if lost or getattr(e, "pgcode", None) == READ_ONLY:
                    try:
                        conn.close()
                    except psycopg2.Error:
                        pass
                    conn = None
            time.sleep(pause)


def ask(host, password):
    if not reachable(host, 0.2):
        return "-"
    try:
        conn = connect(host, password, session="any")
        try:
            with conn.cursor() as cur:
                cur.execute("select pg_is_in_recovery()")
                return "t" if cur.fetchone()[0] else "f"
        finally:
            conn.close()
    except psycopg2.Error:
        return "-"


def watch(logpath, password, hosts):
    with open(logpath, "a", buffering=1) as log:
        while True:
            at = time.time()
            answers = []
            for h in hosts:
                answers.append((h, ask(h, password), time.time()))
            log.write(f"{at:.3f} " + " ".join(f"{h}={a}" for h, a, _ in answers) + " at=" +
                      ",".join(f"{t:.3f}" for _, _, t in answers) + "\n")
            time.sleep(max(0.0, 0.1 - (time.time() - at)))


def main(argv):
    if len(argv) >= 6 and argv[1] == "write":
        write(argv[2], argv[3], argv[4], argv[5] if len(argv) > 5 else "",
              int(argv[6]) if len(argv) > 6 else 20)
    elif len(argv) >= 5 and argv[1] == "watch":
        watch(argv[2], argv[3], argv[4:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
