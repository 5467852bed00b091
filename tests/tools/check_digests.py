#!/usr/bin/env python3
"""Measure how often pulse::pe::computeOpDigests reproduces the digests recorded in CIBs.

For every <lrm_rsc_op> with op-digest whose resource is a configured primitive, this evaluates
the current configuration the way Pacemaker 2.1.5 does (nvpair sets sorted by score, rules
evaluated for the node, templates, parents, rsc_defaults, op_defaults), feeds the inputs to
op_digest_cli (which calls the C++ code) and compares all three digests with the recorded ones.

With --oracle, Debian's Pacemaker 2.1.5 is asked too, so that a mismatch with the recorded
value can be told apart from a bug of ours: `crm_resource --digests` shows the digests the
2.1.5 library computes for an op (we isolate each op in a CIB copy so it is the one chosen), and
`crm_simulate -VVVV` logs which mismatches the scheduler actually acts on.
With --list-mismatches, one tab-separated line per mismatch: file, digest kind, lrm id, node,
task, interval, feature set, op id, recorded, ours, oracle verdict, acted/ignored by the
scheduler, summary-change (the expected summary restarts/reloads it), agent-changed,
secure-ok/masked (sanitized CIB), and recorded-as:<variant> when a variant of our inputs
reproduces the recorded digest (e.g. an old controller that hashed no timeout).

Usage: check_digests.py [--corpus DIR] [--oracle {none,mismatches,all}] [--list-mismatches]
                        [FILE.xml ...]
"""
import argparse
import collections
import concurrent.futures
import glob
import hashlib
import os
import re
import subprocess
import tempfile
import urllib.parse

from pacemaker_config import Cib, RuleData, msec

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = '/work/shared/conformance/pacemaker-2.1.5'
CLI = os.path.join(ROOT, 'build', 'op_digest_cli')
KINDS = ('all', 'restart', 'secure')


def build_cli():
    sources = [os.path.join(HERE, 'op_digest_cli.cc'),
               os.path.join(ROOT, 'policy-engine', 'src', 'op_digest.cc'),
               os.path.join(ROOT, 'policy-engine', 'src', 'md5.cc')]
    if os.path.exists(CLI) and all(os.path.getmtime(CLI) > os.path.getmtime(s) for s in sources):
        return
    subprocess.check_call(['g++', '-std=c++20', '-O2', '-Wall', '-Wextra', '-Werror',
                           '-I' + os.path.join(ROOT, 'policy-engine', 'include'), '-I' + ROOT, *sources, '-lcrypto', '-o', CLI])




def enc(value):
    return 'x' + urllib.parse.quote(value, safe='')


