#!/usr/bin/env python3
"""pcs host auth against an impostor: a second crmd with its own certificate answers at the
address the operator gives for n1. Before, pcs sent it `-p TheRealSecret` on first contact,
pinned it and printed "Authorized". Now the password goes only to a trusted certificate:
  * with a fingerprint= that does not match, pcs refuses and the impostor gets nothing;
  * on a terminal pcs shows the fingerprint and asks first (as ssh); "no" sends nothing, and
    "yes" comes before the password prompt;
  * a pinned host that changes certificate is refused before the password is sent;
  * without a terminal or fingerprint, trust on first use as before, with a warning.
Each refusal is checked in the impostor's log: it never saw a host auth call.

Usage: host_trust_e2e_test.py CRMD PCS
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from local_crmd import Workspace, main  # noqa: E402

SECRET = "TheRealSecret"


def body(crmd, pcs, checks):
    check = checks.check
    with Workspace(crmd, pcs) as ws:
        real = ws.crmd("real", password=SECRET)
        # The impostor knows nothing (no password): any password it receives shows in its log.
        fake = ws.crmd("fake")
        real_fp, fake_fp = ws.fingerprint("real"), ws.fingerprint("fake")
        check(real_fp.startswith("SHA256:") and real_fp != fake_fp,
              "each crmd has its own certificate fingerprint", f"{real_fp} {fake_fp}")

        def impostor_untouched():
            return "host auth from" not in fake.log()

        def known_hosts(state):
            path = os.path.join(ws.state_dir(state), "known-hosts")
            return open(path).read() if os.path.exists(path) else ""

        # The real fingerprint pinned ahead, the impostor at the address: refused, no password.
        r = ws.pcs("op", "host", "auth", "n1", f"addr={fake.address}", f"fingerprint={real_fp}",
                   "-u", "hacluster", "-p", SECRET)
        check(r.returncode == 1 and "does not match the fingerprint given" in r.stderr and
              fake_fp in r.stderr and "password was not sent" in r.stderr,
              "a wrong fingerprint= is refused, naming both fingerprints", r.stdout + r.stderr)
        check(impostor_untouched(), "the impostor never received the password", fake.log())
        check("n1 " not in known_hosts("op"), "nothing was pinned")
        # The same with ssh's spelling, --fingerprint, for a single host.
        r = ws.pcs("op", "host", "auth", "n1", f"addr={fake.address}", "--fingerprint", real_fp,
                   "-u", "hacluster", "-p", SECRET)
        check(r.returncode == 1 and "does not match the fingerprint given" in r.stderr and
              "password was not sent" in r.stderr,
              "a wrong --fingerprint is refused before the password is sent", r.stdout + r.stderr)
        check(impostor_untouched(), "the impostor never received the password (--fingerprint)",
              fake.log())
        r = ws.pcs("op", "host", "auth", "n1", "n2", "--fingerprint", real_fp, "-p", SECRET)
        check(r.returncode == 1 and "--fingerprint pins one host" in r.stderr,
              "--fingerprint with several hosts is a usage error", r.stderr)

        # On a terminal, the question comes first; "no" aborts before any password is sent.
        code, out = ws.pcs_on_terminal("op", "host", "auth", "n1", f"addr={fake.address}",
                                       "-u", "hacluster", "-p", SECRET,
                                       dialogue=[("(yes/no", "no")])
        check("The authenticity of host 'n1 (" + fake.address + ")' can't be established." in out
              and fake_fp in out, "on a terminal pcs shows the host's fingerprint and asks", out)
        check(code == 1 and "not confirmed" in out and "Authorized" not in out,
              "answering no aborts", out)
        check(impostor_untouched(), "the impostor still never received the password", fake.log())

        # "yes" to the real node, then the password prompt: the question precedes the password.
        code, out = ws.pcs_on_terminal("op", "host", "auth", "n1", f"addr={real.address}",
                                       "-u", "hacluster",
                                       dialogue=[("(yes/no", "yes"), ("Password:", SECRET)])
        check(code == 0 and f"n1: Authorized (certificate {real_fp})" in out,
              "answering yes, then the password at its prompt, authorizes", out)
        check(out.index("(yes/no") < out.index("Password:"),
              "the fingerprint question comes before the password prompt", out)
        check(SECRET not in out, "the password typed at the prompt is not echoed", out)

        # Without -u and -p, as guides show it: Username: then Password:, on the terminal.
        code, out = ws.pcs_on_terminal("op4", "host", "auth", "n1", f"addr={real.address}",
                                       "--fingerprint", real_fp,
                                       dialogue=[("Username:", "hacluster"), ("Password:", SECRET)])
        check(code == 0 and f"n1: Authorized (certificate {real_fp})" in out and
              out.index("Username:") < out.index("Password:") and SECRET not in out,
              "Username: then Password: prompts, the password not echoed", out)

        # The pinned n1 now answered by the impostor: refused before the password is sent.
        r = ws.pcs("op", "host", "auth", "n1", f"addr={fake.address}", "-p", SECRET)
        check(r.returncode == 1 and "certificate changed" in r.stderr and real_fp in r.stderr,
              "a pinned host with another certificate is refused", r.stderr)
        check(impostor_untouched(), "...and the impostor never received the password", fake.log())

        r = ws.pcs("op", "host", "auth", "n1", f"addr={real.address}", f"fingerprint={fake_fp}",
                   "-p", SECRET)
        check(r.returncode == 1 and "does not match the fingerprint given" in r.stderr,
              "a fingerprint= the pinned certificate does not match is refused too", r.stderr)

        # The right fingerprint ahead: no question, no warning, pinned.
        r = ws.pcs("op2", "host", "auth", "n1", f"addr={real.address}", "--fingerprint", real_fp,
                   "-p", SECRET)
        check(r.returncode == 0 and r.stdout == f"n1: Authorized (certificate {real_fp})\n" and
              r.stderr == "", "the right fingerprint ahead (--fingerprint) authorizes silently", r.stdout + r.stderr)

        # Scripts (no terminal, no fingerprint) keep working, warned with the fingerprint.
        r = ws.pcs("op3", "host", "auth", "n1", f"addr={real.address}", "-p", SECRET)
        check(r.returncode == 0 and "trusted on first use" in r.stderr and real_fp in r.stderr,
              "without a terminal: trust on first use with a warning naming the fingerprint",
              r.stderr)
        r = ws.pcs("op3", "host", "auth", "n1", "fingerprint=SHA256:nope", "-p", SECRET)
        check(r.returncode == 1 and "is not a certificate fingerprint" in r.stderr,
              "a malformed fingerprint= is a usage error", r.stderr)


if __name__ == "__main__":
    sys.exit(main(__doc__, body))
