"""Pacemaker 2.1.5's reading of a CIB's configuration, as the scheduler evaluates it for an
operation's digest inputs (check_digests.py): scores, durations and interval specs, dates,
and the Cib: nvpair sets sorted by score with their rules evaluated for a node, templates,
parents, rsc_defaults and op_defaults, and a node's attributes.

Invariant: each function follows the named Pacemaker 2.1.5 function's rules, including its
treatment of bad input (an unparsable duration is -1, an unparsable interval 0), since the
point is to reproduce the digests Pacemaker recorded, not to judge the CIB.
"""
import datetime
import re
import time
import xml.etree.ElementTree as ET

INFINITY = 1000000


def char2score(text):
    if text is None:
        return 0
    t = text.strip().lower()
    if t in ('infinity', '+infinity'):
        return INFINITY
    if t == '-infinity':
        return -INFINITY
    m = re.match(r'[+-]?\d+', t)
    return max(-INFINITY, min(INFINITY, int(m.group(0)))) if m else 0


def msec(text):
    """crm_get_msec(); -1 when unparsable."""
    if text is None:
        return -1
    m = re.match(r'[ \t\n\r\f]*([0-9.]+)[ \t\n\r\f]*(.*)$', text, re.S)
    if not m:
        return -1
    units = m.group(2).lower()
    mult, div = 1000, 1
    if units.startswith('ms'):
        mult = 1
    elif units.startswith('us'):
        mult, div = 1, 1000
    elif units.startswith('s'):
        mult = 1000
    elif units.startswith('m'):
        mult = 60000
    elif units.startswith('h'):
        mult = 3600000
    elif units and units[0] not in '\n\r':
        return -1
    n = re.match(r'\d+', m.group(1))
    return -1 if not n else int(n.group(0)) * mult // div


def interval_spec(text):
    """crm_parse_interval_spec() for the forms that occur (ms, units, ISO 8601 PnYnMnDTnHnMnS)."""
    if text is None:
        return 0
    if text.startswith('P'):
        m = re.match(r'P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?'
                     r'(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$', text)
        if not m:
            return 0
        y, mo, w, d, h, mi, s = (int(x or 0) for x in m.groups())
        return 1000 * (((y * 365 + mo * 30 + w * 7 + d) * 24 + h) * 3600 + mi * 60 + s)
    v = msec(text)
    return max(v, 0)


def parse_time(text):
    text = text.strip().replace('T', ' ')
    m = re.match(r'(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?'
                 r'\s*(Z|[+-]\d{2}:?\d{2})?$', text)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(x or 0) for x in m.groups()[:6])
    tz = datetime.timezone.utc
    if m.group(7) and m.group(7) != 'Z':
        sign = -1 if m.group(7)[0] == '-' else 1
        digits = m.group(7)[1:].replace(':', '')
        tz = datetime.timezone(sign * datetime.timedelta(hours=int(digits[:2]),
                                                         minutes=int(digits[2:])))
    return datetime.datetime(y, mo, d, h, mi, s, tzinfo=tz).timestamp()


class RuleData:
    def __init__(self, now, node_attrs=None, rsc=None, op=None):
        self.now, self.node_attrs, self.rsc, self.op = now, node_attrs, rsc, op