def collect(cib):
    """Yield (description, lrm_resource, lrm_rsc_op, record for op_digest_cli) for every recorded
    op of a configured primitive."""
    prims = {p.get('id'): (p, parents) for p, parents in cib.primitives()}
    feature_set = cib.root.get('crm_feature_set') or ''
    status = cib.root.find('status')
    for node_state in (status if status is not None else []):
        if node_state.tag != 'node_state':
            continue
        attrs = None
        for lrm_rsc in node_state.iterfind('lrm/lrm_resources/lrm_resource'):
            base = re.sub(r':\d+$', '', lrm_rsc.get('id'))
            if base not in prims:
                continue
            prim, parents = prims[base]
            attrs = attrs or cib.node_attrs(node_state)
            rd_node = RuleData(cib.now, attrs)
            params = {}
            cib.unpack_sets(prim, 'instance_attributes', rd_node, params, False)
            for parent in parents:
                cib.unpack_sets(parent, 'instance_attributes', rd_node, params, False)
            cib.unpack_sets(cib.conf.find('rsc_defaults'), 'instance_attributes', rd_node, params,
                            False)
            rsc_data = (prim.get('class'), prim.get('provider'), prim.get('type'))
            ops = cib.ops_of(prim)
            for xml_op in lrm_rsc.findall('lrm_rsc_op'):
                if xml_op.get('op-digest') is None:
                    continue
                task = xml_op.get('operation') or ''
                m = re.match(r'\d+', xml_op.get('interval') or '0')
                interval = int(m.group(0)) if m else 0
                entry = cib.find_op_entry(ops, task, interval)
                meta, extra = {}, {}
                rd_op = RuleData(cib.now, None, rsc_data, (task, interval))
                cib.unpack_sets(cib.conf.find('op_defaults'), 'meta_attributes', rd_op, meta, False)
                if entry is not None:
                    cib.unpack_sets(entry, 'meta_attributes', rd_op, meta, True)
                    meta.update(entry.attrib)
                    cib.unpack_sets(entry, 'instance_attributes', rd_node, extra, False)
                meta.pop('id', None)
                lines = ['T ' + enc(task), 'I %d' % interval,
                         'V ' + enc(xml_op.get('crm_feature_set') or feature_set),
                         'F %d' % (prim.get('class') == 'stonith')]
                lines += ['P %s %s' % (enc(k), enc(v)) for k, v in params.items()]
                lines += ['E %s %s' % (enc(k), enc(v)) for k, v in extra.items()]
                raw_timeout = meta.pop('timeout', None)
                if raw_timeout is not None:
                    lines.append('U ' + enc(raw_timeout))
                lines += ['M %s %s' % (enc(k), enc(v)) for k, v in meta.items()]
                for tag, attr in (('R', 'op-force-restart'), ('S', 'op-secure-params')):
                    if xml_op.get(attr) is not None:
                        lines.append('%s %s' % (tag, enc(xml_op.get(attr))))
                desc = {'file': os.path.basename(cib.path), 'rsc': base,
                        'lrm_id': lrm_rsc.get('id'), 'node': attrs['#uname'], 'task': task,
                        'interval': interval, 'op_id': xml_op.get('id'),
                        'fs': xml_op.get('crm_feature_set') or feature_set,
                        'all': xml_op.get('op-digest'),
                        'restart': xml_op.get('op-restart-digest'),
                        'secure': xml_op.get('op-secure-digest'),
                        'agent_changed': any(lrm_rsc.get(a) != prim.get(a)
                                             for a in ('class', 'provider', 'type')),
                        'collective': any(p.tag in ('clone', 'master', 'bundle') for p in parents),
                        'inputs': (params, extra, raw_timeout),
                        'secure_list': xml_op.get('op-secure-params')}
                yield desc, lrm_rsc, xml_op, '\n'.join(lines)


def pe_oracle(cib, jobs, workdir):
    """What Debian's Pacemaker 2.1.5 computes for each op in `jobs` [(desc, lrm_rsc, xml_op)].

    crm_resource --digests reports the digests for the "best" op of a resource on a node, so for
    each op we write a copy of the CIB in which its <lrm_resource> holds only that op.
    """
    requests = []
    for n, (d, lrm_rsc, xml_op) in enumerate(jobs):
        saved, saved_id = list(lrm_rsc), lrm_rsc.get('id')
        rsc_id, parent, twins = saved_id, cib.parent_of(lrm_rsc), []
        if d['collective']:
            # crm_resource resolves a collective's primitive to some instance (":0" for anonymous
            # clones); all instances share the parameters, so present the history as instance 0.
            rsc_id = d['rsc'] + ':0'
            twins = [r for r in parent if r is not lrm_rsc
                     and re.sub(r':\d+$', '', r.get('id')) == d['rsc']]
        for child in saved + twins:
            (lrm_rsc if child in saved else parent).remove(child)
        lrm_rsc.append(xml_op)
        lrm_rsc.set('id', rsc_id)
        path = os.path.join(workdir, '%d.xml' % n)
        cib.tree.write(path)
        lrm_rsc.remove(xml_op)
        lrm_rsc.extend(saved)
        parent.extend(twins)
        lrm_rsc.set('id', saved_id)
        requests.append((d, path, rsc_id))

    def ask(request):
        d, path, rsc_id = request
        out = subprocess.run(['crm_resource', '--digests', '-r', rsc_id, '-N', d['node'],
                              '--output-as=xml'], env=dict(os.environ, CIB_file=path, LC_ALL='C'),
                             capture_output=True, text=True, errors='replace').stdout
        os.unlink(path)
        # Regular expressions, not XML: parameter names such as "1" make the output invalid XML.
        head = re.search(r'<digests [^>]*task="([^"]*)" interval="([^"]*)"', out)
        if head is None or head.groups() != (d['task'], '%dms' % d['interval']):
            return
        names = {'all': 'pe_all', 'nonprivate': 'pe_secure', 'nonreloadable': 'pe_restart'}
        for kind, digest in re.findall(r'<digest type="(\w+)" hash="(\w+)"', out):
            d[names[kind]] = digest

    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        list(pool.map(ask, requests))


