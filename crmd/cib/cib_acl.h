// Access control lists on the CIB, as Pacemaker 2.1.5 enforces them (lib/common/acl.c): who may
// read and who may change which parts of the CIB. Pure: the CIB text and the user in, a
// filtered CIB or a verdict out; no I/O (the caller resolves system groups through
// `in_group`), safe to call from any thread.
//
// The model (Pacemaker Explained, "Access Control Lists"):
//  * <acls> in the configuration holds acl_role (acl_permission children: kind read|write|deny
//    on an xpath, a reference (an id), or an object-type with an optional attribute),
//    acl_target (acl_user in older schemas) naming a user and its roles, and acl_group naming a
//    system group and its roles.
//  * ACLs apply only when the cluster property enable-acl is true and the user is neither root
//    nor hacluster (aclRequired). A user without any ACL entry then reads and writes nothing.
//  * Each permission flags the elements its xpath selects (an attribute selects its element).
//    An element's right is the flag of its nearest flagged ancestor-or-self: deny refuses
//    everything below it, write grants read and write, read grants read. A deeper flag wins
//    over a shallower one, deny wins over write over read on the same element.
//  * A read shows what is readable: an element flagged readable is kept whole; any other element
//    keeps only its id, and only when something below it is readable; denied subtrees are
//    purged first (Pacemaker's xml_acl_filtered_copy).
//  * A write must have write rights on every element it creates, changes (an attribute added,
//    changed or removed) or deletes. Creating an element that carries only an id (scaffolding
//    such as <resources>) outside <acls> is allowed implicitly, as in Pacemaker. The CIB's
//    counters and bookkeeping attributes on <cib> (epoch, num_updates, cib-last-written, ...)
//    are the cluster's, not the writer's, and are not checked.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace pulse::crmd {

// Who asks: a user name and whether that user belongs to a system group (for acl_group).
struct AclUser {
  std::string name;
  std::function<bool(std::string_view group)> in_group = [](std::string_view) { return false; };
};

// True when ACLs restrict `user` at all: not root or hacluster, which are never restricted.
bool aclRequired(std::string_view user);

// True when `cib_xml`'s crm_config sets enable-acl to a true value (Pacemaker's booleans:
// true, on, yes, y, 1). False for a CIB that does not parse.
bool aclEnabled(std::string_view cib_xml);

// What `user` may read of `cib_xml` (ACLs from the same CIB). Error "Permission denied" naming
// the user when nothing at all is readable, or when the CIB does not parse.
Result<std::string> aclFilteredRead(std::string_view cib_xml, const AclUser& user);

// OK when `user` may turn `current_xml` into `proposed_xml` (ACLs from `current_xml`). Error
// naming the user, what it may not do and the first element refused, as an XPath such as
// /cib/configuration/resources/primitive[@id='vip2'].
Status aclCheckWrite(std::string_view current_xml, std::string_view proposed_xml,
                     const AclUser& user);

// The CIB a restricted user's write of `proposed_xml` stands for: `current_xml` with only its
// configuration (or, for `status_only`, its status) taken from `proposed_xml`, as
// `cibadmin --replace --scope configuration` replaces one section. A user who cannot read the
// status then does not delete it by writing back the configuration it read.
Result<std::string> aclScopedWrite(std::string_view current_xml, std::string_view proposed_xml,
                                   bool status_only);

}  // namespace pulse::crmd