class Cib:
    def __init__(self, path):
        self.path = path
        self.tree = ET.parse(path)
        self.root = self.tree.getroot()
        self.by_tag_id = {}
        for el in self.root.iter():
            if el.get('id') is not None:
                self.by_tag_id.setdefault((el.tag, el.get('id')), el)
        date = self.root.get('execution-date')
        self.now = int(date) if date else time.time()
        self.unsupported = set()
        conf = self.root.find('configuration')
        self.conf = conf
        self.props = {}
        crm_config = conf.find('crm_config') if conf is not None else None
        if crm_config is not None:
            self.unpack_sets(crm_config, 'cluster_property_set', RuleData(self.now), self.props,
                             False)

    def parent_of(self, el):
        if not hasattr(self, 'parents'):
            self.parents = {c: p for p in self.root.iter() for c in p}
        return self.parents[el]

    def expand(self, el):
        ref = el.get('id-ref')
        if ref is None:
            return el
        return self.by_tag_id.get((el.tag, ref))

    # --- rules (lib/pengine/rules.c) ---
    def eval_rules(self, block, rd):
        rules = [c for c in block if c.tag == 'rule']
        return not rules or any(self.eval_expr(r, rd) for r in rules)

    def eval_expr(self, rule, rd):
        rule = self.expand(rule)
        do_and = (rule.get('boolean-op') or 'and').lower() != 'or'
        for expr in rule:
            ok = self.eval_subexpr(expr, rd)
            if ok and not do_and:
                return True
            if not ok and do_and:
                return False
        return do_and

    def eval_subexpr(self, expr, rd):
        tag = expr.tag
        if tag == 'rule':
            return self.eval_expr(expr, rd)
        if tag == 'date_expression':
            return self.eval_date(expr, rd)
        if tag == 'rsc_expression':
            if rd.rsc is None:
                return False
            cls, prov, typ = rd.rsc
            if expr.get('class') is not None and expr.get('class') != cls:
                return False
            if expr.get('provider') != prov:
                return False
            return expr.get('type') is None or expr.get('type') == typ
        if tag == 'op_expression':
            if rd.op is None:
                return False
            if expr.get('interval') is not None and interval_spec(expr.get('interval')) != rd.op[1]:
                return False
            return expr.get('name') == rd.op[0]
        if tag != 'expression':
            return False
        if expr.get('attribute') == '#role':
            self.unsupported.add('role-expression')
            return False
        if rd.node_attrs is None:
            return False
        return self.eval_attr(expr, rd.node_attrs)

    @staticmethod
    def eval_attr(expr, attrs):
        op = (expr.get('operation') or '').lower()
        left = attrs.get(expr.get('attribute'))
        right = expr.get('value')
        if op == 'defined':
            return left is not None
        if op == 'not_defined':
            return left is None
        typ = expr.get('type')
        if typ is None:
            typ = ('number' if '.' in (left or '') + (right or '') else 'integer') \
                if op in ('lt', 'lte', 'gt', 'gte') else 'string'
        if left is None or right is None:
            cmp = 0 if left == right else (1 if right is None else -1)
        elif typ.lower() == 'string':
            a, b = left.lower(), right.lower()
            cmp = (a > b) - (a < b)
        else:
            try:
                conv = int if typ.lower() == 'integer' else float
                if typ.lower() == 'version':
                    conv = lambda v: [int(x) for x in v.split('.')]
                a, b = conv(left), conv(right)
                cmp = (a > b) - (a < b)
            except ValueError:
                a, b = left.lower(), right.lower()
                cmp = (a > b) - (a < b)
        if op == 'eq':
            return cmp == 0
        if op == 'ne':
            return cmp != 0
        if left is None or right is None:
            return False
        return {'lt': cmp < 0, 'lte': cmp <= 0, 'gt': cmp > 0, 'gte': cmp >= 0}.get(op, False)

    def eval_date(self, expr, rd):
        op = expr.get('operation') or 'in_range'
        start = parse_time(expr.get('start')) if expr.get('start') else None
        end = parse_time(expr.get('end')) if expr.get('end') else None
        if op == 'in_range':
            if end is None and expr.find('duration') is not None:
                self.unsupported.add('date-duration')
            return (start is None or rd.now >= start) and (end is None or rd.now <= end)
        if op == 'gt':
            return start is not None and rd.now > start
        if op == 'lt':
            return end is not None and rd.now < end
        self.unsupported.add('date-' + op)
        return False

    # --- nvpair sets (pe_eval_nvpairs) ---
    def unpack_sets(self, xml_obj, set_name, rd, table, overwrite):
        if xml_obj is None:
            return
        blocks = [self.expand(c) for c in xml_obj if c.tag == set_name]
        blocks = [b for b in reversed(blocks) if b is not None]  # g_list_prepend
        blocks.sort(key=lambda b: -char2score(b.get('score')))  # stable, like g_list_sort
        for block in blocks:
            if not self.eval_rules(block, rd):
                continue
            for nv in block:
                if nv.tag != 'nvpair':
                    continue
                ref = self.expand(nv) if nv.get('id-ref') else None
                name = nv.get('name') or (ref.get('name') if ref is not None else None)
                value = nv.get('value')
                if value is None and ref is not None:
                    value = ref.get('value')
                if name is None or value is None:
                    continue
                if value.lower() == '#default':
                    table.pop(name, None)
                elif name not in table or overwrite:
                    table[name] = value

    # --- resources ---
    def primitives(self):
        """Yield (primitive element after template expansion, [parents, innermost first])."""
        resources = self.conf.find('resources') if self.conf is not None else None
        if resources is None:
            return

        def walk(el, parents):
            for child in el:
                if child.tag == 'primitive':
                    yield self.expand_template(child, resources), parents
                elif child.tag in ('group', 'clone', 'master', 'bundle'):
                    yield from walk(child, [child] + parents)
        yield from walk(resources, [])

    def expand_template(self, prim, resources):
        ref = prim.get('template')
        if ref is None:
            return prim
        tmpl = next((t for t in resources if t.tag == 'template' and t.get('id') == ref), None)
        if tmpl is None:
            return prim
        new = ET.Element('primitive', dict(tmpl.attrib))
        new.set('id', prim.get('id'))
        new.extend(list(tmpl))
        rsc_ops = None
        for child in prim:
            new.append(child)
            if child.tag == 'operations':
                rsc_ops = child
        tmpl_ops = tmpl.find('operations')
        if tmpl_ops is not None and rsc_ops is not None:
            def key(op):
                role = op.get('role')
                if role is None or role.lower() in ('started', 'unpromoted', 'slave'):
                    role = 'Unknown'
                return (op.get('name'), role)
            have = {key(op) for op in rsc_ops}
            merged = ET.Element('operations', dict(rsc_ops.attrib))
            merged.extend(list(rsc_ops) + [op for op in tmpl_ops if key(op) not in have])
            new.remove(tmpl_ops)
            new[list(new).index(rsc_ops)] = merged
        return new

    def ops_of(self, prim):
        ops = prim.find('operations')
        return [] if ops is None else [o for o in self.expand(ops) if o.tag == 'op']

    @staticmethod
    def find_op_entry(ops, task, interval_ms):
        """find_rsc_op_entry_helper(): first <op> with the same name and interval."""
        for name in (task, 'migrate') if task in ('migrate_to', 'migrate_from') else (task,):
            for op in ops:
                if (op.get('name') or '').lower() == name.lower() \
                        and interval_spec(op.get('interval')) == interval_ms:
                    return op
        return None

    def node_attrs(self, node_state):
        uname = node_state.get('uname') or node_state.get('id')
        attrs = {'#uname': uname, '#id': node_state.get('id'),
                 '#is_dc': 'true' if node_state.get('id') == self.root.get('dc-uuid') else 'false',
                 '#kind': 'cluster'}
        cluster_name = self.props.get('cluster-name')
        if cluster_name:
            attrs['#cluster-name'] = cluster_name
        rd = RuleData(self.now)
        nodes = self.conf.find('nodes')
        for node in (nodes if nodes is not None else []):
            if node.get('uname') == uname:
                if node.get('type') == 'remote':
                    attrs['#kind'] = 'remote'
                self.unpack_sets(node, 'instance_attributes', rd, attrs, False)
        if '#site-name' not in attrs and (attrs.get('site-name') or cluster_name):
            attrs['#site-name'] = attrs.get('site-name') or cluster_name
        for transient in node_state.findall('transient_attributes'):
            self.unpack_sets(transient, 'instance_attributes', rd, attrs, True)
        return attrs