SCHEDULER_RE = re.compile(r'Parameters (?:containing extra ones )?to (\d+)ms-interval (\S+) '
                          r'action for (\S+) on (\S+) changed: hash was (\S+) vs\. now (\S+)')


def scheduler_mismatches(path):
    """(rsc, node, task, interval, recorded digest) that crm_simulate 2.1.5 found changed,
    i.e. the mismatches the scheduler acts on (it ignores stale history, such as probes of
    inactive resources or anything before the last start)."""
    env = dict(os.environ, LC_ALL='C', CIB_shadow_dir=tempfile.gettempdir())
    out = subprocess.run(['crm_simulate', '-x', path, '-R', '-VVVV'], env=env,
                         capture_output=True, text=True, errors='replace')
    return {(re.sub(r':\d+$', '', rsc), node, task, int(interval), was)
            for interval, task, rsc, node, was, _ in SCHEDULER_RE.findall(out.stdout + out.stderr)}


def definition_changes(name):
    path = os.path.join(CORPUS, 'summary', name.replace('.xml', '.summary'))
    try:
        text = open(path).read()
    except OSError:
        return set()
    return {re.sub(r':\d+$', '', m) for m in
            re.findall(r'\* \w+\s+(\S+)\s.*due to resource definition change', text)} | \
        {re.sub(r':\d+$', '', m) for m in re.findall(r'\* Reload\s+(\S+)', text)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('files', nargs='*')
    ap.add_argument('--corpus', default=CORPUS)
    ap.add_argument('--oracle', choices=('none', 'mismatches', 'all'), default='none',
                    help='also ask crm_resource 2.1.5 for these ops (slow: ~0.1 s per op)')
    ap.add_argument('--list-mismatches', action='store_true')
    args = ap.parse_args()
    build_cli()
    files = args.files or sorted(glob.glob(os.path.join(args.corpus, 'xml', '*.xml')))
    per_file = []
    unsupported = collections.Counter()
    for path in files:
        cib = Cib(path)
        found = list(collect(cib))
        per_file.append((cib, found))
        unsupported.update(cib.unsupported)
    descs = [d for _, found in per_file for d, _, _, _ in found]
    records = ''.join('K %d\n%s\nEND\n' % (n, r) for n, (_, _, _, r) in
                      enumerate(x for _, found in per_file for x in found))
    out = subprocess.run([CLI], input=records, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        key, d_all, d_restart, d_secure = line.split()
        descs[int(key)].update(calc_all=d_all, calc_restart=d_restart, calc_secure=d_secure)
    if args.oracle != 'none':
        with tempfile.TemporaryDirectory() as workdir:
            for cib, found in per_file:
                jobs = [(d, lrm, op) for d, lrm, op, _ in found if args.oracle == 'all' or any(
                    d[k] is not None and d[k] != d['calc_' + k] for k in KINDS)]
                pe_oracle(cib, jobs, workdir)
                if jobs:
                    acted = scheduler_mismatches(cib.path)
                    for d, _, _ in jobs:
                        d['acted'] = {k for k in ('all', 'restart') if (
                            d['rsc'], d['node'], d['task'], d['interval'], d[k]) in acted}
    report(descs, args.oracle != 'none', args.list_mismatches)
    if unsupported:
        print('rule features not evaluated:', dict(unsupported))


def py_digest(attrs):
    """Plain-ASCII re-implementation, only to test hypotheses about why a digest differs."""
    esc = {'<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '&': '&amp;'}
    body = ''.join(' %s="%s"' % (k, ''.join(esc.get(c, c) for c in v))
                   for k, v in sorted(attrs.items()))
    return hashlib.md5((' <parameters%s/>\n' % body).encode()).hexdigest()


def explain(d, kind):
    """Name a variant of the inputs that reproduces the recorded digest, if any."""
    params, extra, raw_timeout = d['inputs']
    if kind == 'secure' and d['secure_list']:
        params = {k: v for k, v in params.items() if ' %s ' % k not in d['secure_list']}
        extra = {k: v for k, v in extra.items() if ' %s ' % k not in d['secure_list']}
    base = dict(extra)
    base.update(params)
    timeout = str(msec(raw_timeout)) if raw_timeout and msec(raw_timeout) >= 0 else '20000'
    variants = {'without-timeout': base, 'with-timeout': dict(base, CRM_meta_timeout=timeout),
                'params-only': params}
    for name, attrs in variants.items():
        if py_digest(attrs) == d[kind]:
            return 'recorded-as:' + name
    for seconds in range(1, 3601):  # Same parameters, but the op's timeout has since changed?
        if py_digest(dict(base, CRM_meta_timeout=str(seconds * 1000))) == d[kind]:
            return 'recorded-as:timeout=%ds' % seconds
    return ''


def classify(d, kind, changed):
    """Most likely reason why the recorded digest differs from the current configuration."""
    why = explain(d, kind)
    if d['secure'] and d['secure'] == d['calc_secure'] or '****' in d['inputs'][0].values():
        return 'sanitized CIB: private values masked (****)'
    if d['agent_changed']:
        return 'resource agent changed since'
    if why == 'recorded-as:without-timeout':
        return 'recorded without CRM_meta_timeout (old controller)'
    if why == 'recorded-as:with-timeout':
        return 'recorded with CRM_meta_timeout (%s)' % (
            'controller >= 3.15' if kind == 'secure' else 'old controller, non-recurring op')
    if why.startswith('recorded-as:timeout='):
        return 'op timeout changed since'
    if d['rsc'] in changed:
        return 'definition changed, summary restarts/reloads it'
    if 'acted' in d and kind != 'secure':
        return 'definition changed; the scheduler %s' % (
            'acts on it' if kind in d['acted'] else 'does not check this old history')
    return 'definition changed (test CIB edited)'


def report(descs, with_oracle, list_mismatches):
    def modern(d):
        return int(re.match(r'\d*', d['fs']).group(0) or 0) >= 3
    for kind in KINDS:
        rows = [d for d in descs if d[kind] is not None]
        for label, sel in (('overall', rows),
                           ('feature set >= 3.0', [d for d in rows if modern(d)]),
                           ('feature set < 3.0', [d for d in rows if not modern(d)])):
            ok = sum(d[kind] == d['calc_' + kind] for d in sel)
            print('%-8s %-20s %6d / %6d match recorded (%.2f%%)' % (
                kind, label, ok, len(sel), 100.0 * ok / max(1, len(sel))))
        if with_oracle:
            asked = [d for d in rows if d.get('pe_' + kind)]
            ok = sum(d['pe_' + kind] == d['calc_' + kind] for d in asked)
            print('%-8s %-20s %6d / %6d match crm_resource 2.1.5' % (
                kind, 'oracle', ok, len(asked)))
    changed = {}
    classes = collections.Counter()
    for d in descs:
        for kind in KINDS:
            if d[kind] is not None and d[kind] != d['calc_' + kind]:
                if d['file'] not in changed:
                    changed[d['file']] = definition_changes(d['file'])
                classes[(kind, classify(d, kind, changed[d['file']]))] += 1
    for (kind, label), count in sorted(classes.items()):
        print('mismatch %-8s %5d  %s' % (kind, count, label))
    if not list_mismatches:
        return
    for d in descs:
        for kind in KINDS:
            if d[kind] is None or d[kind] == d['calc_' + kind]:
                continue
            pe = d.get('pe_' + kind)
            verdict = 'pe=?' if pe is None else ('pe=ours' if pe == d['calc_' + kind] else
                                                 'PE-DIFFERS=' + pe)
            print('\t'.join(str(x) for x in (
                d['file'], kind, d['lrm_id'], d['node'], d['task'], d['interval'], d['fs'],
                d['op_id'], 'recorded=' + d[kind], 'ours=' + d['calc_' + kind], verdict,
                'acted' if kind in d.get('acted', ()) else
                ('ignored' if 'acted' in d and kind != 'secure' else ''),
                'summary-change' if d['rsc'] in changed[d['file']] else '',
                'agent-changed' if d['agent_changed'] else '',
                'secure-ok' if d['secure'] and d['secure'] == d['calc_secure'] else
                ('masked' if '****' in d['inputs'][0].values() else ''),
                explain(d, kind))))


if __name__ == '__main__':
    main()
