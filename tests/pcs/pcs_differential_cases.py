"""The command sequences pcs_differential_test.py runs through both pcs binaries.

BASES: starting CIBs, each the commands (run by Debian's pcs) that build it from an empty
three-node cluster (n1, n2, n3). CASES: (base, [command, ...]); each command is what follows
`pcs -f FILE`. Taken from pcs 0.11's man page and the HAProxy/PostgreSQL cluster guides; refusals
are included on purpose (both must refuse).
"""

PRIMS = [
    "resource create vip ocf:heartbeat:IPaddr2 ip=192.168.122.10 cidr_netmask=24",
    "resource create A ocf:heartbeat:Dummy",
    "resource create B ocf:heartbeat:Dummy",
    "resource create C ocf:heartbeat:Dummy",
]

BASES = {
    "empty": [],
    "prims": PRIMS,
    "group": PRIMS + ["resource group add g A B C"],
    "clone": PRIMS + ["resource clone A"],
    "promo": PRIMS + ["resource create pg ocf:heartbeat:pgsql promotable notify=true"],
    "rules": PRIMS + [
        "constraint location A rule score=50 #uname eq n1",
        "constraint location B rule date-spec hours=9-16 weekdays=1-5",
        "resource defaults update resource-stickiness=100",
        "resource op defaults update timeout=60s",
    ],
    "sets": PRIMS + [
        "constraint order set A B set C",
        "constraint colocation set A B setoptions score=100",
    ],
    "tickets": PRIMS + [
        "constraint ticket add T1 A loss-policy=stop",
        "constraint ticket set B C setoptions ticket=T2",
    ],
    "tags": PRIMS + ["tag create t1 A B"],
    "constr": PRIMS + [
        "constraint location A prefers n1",
        "constraint colocation add B with A",
        "constraint order A then B",
    ],
    "alerts": [
        "alert create path=/usr/share/pacemaker/alerts/alert_file.sh.sample id=file_alert "
        "options debug_exec_order=false meta timeout=15s timestamp-format=%H:%M:%S.%06N",
        "alert recipient add file_alert value=/var/log/pcmk_alert.log id=log1",
        "alert create path=/bin/true",
    ],
    "attrs": PRIMS + [
        "node attribute n1 rack=r1",
        "node utilization n1 cpu=8",
        "resource utilization A cpu=1",
    ],
    # Fence devices of an agent this machine lacks (pcs needs --force), n1 in rack r1.
    "levels": PRIMS + [
        "stonith create f1 fence_xvm --force",
        "stonith create f2 fence_xvm --force",
        "stonith create f3 fence_xvm --force",
        "node attribute n1 rack=r1",
    ],
}
BASES["acl"] = PRIMS + [
    "acl role create ro description=read-only read xpath /cib",
    "acl role create ops write id A read xpath //resources deny id vip",
    "acl user create alice ro",
    "acl group create admins ops",
]
BASES["topo"] = BASES["levels"] + [
    "stonith level add 1 n1 f1",
    "stonith level add 2 n1 f2 f3",
    "stonith level add 1 regexp%n[23] f2",
    "stonith level add 1 attrib%rack=r1 f3",
]

_CASES_TEXT = """
# resource create
empty | resource create vip ocf:heartbeat:IPaddr2 ip=10.0.0.5 cidr_netmask=24 op monitor interval=30s
empty | resource create d1 ocf:heartbeat:Dummy
empty | resource create d1 Dummy
empty | resource create d1 ocf:heartbeat:Dummy --disabled
empty | resource create d1 ocf:heartbeat:Dummy meta resource-stickiness=100
empty | resource create d1 ocf:heartbeat:Dummy op monitor interval=20s timeout=40s
empty | resource create d1 ocf:heartbeat:Dummy fake=1
empty | resource create d1 ocf:heartbeat:Dummy fake=1 --force
empty | resource create d1 ocf:heartbeat:NoSuchAgent
empty | resource create d1 ocf:heartbeat:Dummy --group g1
empty | resource create 1bad ocf:heartbeat:Dummy
empty | resource create vip ocf:heartbeat:IPaddr2
empty | resource create d1 ocf:heartbeat:Dummy ; resource create d2 ocf:heartbeat:Dummy --group g1 ; resource create d3 ocf:heartbeat:Dummy --group g1 --before d2
prims | resource create A ocf:heartbeat:Dummy
group | resource create D ocf:heartbeat:Dummy --group g --before B
group | resource create D ocf:heartbeat:Dummy --group g --after A
group | resource create D ocf:heartbeat:Dummy --group g --before Z
group | resource create D ocf:heartbeat:Dummy --group g --before A --after B
# clones and promotable clones at creation (HAProxy and PostgreSQL guides)
empty | resource create d1 ocf:heartbeat:Dummy clone
empty | resource create d1 ocf:heartbeat:Dummy clone globally-unique=true clone-max=2
empty | resource create d1 ocf:heartbeat:Dummy clone d1-ha
empty | resource create d1 ocf:heartbeat:Dummy clone meta interleave=true
empty | resource create d1 ocf:heartbeat:Dummy meta resource-stickiness=10 clone interleave=true
empty | resource create st ocf:pacemaker:Stateful promotable
empty | resource create st ocf:pacemaker:Stateful promotable promoted-max=1 notify=true
empty | resource create haproxy systemd:haproxy clone --force
empty | resource create haproxy systemd:haproxy clone
empty | resource create pg ocf:heartbeat:pgsql pgctl=/usr/lib/postgresql/15/bin/pg_ctl pgdata=/var/lib/postgresql/15/main rep_mode=sync op monitor interval=15s role=Promoted op monitor interval=16s role=Unpromoted promotable notify=true
empty | resource create d1 ocf:heartbeat:Dummy clone --group g
empty | resource create d1 ocf:heartbeat:Dummy --disabled clone
empty | resource create d1 ocf:heartbeat:Dummy clone promotable=true
empty | resource create d1 ocf:heartbeat:Dummy clone clone-max=two
prims | resource create A-clone ocf:heartbeat:Dummy
prims | resource create D ocf:heartbeat:Dummy clone A
# clone / promotable / unclone
prims | resource clone A
prims | resource clone A clone-max=2 clone-node-max=1
prims | resource clone A A-custom
prims | resource clone A vip
prims | resource promotable A
prims | resource promotable A promoted-max=1 notify=true
prims | resource clone A promotable=true
prims | resource clone A globally-unique=true
prims | resource clone Z
prims | resource clone A ; resource clone B
prims | resource clone A meta interleave=true
group | resource clone g
group | resource clone A
group | resource promotable g
group | resource unclone g
clone | resource unclone A-clone
clone | resource unclone A
clone | resource clone A
clone | resource clone A-clone
clone | resource promotable A
clone | resource unclone Z
clone | resource delete A
clone | resource delete A-clone
clone | resource meta A-clone clone-max=2
clone | resource update A fake=1 --force
clone | resource update A-clone clone-max=2
clone | resource disable A-clone
clone | resource disable A
clone | resource enable A-clone
clone | resource create E ocf:heartbeat:Dummy
clone | resource group add g2 A
clone | resource group add g2 B
clone | resource ban A-clone n2
clone | resource op add A monitor interval=33s
clone | resource utilization A cpu=1
promo | resource unclone pg-clone
promo | resource clone pg
promo | resource create E ocf:heartbeat:Dummy
# constraints with clones and the promoted role (VIP with the PostgreSQL primary)
clone | constraint colocation add vip with A-clone
clone | constraint location A-clone prefers n1
clone | constraint location A prefers n1
clone | constraint order A-clone then vip
clone | constraint order A then vip
promo | constraint colocation add vip with Promoted pg-clone
promo | constraint colocation add vip with master pg-clone
promo | constraint colocation add vip with promoted pg-clone 100
promo | constraint colocation add Started vip with Promoted pg-clone INFINITY
promo | constraint order promote pg-clone then start vip
promo | constraint order promote pg-clone then start vip symmetrical=false kind=Mandatory
promo | constraint order demote pg-clone then stop vip
promo | constraint location pg-clone rule role=Promoted score=100 #uname eq n1
promo | constraint ticket add T1 Promoted pg-clone loss-policy=demote
# resource defaults / op defaults
empty | resource defaults update resource-stickiness=100
empty | resource defaults update resource-stickiness=100 migration-threshold=3
empty | resource defaults resource-stickiness=100
empty | resource op defaults update timeout=240s
empty | resource op defaults timeout=240s
empty | resource op defaults update timeout=240s record-pending=true
empty | resource defaults update resource-stickiness=100 ; resource defaults update resource-stickiness=200
empty | resource defaults update resource-stickiness=100 ; resource defaults update migration-threshold=1
rules | resource defaults update resource-stickiness=
rules | resource op defaults update timeout=
rules | resource defaults update resource-stickiness=5
rules | resource op defaults update interval=0s
rules | resource create E ocf:heartbeat:Dummy
rules | resource delete A
rules | constraint delete location-A
rules | constraint delete location-B
rules | constraint location C rule score=10 #uname eq n3
rules | resource clone C
# location rules
prims | constraint location A rule score=50 #uname eq n1
prims | constraint location A rule #uname eq n1
prims | constraint location A rule score=-INFINITY not_defined pingd or pingd lte 0
prims | constraint location A rule score=100 defined pingd
prims | constraint location A rule date gt 2023-01-01
prims | constraint location A rule date lt 2030-01-01
prims | constraint location A rule date in_range 2023-01-01 to 2024-01-01
prims | constraint location A rule date in_range 2023-01-01 to duration months=2
prims | constraint location A rule date-spec hours=9-16 weekdays=1-5
prims | constraint location A rule date-spec weekdays=6-7
prims | constraint location A rule id=myrule score=10 #uname eq n2
prims | constraint location A rule constraint-id=loc1 score=10 #uname eq n2
prims | constraint location A rule score-attribute=pingd defined pingd
prims | constraint location A rule score=10 #uname eq n1 and date gt 2023-01-01
prims | constraint location A rule score=10 #uname eq n1 or #uname eq n2
prims | constraint location A rule score=10 ( #uname eq n1 or #uname eq n2 ) and defined pingd
prims | constraint location A rule score=10 cpus gt integer 4
prims | constraint location A rule score=10 version gte version 1.2.3
prims | constraint location A rule score=10 load lt number 1.5
prims | constraint location A rule score=10 #uname ne n3
prims | constraint location A rule score=10 rack eq string r1
prims | constraint location A rule resource-discovery=never score=-INFINITY #uname eq n3
prims | constraint location A rule
prims | constraint location A rule score=10 #uname eqq n1
prims | constraint location A rule score=ten #uname eq n1
prims | constraint location Z rule #uname eq n1
prims | constraint location A rule score=50 #uname eq n1 ; constraint location A rule score=60 #uname eq n2
prims | constraint location A rule score=10 date-spec years=2023 hours=9-16
# location prefers/avoids/add
prims | constraint location A prefers n1
prims | constraint location A prefers n1=50 n2=20
prims | constraint location A avoids n2
prims | constraint location A avoids n2=100
prims | constraint location Z prefers n1
prims | constraint location A prefers n9
prims | constraint location A prefers n1 ; constraint location A prefers n1=10
prims | constraint location add loc1 A n1 100
prims | constraint location add loc1 A n1 -INFINITY resource-discovery=never
prims | constraint location add loc1 A n1 bad
# order / colocation sets
prims | constraint order set A B
prims | constraint order set A B set C
prims | constraint order set A B sequential=false set C setoptions kind=Optional
prims | constraint order set A B action=promote set C setoptions symmetrical=false
prims | constraint order set A B setoptions id=myset
prims | constraint order set A B require-all=false
prims | constraint order set A B role=Started
prims | constraint order set A Z
prims | constraint order set
prims | constraint order set A B setoptions kind=Never
prims | constraint order set A B sequential=maybe
prims | constraint order set A B ; constraint order set A B
prims | constraint colocation set A B
prims | constraint colocation set A B set C setoptions score=100
prims | constraint colocation set A B sequential=false set C
prims | constraint colocation set A B setoptions score=-INFINITY
prims | constraint colocation set A B setoptions id=coloset
prims | constraint colocation set A B setoptions score=bad
prims | constraint colocation set A Z
sets | constraint delete order_set_ABC
sets | constraint delete pcs_rsc_order_set_A_B_set_C
sets | constraint delete colocation_set_ABC
sets | constraint delete pcs_rsc_colocation_set_A_B
sets | resource delete A
sets | resource delete C
sets | resource create E ocf:heartbeat:Dummy
sets | constraint order set A B set C
sets | resource clone C
# tickets
prims | constraint ticket add T1 A
prims | constraint ticket add T1 A loss-policy=stop
prims | constraint ticket add T1 A id=tk1
prims | constraint ticket add T1 A loss-policy=bogus
prims | constraint ticket add T1 Z
prims | constraint ticket add T1 Started A
prims | constraint ticket set A B setoptions ticket=T1
prims | constraint ticket set A B setoptions ticket=T1 loss-policy=fence
prims | constraint ticket set A B set C setoptions ticket=T1
prims | constraint ticket set A B
prims | constraint ticket add T1 A ; constraint ticket add T1 A
tickets | constraint ticket delete T1 A
tickets | constraint ticket remove T1 A
tickets | constraint ticket delete T9 A
tickets | resource create E ocf:heartbeat:Dummy
tickets | resource delete A
tickets | constraint delete ticket-T1-A
# tags
prims | tag create t1 A B
prims | tag create t1 A Z
prims | tag create A B
prims | tag create t1
prims | tag create t1 A A
tags | tag update t1 add C
tags | tag update t1 remove A
tags | tag update t1 add C --before B
tags | tag delete t1
tags | tag remove t1
tags | tag create t2 A
tags | tag create t1 C
tags | resource create E ocf:heartbeat:Dummy
tags | resource delete C
tags | resource delete A
tags | constraint location t1 prefers n1
# groups
prims | resource group add g A B
prims | resource group add g A B C
prims | resource group add g A ; resource group add g B --before A
prims | resource group add g A ; resource group add g B --after A
prims | resource group add g Z
prims | resource group add A B
group | resource group add g2 A
group | resource group add g vip --after A
group | resource group add g vip --before C
group | resource group add g vip --before Z
group | resource group add g vip --before A --after B
group | resource group add g C --before A
group | resource group remove g B
group | resource group remove g
group | resource group delete g A B C
group | resource ungroup g
group | resource ungroup g A
group | resource delete g
group | resource delete A
group | resource meta g target-role=Stopped
group | resource disable g
# operations
prims | resource op add A monitor interval=30s timeout=20s
prims | resource op add A monitor interval=10s
prims | resource op add A start timeout=60s
prims | resource op add A monitor interval=60s role=Promoted
prims | resource op add A monitor interval=60s OCF_CHECK_LEVEL=10
prims | resource op add A notify timeout=5s
prims | resource op add A monitor interval=60s foo=bar
prims | resource op add Z monitor interval=10s
prims | resource op delete A monitor
prims | resource op delete A-monitor-interval-10s
prims | resource op remove A start
prims | resource op delete A monitor interval=10s timeout=20s
prims | resource op delete A monitor interval=99s
prims | resource op delete no-such-op
# update / meta / enable
prims | resource update vip ip=10.0.0.6
prims | resource update vip cidr_netmask=
prims | resource update A op monitor interval=30s
prims | resource update A meta target-role=Stopped
prims | resource meta A resource-stickiness=50
prims | resource meta A resource-stickiness=50 ; resource meta A resource-stickiness=
prims | resource update Z ip=1
prims | resource disable A
prims | resource disable A ; resource enable A
prims | resource delete A
prims | resource delete Z
constr | resource delete A
constr | constraint delete location-A-n1-INFINITY
constr | constraint remove nope
# move / ban / clear on a file: the constraints crm_resource writes and removes
prims | resource ban A n1
prims | resource ban A n1 ; resource ban A n3 ; resource clear A n1
prims | resource move-with-constraint A n2
prims | resource move-with-constraint A n2 ; resource ban A n3 ; resource clear A
prims | resource move-with-constraint A n2 ; resource clear A n3
prims | resource ban A
prims | resource ban A n9
prims | resource ban A n1 lifetime=P1.5D
prims | resource ban A n1 n2
promo | resource ban pg-clone n1 --promoted ; resource move-with-constraint pg-clone n2 --promoted
promo | resource ban pg --promoted
# utilization and node attributes
prims | resource utilization A cpu=2 memory=1024
prims | resource utilization A cpu=2 ; resource utilization A cpu=
prims | resource utilization Z cpu=1
prims | resource utilization A cpu
prims | node utilization n1 cpu=8 memory=16384
prims | node attribute n1 rack=r1
prims | node attribute n1 rack=r1 datacenter=dc1
attrs | node attribute n1 rack=
attrs | node utilization n1 cpu=
attrs | node attribute n1 rack=r2
attrs | resource utilization A cpu=
# alerts (Pacemaker's alert_file.sh.sample as the Clusters from Scratch guide sets it up)
empty | alert create path=/usr/share/pacemaker/alerts/alert_file.sh.sample id=my_alert
empty | alert create path=/bin/true ; alert create path=/bin/true ; alert create path=/bin/true id=alert
empty | alert create path=/bin/true description="mail the admins" options a=1 b=2 meta timeout=20s
empty | alert create path=/bin/true meta timestamp-format=%s options x=y
empty | alert create id=noPath
empty | alert create path=/bin/true id=1bad
empty | alert create path=/bin/true bogus=1
empty | alert create path=/bin/true options
alerts | alert recipient add file_alert value=/tmp/second.log
alerts | alert recipient add file_alert value=/tmp/second.log ; alert recipient add file_alert value=/tmp/third.log
alerts | alert recipient add file_alert value=/var/log/pcmk_alert.log
alerts | alert recipient add file_alert value=/var/log/pcmk_alert.log --force
alerts | alert recipient add file_alert value=/tmp/x id=log1
alerts | alert recipient add nosuch value=/tmp/x
alerts | alert recipient add file_alert value=/tmp/x description=copy options a=b meta timestamp-format=%s
alerts | alert recipient add alert value=/tmp/x
alerts | alert update file_alert path=/bin/false description=changed
alerts | alert update file_alert options debug_exec_order= level=2 meta timeout=
alerts | alert update file_alert meta timestamp-format= timeout=
alerts | alert update alert options a=1
alerts | alert update alert meta timeout=5s ; alert update alert options a=1
alerts | alert update nosuch path=/x
alerts | alert update file_alert id=zz
alerts | alert recipient update log1 value=/tmp/moved.log description=moved
alerts | alert recipient update log1 options x=1 meta timestamp-format=%s ; alert recipient update log1 options x=
alerts | alert recipient update log1 value=
alerts | alert recipient update nosuch value=/tmp/y
alerts | alert recipient add file_alert value=/tmp/b ; alert recipient update log1 value=/tmp/b
alerts | alert recipient add file_alert value=/tmp/b ; alert recipient update log1 value=/tmp/b --force
alerts | alert delete alert
alerts | alert remove alert file_alert
alerts | alert delete nosuch alert
alerts | alert recipient delete log1
alerts | alert recipient remove log1 nosuch
# properties and plain constraints
prims | property set stonith-enabled=false
prims | property set no-quorum-policy=ignore
prims | property set no-such-property=1
prims | property set no-such-property=1 --force
prims | property set maintenance-mode=true
prims | constraint colocation add A with B
prims | constraint colocation add A with B 100
prims | constraint colocation add A with B -INFINITY
prims | constraint colocation add A with Z
prims | constraint colocation add A with B ; constraint colocation add A with B
prims | constraint order A then B
prims | constraint order start A then start B kind=Optional
prims | constraint order stop A then stop B
prims | constraint order A then B symmetrical=false
prims | constraint order A then Z
prims | node standby n1
# fencing topology: stonith level add / remove / clear / verify, and stonith delete
levels | stonith level add 1 n1 f1
levels | stonith level add 1 n1 f1 f2 ; stonith level add 2 n1 f3
levels | stonith level add 1 n1 f1,f2
levels | stonith level add 1 %n2 f1
levels | stonith level add 1 node%n2 f1
levels | stonith level add 1 regexp%n[0-9]* f1
levels | stonith level add 3 attrib%rack=r1 f2
levels | stonith level add 10 n1 f1
levels | stonith level add 1 n1 f1 ; stonith level add 1 n1 f1
levels | stonith level add 1 n1 f1 ; stonith level add 1 n1 f1 --force
levels | stonith level add 1 n1 f1 ; stonith level add 1 n1 f2
levels | stonith level add 0 n1 f1
levels | stonith level add x n1 f1
levels | stonith level add 1 n9 f1
levels | stonith level add 1 n9 f1 --force
levels | stonith level add 1 n1 nosuch
levels | stonith level add 1 n1 nosuch --force
levels | stonith level add 1 n1 A
levels | stonith level add 1 n1 1x
levels | stonith level add 1 foo%n1 f1
levels | stonith level add 1 attrib%rack f1
levels | stonith level add 1 n1
levels | stonith level add 1 n9 nosuch --force ; stonith level verify
levels | stonith level clear
topo | stonith level remove 1 target n1
topo | stonith level remove 2 target n1 stonith f2 f3
topo | stonith level remove 2 target n1 stonith f2
topo | stonith level remove 2 stonith f3 f2
topo | stonith level remove 1
topo | stonith level remove 5
topo | stonith level remove 1 n1
topo | stonith level remove 2 n1 f2 f3
topo | stonith level remove 2 f2 f3
topo | stonith level delete 1 target regexp%n[23]
topo | stonith level remove 1 target attrib%rack=r1
topo | stonith level remove 1 target attrib%rack=r2
topo | stonith level remove 1 stonith 1x
topo | stonith level remove
topo | stonith level remove 1 target
topo | stonith level clear
topo | stonith level clear target n1
topo | stonith level clear target n2
topo | stonith level clear stonith f2 f3
topo | stonith level clear stonith f1
topo | stonith level clear n1
topo | stonith level clear f1
topo | stonith level clear target n1 stonith f1
topo | stonith level clear target n1 n2
topo | stonith level verify
topo | stonith level config
topo | stonith level config x
topo | stonith delete f2
topo | stonith delete f1 ; stonith delete f2 ; stonith delete f3
topo | stonith level clear ; resource delete A
# cluster cib-push on a file: one section replaced (the status and the file's version stay), a
# whole CIB (an older one is refused), the changes from an original; pcs's refusals.
prims | cluster cib-push {base:group} --config
prims | cluster cib-push {base:constr} scope=configuration
prims | cluster cib-push {base:constr} scope=constraints
group | cluster cib-push {base:prims} --config ; resource delete A
prims | cluster cib-push {base:empty} --config
prims | cluster cib-push {base:empty}
prims | cluster cib-push {base:tags} diff-against={base:prims}
prims | cluster cib-push {base:group} --config scope=configuration
prims | cluster cib-push {base:group} --config diff-against={base:prims}
prims | cluster cib-push {base:group} scope=nothing
prims | cluster cib-push --config
# acl
empty | acl
empty | acl enable
empty | acl enable ; acl disable
empty | acl enable extra
acl | acl
acl | acl config
acl | acl config extra
acl | acl role create rw description=writers write xpath //resources read xpath /cib
acl | acl role create rw READ ID B Deny Xpath //status
acl | acl role create rw read xpath /cib read xpath /cib write id A
acl | acl role create rw write id nosuch
acl | acl role create rw writ xpath /cib
acl | acl role create rw read xpath
acl | acl role create rw description= read xpath /cib
acl | acl role create rw description=
acl | acl role create ro
acl | acl role create A
acl | acl role create 1bad
acl | acl role create alice
acl | acl role create
acl | acl role create rw --force
acl | acl role delete ro
acl | acl role remove ops
acl | acl role delete ro --autodelete
acl | acl role delete nosuch
acl | acl role delete A
acl | acl role delete
acl | acl role assign ops alice
acl | acl role assign ops to alice
acl | acl role assign ops user alice
acl | acl role assign ops to user alice
acl | acl role assign ro to group admins
acl | acl role assign ro group admins
acl | acl role assign ro admins
acl | acl role assign ro alice
acl | acl role assign ro nobody
acl | acl role assign nosuch alice
acl | acl role assign A to alice
acl | acl role assign ro to user ops
acl | acl role assign ro into alice
acl | acl role unassign ro alice
acl | acl role unassign ro from alice
acl | acl role unassign ro from user alice --autodelete
acl | acl role unassign ops group admins --autodelete
acl | acl role unassign ops from group admins
acl | acl role unassign ops alice
acl | acl role unassign ro nobody
acl | acl user create bob
acl | acl user create bob ro ops
acl | acl user create bob ro ro
acl | acl user create bob nosuch
acl | acl user create alice
acl | acl user create A ro
acl | acl user create 1bad ro
acl | acl user create
acl | acl user delete alice
acl | acl user remove alice
acl | acl user delete bob
acl | acl user delete admins
acl | acl group create ops2 ro ops
acl | acl group create admins
acl | acl group create A
acl | acl group create 1bad
acl | acl group create alice
acl | acl group delete admins
acl | acl group remove admins
acl | acl group delete alice
acl | acl permission add ro write id B
acl | acl permission add ro write id B read xpath //nodes
acl | acl permission add newrole deny xpath //status
acl | acl permission add ro write id nosuch
acl | acl permission add A read xpath /cib
acl | acl permission add ro read xpath
acl | acl permission add ro
acl | acl permission delete ro-read
acl | acl permission remove ops-write
acl | acl permission delete ro
acl | acl permission delete nosuch
acl | acl permission add ro read xpath /cib ; acl permission delete ro-read ; acl permission add ro read xpath //nodes
acl | acl enable ; acl user create bob ops ; acl role delete ops --autodelete
acl | resource delete A
acl | acl foo
"""

CASES = []
for _line in _CASES_TEXT.strip().splitlines():
    if not _line.strip() or _line.startswith("#"):
        continue
    _base, _commands = _line.split(" | ", 1)
    CASES.append((_base.strip(), [c.strip() for c in _commands.split(" ; ")]))
