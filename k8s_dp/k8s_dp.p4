/*
 * k8s_dp: the P4-DPDK pipeline that replaces kube-proxy on one node
 * (Kubernetes service load balancing with connection pinning, plus pod
 * forwarding by destination IP).
 *
 * Network policy is enforced by the ACL stages (acl-spec.md): per pod and
 * direction, a pod-ip/protocol table picks a policy, an ipset table matches
 * the remote address and a range-check table the destination port or ICMP
 * type/code; allowed connections are remembered in acl_conntrack so their
 * replies pass.
 *
 * InfraManager programs this pipeline through P4Runtime by name, and the
 * p4info ids are derived from those names, so every table, key, action,
 * parameter and action-selector name and width below is part of the wire
 * contract with the original (reference-behaviour.md section 2).
 * Rename nothing without regenerating p4Info.txt and checking the ids.
 *
 * Build: `make -C k8s_dp p4` (needs p4c-dpdk and tdi_pipeline_builder).
 */

#include <core.p4>
#include <pna.p4>

const bit<16> ETHERTYPE_TPID = 0x8100;
const bit<16> ETHERTYPE_IPV4 = 0x0800;
const bit<16> ETHERTYPE_ARP  = 0x0806;

const bit<8> IP_PROTO_ICMP = 1;
const bit<8> IP_PROTO_TCP  = 6;
const bit<8> IP_PROTO_UDP  = 0x11;
const bit<8> IP_PROTO_SCTP = 0x84;
const bit<8> IP_PROTO_UDPL = 0x88;   // UDP-Lite

// ICMP types whose identifier stands in for the ports of a conntrack tuple:
// a ping and its reply carry the same identifier, so they share one entry.
const bit<8> ICMP_ECHO_REPLY   = 0;
const bit<8> ICMP_ECHO_REQUEST = 8;

// A SYN with no other flag set: only a connection's first packet may pick a
// backend; SYN+ECE/CWR retransmits and everything else must follow the pin.
const bit<8> TCP_FLAGS_SYN_ONLY = 0x02;

// Which rewrite the load-balancing stage chose for this packet.
typedef bit<16> ActionRef_t;
const ActionRef_t NO_MODIFY     = 0;
const ActionRef_t WRITE_SRC_IP  = 1;
const ActionRef_t WRITE_DEST_IP = 2;

// What a pod's policy asks of one direction (meta.acl_status), as set by the
// acl_pod_ip_proto_table_* actions. No entry means ALLOW_ALL: pods without
// policy are not isolated.
typedef bit<8> AclStatus_t;
const AclStatus_t ALLOW_ALL   = 0;
const AclStatus_t MATCH_IPSET = 1;   // remote address only
const AclStatus_t DENY_ALL    = 2;
const AclStatus_t MATCH_RULE  = 3;   // remote address and port / ICMP type-code

// The policy id the control plane allocates; the key of the ipset and
// range-check tables.
typedef bit<8> AclPolicyId_t;

// Which range-check table a MATCH_RULE policy uses (meta.range_check_ref).
typedef bit<8> RangeCheckRef_t;
const RangeCheckRef_t NONE                      = 0;   // no port condition
const RangeCheckRef_t CHECK_TCP_DST_PORT_RANGE  = 1;
const RangeCheckRef_t CHECK_UDP_DST_PORT_RANGE  = 2;
const RangeCheckRef_t CHECK_SCTP_DST_PORT_RANGE = 3;
const RangeCheckRef_t CHECK_UDPL_DST_PORT_RANGE = 4;
const RangeCheckRef_t CHECK_ICMP_TYPE_CODE      = 5;

// One bit per rule slot (8 per policy): an ipset entry sets the bits of the
// rules whose remote address matches, a range check the bits of the rules
// whose port range matches; a rule matches when its bit is in both.
typedef bit<8> RuleMatchMask_t;

// Index into write_source_ip_table / write_dest_ip_table. The control plane
// allocates these; 0 is never allocated, so it doubles as "no pointer".
typedef bit<24> ModDataPtr_t;

// Learned connection entries age out with the target's expiry profile 2.
const ExpireTimeProfileId_t EXPIRE_TIME_CT = (ExpireTimeProfileId_t) 8w2;

// The infra host TAP: where unknown IPv4 destinations and ARP targets go.
const PortId_t DEFAULT_HOST_PORT = (PortId_t) 32w1;

// One selector per protocol; its members are shared by every service of
// that protocol. The original's 128 capped a whole node at 128 TCP backends
// (reference-behaviour.md 11.3, defect 6); the sizes below are ours and only
// sizes: names and widths, and so the p4info ids, are the original's.
#define AS_NUM_MEMBERS 65536
#define AS_OP_BITS 10

// Table sizes: pods and hosts, services, backends and learned connections.
#define POD_TABLE_SIZE 4096
#define SERVICE_TABLE_SIZE 16384
#define BACKEND_TABLE_SIZE 65536
#define FLOW_TABLE_SIZE 65536

// ACL tables: pod-ip/protocol and ipset entries for every pod and policy;
// range checks are per policy, and a policy id is 8 bits.
#define ACL_POD_TABLE_SIZE 16384
#define ACL_IPSET_TABLE_SIZE 16384
#define ACL_RC_TABLE_SIZE 256

header ethernet_t {
    bit<48> dst_mac;
    bit<48> src_mac;
    bit<16> ether_type;
}

header vlan_tag_h {
    bit<3>  pcp;
    bit<1>  cfi;
    bit<12> vid;
    bit<16> ether_type;
}

header arp_t {
    bit<16> htype;
    bit<16> ptype;
    bit<8>  hlen;
    bit<8>  plen;
    bit<16> oper;
    bit<48> sha;
    bit<32> spa;
    bit<48> tha;
    bit<32> tpa;
}

header ipv4_t {
    bit<8>  version_ihl;
    bit<8>  dscp_ecn;
    bit<16> total_len;
    bit<16> identification;
    bit<16> flags_frag_offset;
    bit<8>  ttl;
    bit<8>  protocol;
    bit<16> header_checksum;
    bit<32> src_addr;
    bit<32> dst_addr;
}

// Every ICMP message has these 8 bytes; identifier/sequence are meaningful
// for echo only, but reading them is harmless for the other types.
header icmp_t {
    bit<16> type_code;   // type << 8 | code: the range checks compare both at once
    bit<16> checksum;
    bit<16> identifier;
    bit<16> sequence;
}

header tcp_t {
    bit<16> src_port;
    bit<16> dst_port;
    bit<32> seq_no;
    bit<32> ack_no;
    bit<8>  data_offset_res;
    bit<8>  flags;
    bit<16> window;
    bit<16> checksum;
    bit<16> urgent_ptr;
}

header udp_t {
    bit<16> src_port;
    bit<16> dst_port;
    bit<16> length;
    bit<16> checksum;
}

header sctp_t {
    bit<16> src_port;
    bit<16> dst_port;
    bit<32> verification_tag;
    bit<32> checksum;
}

header udpl_t {
    bit<16> src_port;
    bit<16> dst_port;
    bit<16> checksum_coverage;
    bit<16> checksum;
}

struct headers_t {
    ethernet_t ethernet;
    vlan_tag_h vlan_tag;
    arp_t      arp;
    ipv4_t     ipv4;
    tcp_t      tcp;
    udp_t      udp;
    icmp_t     icmp;
    sctp_t     sctp;
    udpl_t     udpl;
}

// src_ip/dst_ip/src_port/dst_port are the key of the pinned_flows tables.
// They are copied out of the headers (rather than keyed on the headers) so
// that the reverse-direction tuple can be built before a learn.
struct main_metadata_t {
    bit<16>      dst_port;
    bit<16>      src_port;
    bit<32>      src_ip;
    bit<32>      dst_ip;
    bit<8>       clb_hash;  // unused; kept so the metadata layout matches the original
    ActionRef_t  mod_action;
    ModDataPtr_t mod_blob_ptr_dnat;
    ModDataPtr_t mod_blob_ptr_snat;

    // ACL stages. These live in meta, not in control locals, because a
    // packet whose two directions both need a range check is recirculated
    // and pass 1 continues from what pass 0 left here.
    // Working registers of the ACL tables' actions:
    AclStatus_t     acl_status;
    AclPolicyId_t   acl_pol_id;
    RangeCheckRef_t range_check_ref;
    RuleMatchMask_t ipset_check_result;
    RuleMatchMask_t range_check_result;
    // What the range checks compare: the L4 destination port (after DNAT,
    // i.e. the pod's port) or the ICMP type_code; 0 for other protocols.
    bit<16>         acl_dport;
    // The connection's tuple in canonical order (smaller ip:port first), so
    // that a packet and its reply share one acl_conntrack entry.
    bit<32>         ct_ip_lo;
    bit<32>         ct_ip_hi;
    bit<16>         ct_port_lo;
    bit<16>         ct_port_hi;
    // Per-direction outcome: egress of the source pod, ingress of the
    // destination pod.
    AclStatus_t     eg_status;
    AclPolicyId_t   eg_pol_id;
    RangeCheckRef_t eg_ref;
    RuleMatchMask_t eg_ipset;
    RuleMatchMask_t eg_range;
    AclStatus_t     in_status;
    AclPolicyId_t   in_pol_id;
    RangeCheckRef_t in_ref;
    RuleMatchMask_t in_ipset;
    RuleMatchMask_t in_range;
}

// add_entry takes the learned action's parameters as one struct.
struct pinned_flows_hit_params_t {
    ModDataPtr_t ptr;
}

struct pinned_flows_reverse_hit_params_t {
    ModDataPtr_t ptr;
}

// acl_conntrack_hit has no parameters: the entry itself is the verdict.
struct acl_conntrack_hit_params_t {
}

// Bit i of the result is set when min_i <= v <= max_i. Shared by the five
// do_range_check_* actions, which differ only in their names (and so ids).
// An unused slot is sent as min 1, max 0, which matches nothing.
RuleMatchMask_t match_ranges(in bit<16> v,
                             in bit<16> min0, in bit<16> max0,
                             in bit<16> min1, in bit<16> max1,
                             in bit<16> min2, in bit<16> max2,
                             in bit<16> min3, in bit<16> max3,
                             in bit<16> min4, in bit<16> max4,
                             in bit<16> min5, in bit<16> max5,
                             in bit<16> min6, in bit<16> max6,
                             in bit<16> min7, in bit<16> max7) {
    RuleMatchMask_t r = 0;
    if (min0 <= v && v <= max0) { r = r | 0x01; }
    if (min1 <= v && v <= max1) { r = r | 0x02; }
    if (min2 <= v && v <= max2) { r = r | 0x04; }
    if (min3 <= v && v <= max3) { r = r | 0x08; }
    if (min4 <= v && v <= max4) { r = r | 0x10; }
    if (min5 <= v && v <= max5) { r = r | 0x20; }
    if (min6 <= v && v <= max6) { r = r | 0x40; }
    if (min7 <= v && v <= max7) { r = r | 0x80; }
    return r;
}

// One direction's verdict. A MATCH_IPSET policy has no port condition, so
// any matching remote address allows; MATCH_RULE needs one rule whose remote
// address and port both match. DENY_ALL and unknown statuses deny.
bool acl_dir_ok(in AclStatus_t status, in RuleMatchMask_t ipset_mask,
                in RuleMatchMask_t range_mask) {
    bool ok = false;
    if (status == ALLOW_ALL) {
        ok = true;
    } else if (status == MATCH_IPSET) {
        ok = ipset_mask != 0;
    } else if (status == MATCH_RULE) {
        ok = (ipset_mask & range_mask) != 0;
    }
    return ok;
}

parser packet_parser(packet_in pkt,
                     out headers_t hdr,
                     inout main_metadata_t meta,
                     in pna_main_parser_input_metadata_t istd) {
    state start {
        pkt.extract(hdr.ethernet);
        transition select(hdr.ethernet.ether_type) {
            ETHERTYPE_TPID: parse_vlan;
            ETHERTYPE_IPV4: parse_ipv4;
            ETHERTYPE_ARP:  parse_arp;
            default:        accept;
        }
    }

    // A single tag only: pods and the host never send QinQ.
    state parse_vlan {
        pkt.extract(hdr.vlan_tag);
        transition select(hdr.vlan_tag.ether_type) {
            ETHERTYPE_IPV4: parse_ipv4;
            ETHERTYPE_ARP:  parse_arp;
            default:        accept;
        }
    }

    state parse_arp {
        pkt.extract(hdr.arp);
        transition accept;
    }

    // IP options are not skipped: with IHL > 5 the L4 header is misread.
    // Pod traffic does not carry options; this matches the original.
    state parse_ipv4 {
        pkt.extract(hdr.ipv4);
        transition select(hdr.ipv4.protocol) {
            IP_PROTO_TCP:  parse_tcp;
            IP_PROTO_UDP:  parse_udp;
            IP_PROTO_ICMP: parse_icmp;
            IP_PROTO_SCTP: parse_sctp;
            IP_PROTO_UDPL: parse_udpl;
            default:       accept;
        }
    }

    state parse_tcp {
        pkt.extract(hdr.tcp);
        transition accept;
    }

    state parse_udp {
        pkt.extract(hdr.udp);
        transition accept;
    }

    // ICMP, SCTP and UDP-Lite are parsed only for the ACL stages (port or
    // type/code checks, conntrack tuple); service load balancing stays
    // TCP/UDP only.
    state parse_icmp {
        pkt.extract(hdr.icmp);
        transition accept;
    }

    state parse_sctp {
        pkt.extract(hdr.sctp);
        transition accept;
    }

    state parse_udpl {
        pkt.extract(hdr.udpl);
        transition accept;
    }
}

control pre_control(in headers_t hdr,
                    inout main_metadata_t meta,
                    in pna_pre_input_metadata_t istd,
                    inout pna_pre_output_metadata_t ostd) {
    apply { }
}

control k8s_dp_control(inout headers_t hdr,
                       inout main_metadata_t meta,
                       in pna_main_input_metadata_t istd,
                       inout pna_main_output_metadata_t ostd) {

    // Per-packet switches read by the add-on-miss default actions: learning
    // happens only for a connection's first packet (the one the selector
    // balanced), never for mid-stream packets of unknown flows.
    bool do_clb_pinned_flows_add_on_miss;
    bool create_reverse_ct;

    // The ACL verdict of this packet (both directions), read by
    // acl_conntrack_miss: only allowed packets open a connection.
    bool acl_allowed;

    // Per-pass ACL control flow: whether this pass runs a range check, for
    // which direction, and whether the packet needs a pass 1 (both
    // directions need a range check and the rc tables are shared).
    bool acl_rc_do;
    bool acl_rc_egress;
    bool acl_needs_pass1;

    InternetChecksum() ip_csum;
    InternetChecksum() l4_csum;

    ActionSelector(PNA_HashAlgorithm_t.TARGET_DEFAULT, AS_NUM_MEMBERS, AS_OP_BITS) as_sl3_tcp;
    ActionSelector(PNA_HashAlgorithm_t.TARGET_DEFAULT, AS_NUM_MEMBERS, AS_OP_BITS) as_sl3_udp;

    // Checksums are patched incrementally (RFC 1624: HC' = ~(~HC + ~m + m'))
    // so that the payload is never read. subtract(HC) contributes ~HC.
    action update_src_ip(bit<32> new_ip, bit<16> new_port) {
        ip_csum.clear();
        ip_csum.subtract({hdr.ipv4.header_checksum, hdr.ipv4.src_addr});
        ip_csum.add({new_ip});
        hdr.ipv4.header_checksum = ip_csum.get();

        // The TCP/UDP checksum covers the pseudo-header, so the address
        // change has to be folded in as well as the port change.
        if (hdr.tcp.isValid()) {
            l4_csum.clear();
            l4_csum.subtract({hdr.tcp.checksum, hdr.ipv4.src_addr, hdr.tcp.src_port});
            l4_csum.add({new_ip, new_port});
            hdr.tcp.checksum = l4_csum.get();
            hdr.tcp.src_port = new_port;
        } else if (hdr.udp.isValid()) {
            // A zero UDP checksum means "none" (RFC 768); patching it would
            // make the receiver verify, and reject, a checksum never computed.
            if (hdr.udp.checksum != 0) {
                l4_csum.clear();
                l4_csum.subtract({hdr.udp.checksum, hdr.ipv4.src_addr, hdr.udp.src_port});
                l4_csum.add({new_ip, new_port});
                hdr.udp.checksum = l4_csum.get();
            }
            hdr.udp.src_port = new_port;
        }
        hdr.ipv4.src_addr = new_ip;
    }

    action update_dst_ip(bit<32> new_ip, bit<16> new_port) {
        ip_csum.clear();
        ip_csum.subtract({hdr.ipv4.header_checksum, hdr.ipv4.dst_addr});
        ip_csum.add({new_ip});
        hdr.ipv4.header_checksum = ip_csum.get();

        if (hdr.tcp.isValid()) {
            l4_csum.clear();
            l4_csum.subtract({hdr.tcp.checksum, hdr.ipv4.dst_addr, hdr.tcp.dst_port});
            l4_csum.add({new_ip, new_port});
            hdr.tcp.checksum = l4_csum.get();
            hdr.tcp.dst_port = new_port;
        } else if (hdr.udp.isValid()) {
            if (hdr.udp.checksum != 0) {
                l4_csum.clear();
                l4_csum.subtract({hdr.udp.checksum, hdr.ipv4.dst_addr, hdr.udp.dst_port});
                l4_csum.add({new_ip, new_port});
                hdr.udp.checksum = l4_csum.get();
            }
            hdr.udp.dst_port = new_port;
        }
        hdr.ipv4.dst_addr = new_ip;
    }

    // Pods have no L2 neighbours (every address is a /32 behind the
    // 169.254.1.1 gateway), so the pipeline supplies the destination MAC.
    // new_dmac == 0 means "leave the MACs alone" (the host port default).
    action set_dest_mac_vport(PortId_t p, bit<48> new_dmac) {
        if (new_dmac != 0 && new_dmac != hdr.ethernet.dst_mac) {
            hdr.ethernet.src_mac = hdr.ethernet.dst_mac;
            hdr.ethernet.dst_mac = new_dmac;
        }
        send_to_port(p);
    }

    action set_dest_vport(PortId_t p) {
        send_to_port(p);
    }

    action pinned_flows_hit(ModDataPtr_t ptr) {
        meta.mod_action = WRITE_DEST_IP;
        meta.mod_blob_ptr_dnat = ptr;
    }

    // Pins the backend the selector just chose, so that every later packet
    // of the connection reaches the same backend even if the group changes.
    action pinned_flows_miss() {
        if (do_clb_pinned_flows_add_on_miss && meta.mod_blob_ptr_dnat != 0) {
            add_entry(action_name = "pinned_flows_hit",
                      action_params = (pinned_flows_hit_params_t) { ptr = meta.mod_blob_ptr_dnat },
                      expire_time_profile_id = EXPIRE_TIME_CT);
        }
    }

    action pinned_flows_reverse_hit(ModDataPtr_t ptr) {
        meta.mod_action = WRITE_SRC_IP;
        meta.mod_blob_ptr_snat = ptr;
    }

    // Learns the backend-to-client tuple so replies get the service VIP back
    // as their source.
    action pinned_flows_reverse_miss() {
        if (create_reverse_ct && meta.mod_blob_ptr_snat != 0) {
            add_entry(action_name = "pinned_flows_reverse_hit",
                      action_params = (pinned_flows_reverse_hit_params_t) { ptr = meta.mod_blob_ptr_snat },
                      expire_time_profile_id = EXPIRE_TIME_CT);
        }
    }

    action set_default_lb_dest(ModDataPtr_t ptr) {
        meta.mod_action = WRITE_DEST_IP;
        meta.mod_blob_ptr_dnat = ptr;
    }

    // Runs after DNAT, so the header already holds backend ip/port; the
    // reverse tuple is what the backend's reply will carry.
    action set_key_for_reverse_ct(ModDataPtr_t ptr) {
        meta.src_ip = hdr.ipv4.dst_addr;
        meta.dst_ip = hdr.ipv4.src_addr;
        if (hdr.tcp.isValid()) {
            meta.src_port = hdr.tcp.dst_port;
            meta.dst_port = hdr.tcp.src_port;
        } else {
            meta.src_port = hdr.udp.dst_port;
            meta.dst_port = hdr.udp.src_port;
        }
        meta.mod_blob_ptr_snat = ptr;
    }

    // ---- ACL stages (acl-spec.md) ----
    //
    // None of these actions drops: on P4-DPDK drop_packet() ends the packet
    // at once, and the verdict needs both directions and acl_conntrack, so
    // the actions only record results and the apply block decides.

    // acl_pod_ip_proto_table_*: what the pod's policy needs for this
    // protocol. NoAction leaves ALLOW_ALL.
    action set_status_match_ipset_only(AclPolicyId_t pol_id) {
        meta.acl_status = MATCH_IPSET;
        meta.acl_pol_id = pol_id;
    }

    action set_range_check_ref(AclPolicyId_t pol_id, RangeCheckRef_t range_check_ref) {
        meta.acl_status = MATCH_RULE;
        meta.acl_pol_id = pol_id;
        meta.range_check_ref = range_check_ref;
    }

    action set_status_deny_all() {
        meta.acl_status = DENY_ALL;
    }

    // acl_ipset_match_table_*: the rules whose remote address matches.
    action set_ipset_match_result(RuleMatchMask_t ipset_matched_mask) {
        meta.ipset_check_result = ipset_matched_mask;
    }

    // "No rule matches": the miss of the ipset tables and of the range-check
    // tables. Both results are cleared because one action serves both kinds
    // of table; the apply block copies out the one it asked for right after
    // each apply, so clearing the other is harmless.
    action acl_deny() {
        meta.ipset_check_result = 0;
        meta.range_check_result = 0;
    }

    // The same as acl_deny; udp_dport_rc_table has its own (the original's
    // name, kept for its p4info id).
    action udp_acl_deny() {
        meta.ipset_check_result = 0;
        meta.range_check_result = 0;
    }

    // Range checks over meta.acl_dport (params min_i/max_i, i = 0..7: rule
    // slot i of the policy). One action per protocol, as in the original.
    action do_range_check_tcp(bit<16> min0, bit<16> max0, bit<16> min1, bit<16> max1,
                              bit<16> min2, bit<16> max2, bit<16> min3, bit<16> max3,
                              bit<16> min4, bit<16> max4, bit<16> min5, bit<16> max5,
                              bit<16> min6, bit<16> max6, bit<16> min7, bit<16> max7) {
        meta.range_check_result = match_ranges(meta.acl_dport, min0, max0, min1, max1,
            min2, max2, min3, max3, min4, max4, min5, max5, min6, max6, min7, max7);
    }

    action do_range_check_udp(bit<16> min0, bit<16> max0, bit<16> min1, bit<16> max1,
                              bit<16> min2, bit<16> max2, bit<16> min3, bit<16> max3,
                              bit<16> min4, bit<16> max4, bit<16> min5, bit<16> max5,
                              bit<16> min6, bit<16> max6, bit<16> min7, bit<16> max7) {
        meta.range_check_result = match_ranges(meta.acl_dport, min0, max0, min1, max1,
            min2, max2, min3, max3, min4, max4, min5, max5, min6, max6, min7, max7);
    }

    action do_range_check_sctp(bit<16> min0, bit<16> max0, bit<16> min1, bit<16> max1,
                               bit<16> min2, bit<16> max2, bit<16> min3, bit<16> max3,
                               bit<16> min4, bit<16> max4, bit<16> min5, bit<16> max5,
                               bit<16> min6, bit<16> max6, bit<16> min7, bit<16> max7) {
        meta.range_check_result = match_ranges(meta.acl_dport, min0, max0, min1, max1,
            min2, max2, min3, max3, min4, max4, min5, max5, min6, max6, min7, max7);
    }

    action do_range_check_udplite(bit<16> min0, bit<16> max0, bit<16> min1, bit<16> max1,
                                  bit<16> min2, bit<16> max2, bit<16> min3, bit<16> max3,
                                  bit<16> min4, bit<16> max4, bit<16> min5, bit<16> max5,
                                  bit<16> min6, bit<16> max6, bit<16> min7, bit<16> max7) {
        meta.range_check_result = match_ranges(meta.acl_dport, min0, max0, min1, max1,
            min2, max2, min3, max3, min4, max4, min5, max5, min6, max6, min7, max7);
    }

    // For ICMP acl_dport holds type_code, so a range pins a type and a code
    // range (or, 0xTT00..0xTTFF, every code of a type).
    action do_icmp_type_code_check(bit<16> min0, bit<16> max0, bit<16> min1, bit<16> max1,
                                   bit<16> min2, bit<16> max2, bit<16> min3, bit<16> max3,
                                   bit<16> min4, bit<16> max4, bit<16> min5, bit<16> max5,
                                   bit<16> min6, bit<16> max6, bit<16> min7, bit<16> max7) {
        meta.range_check_result = match_ranges(meta.acl_dport, min0, max0, min1, max1,
            min2, max2, min3, max3, min4, max4, min5, max5, min6, max6, min7, max7);
    }

    action acl_conntrack_hit() {
    }

    // Remembers an allowed connection (both directions: the tuple is
    // canonical), so its replies pass whatever policy their direction has.
    action acl_conntrack_miss() {
        if (acl_allowed) {
            add_entry(action_name = "acl_conntrack_hit",
                      action_params = (acl_conntrack_hit_params_t) { },
                      expire_time_profile_id = EXPIRE_TIME_CT);
        }
    }

    table write_source_ip_table {
        key = {
            meta.mod_blob_ptr_snat : exact;
        }
        actions = {
            update_src_ip;
            @defaultonly NoAction;
        }
        default_action = NoAction;
        size = SERVICE_TABLE_SIZE;
    }

    table write_dest_ip_table {
        key = {
            meta.mod_blob_ptr_dnat : exact;
        }
        actions = {
            update_dst_ip;
            @defaultonly NoAction;
        }
        default_action = NoAction;
        size = BACKEND_TABLE_SIZE;
    }

    table arpt_to_port_table {
        key = {
            hdr.arp.tpa : exact;
        }
        actions = {
            set_dest_vport;
        }
        const default_action = set_dest_vport(DEFAULT_HOST_PORT);
        size = POD_TABLE_SIZE;
    }

    table ipv4_to_port_table {
        key = {
            hdr.ipv4.dst_addr : exact;
        }
        actions = {
            set_dest_mac_vport;
        }
        const default_action = set_dest_mac_vport(DEFAULT_HOST_PORT, 0);
        size = POD_TABLE_SIZE;
    }

    // Forward-direction connection pins (client tuple -> dnat pointer),
    // written only by the data plane.
    table pinned_flows {
        key = {
            meta.src_ip        : exact;
            meta.dst_ip        : exact;
            hdr.ipv4.protocol  : exact;
            meta.src_port      : exact;
            meta.dst_port      : exact;
        }
        actions = {
            @tableonly pinned_flows_hit;
            @defaultonly pinned_flows_miss;
        }
        add_on_miss = true;
        const default_action = pinned_flows_miss;
        size = FLOW_TABLE_SIZE;
    }

    // Reply-direction pins (backend tuple -> snat pointer).
    table pinned_flows_reverse {
        key = {
            meta.src_ip        : exact;
            meta.dst_ip        : exact;
            hdr.ipv4.protocol  : exact;
            meta.src_port      : exact;
            meta.dst_port      : exact;
        }
        actions = {
            @tableonly pinned_flows_reverse_hit;
            @defaultonly pinned_flows_reverse_miss;
        }
        add_on_miss = true;
        const default_action = pinned_flows_reverse_miss;
        size = FLOW_TABLE_SIZE;
    }

    // Service VIP:port -> backend group. The selector hashes the client
    // address and port so one client spreads over the backends.
    table tx_balance_tcp {
        key = {
            hdr.ipv4.dst_addr : exact;
            hdr.tcp.dst_port  : exact;
            hdr.ipv4.src_addr : selector;
            hdr.tcp.src_port  : selector;
        }
        actions = {
            set_default_lb_dest;
            NoAction;
        }
        pna_implementation = as_sl3_tcp;
        const default_action = NoAction;
        size = SERVICE_TABLE_SIZE;
    }

    table tx_balance_udp {
        key = {
            hdr.ipv4.dst_addr : exact;
            hdr.udp.dst_port  : exact;
            hdr.ipv4.src_addr : selector;
            hdr.udp.src_port  : selector;
        }
        actions = {
            set_default_lb_dest;
            NoAction;
        }
        pna_implementation = as_sl3_udp;
        const default_action = NoAction;
        size = SERVICE_TABLE_SIZE;
    }

    // Backend ip:port -> service group id, used to build the reverse pin.
    table set_meta_tcp {
        key = {
            hdr.ipv4.dst_addr : exact;
            hdr.tcp.dst_port  : exact;
        }
        actions = {
            set_key_for_reverse_ct;
            NoAction;
        }
        const default_action = NoAction;
        size = BACKEND_TABLE_SIZE;
    }

    table set_meta_udp {
        key = {
            hdr.ipv4.dst_addr : exact;
            hdr.udp.dst_port  : exact;
        }
        actions = {
            set_key_for_reverse_ct;
            NoAction;
        }
        const default_action = NoAction;
        size = BACKEND_TABLE_SIZE;
    }

    // The source pod's egress policy for this protocol. The protocol is an
    // LPM key so that one entry (prefix length 0) can cover every protocol
    // not listed on its own (prefix length 8).
    table acl_pod_ip_proto_table_egress {
        key = {
            hdr.ipv4.src_addr : exact;
            hdr.ipv4.protocol : lpm;
        }
        actions = {
            set_status_match_ipset_only;
            set_range_check_ref;
            set_status_deny_all;
            NoAction;
        }
        default_action = NoAction;
        size = ACL_POD_TABLE_SIZE;
    }

    // The destination pod's ingress policy.
    table acl_pod_ip_proto_table_ingress {
        key = {
            hdr.ipv4.dst_addr : exact;
            hdr.ipv4.protocol : lpm;
        }
        actions = {
            set_status_match_ipset_only;
            set_range_check_ref;
            set_status_deny_all;
            NoAction;
        }
        default_action = NoAction;
        size = ACL_POD_TABLE_SIZE;
    }

    // Egress: the remote end is the destination.
    table acl_ipset_match_table_egress {
        key = {
            meta.acl_pol_id   : exact;
            hdr.ipv4.dst_addr : lpm;
        }
        actions = {
            set_ipset_match_result;
            acl_deny;
        }
        default_action = acl_deny;
        size = ACL_IPSET_TABLE_SIZE;
    }

    // Ingress: the remote end is the source.
    table acl_ipset_match_table_ingress {
        key = {
            meta.acl_pol_id   : exact;
            hdr.ipv4.src_addr : lpm;
        }
        actions = {
            set_ipset_match_result;
            acl_deny;
        }
        default_action = acl_deny;
        size = ACL_IPSET_TABLE_SIZE;
    }

    // Range-check tables, keyed on the policy only: they serve both
    // directions, which is why a packet needing two checks takes two passes.
    table tcp_dport_rc_table {
        key = {
            meta.acl_pol_id : exact;
        }
        actions = {
            do_range_check_tcp;
            acl_deny;
        }
        const default_action = acl_deny;
        size = ACL_RC_TABLE_SIZE;
    }

    table udp_dport_rc_table {
        key = {
            meta.acl_pol_id : exact;
        }
        actions = {
            do_range_check_udp;
            udp_acl_deny;
        }
        const default_action = udp_acl_deny;
        size = ACL_RC_TABLE_SIZE;
    }

    table sctp_dport_rc_table {
        key = {
            meta.acl_pol_id : exact;
        }
        actions = {
            do_range_check_sctp;
            acl_deny;
        }
        default_action = acl_deny;
        size = ACL_RC_TABLE_SIZE;
    }

    table udpl_dport_rc_table {
        key = {
            meta.acl_pol_id : exact;
        }
        actions = {
            do_range_check_udplite;
            acl_deny;
        }
        default_action = acl_deny;
        size = ACL_RC_TABLE_SIZE;
    }

    table icmp_type_code_check_table {
        key = {
            meta.acl_pol_id : exact;
        }
        actions = {
            do_icmp_type_code_check;
            acl_deny;
        }
        default_action = acl_deny;
        size = ACL_RC_TABLE_SIZE;
    }

    // Connections already allowed, learned by the data plane only: a hit
    // forwards without looking at policy (Calico policy is stateful).
    table acl_conntrack {
        key = {
            meta.ct_ip_lo     : exact;
            meta.ct_ip_hi     : exact;
            hdr.ipv4.protocol : exact;
            meta.ct_port_lo   : exact;
            meta.ct_port_hi   : exact;
        }
        actions = {
            @tableonly acl_conntrack_hit;
            @defaultonly acl_conntrack_miss;
        }
        add_on_miss = true;
        const default_action = acl_conntrack_miss;
        size = FLOW_TABLE_SIZE;
    }

    apply {
        // Control locals are per pass; meta carries over into pass 1.
        do_clb_pinned_flows_add_on_miss = false;
        create_reverse_ct = false;
        acl_allowed = false;
        acl_rc_do = false;
        acl_rc_egress = false;
        acl_needs_pass1 = false;

        if (istd.pass == (PassNumber_t) 0) {
            meta.mod_action = NO_MODIFY;
            meta.mod_blob_ptr_dnat = 0;
            meta.mod_blob_ptr_snat = 0;
            meta.src_ip = 0;
            meta.dst_ip = 0;
            meta.src_port = 0;
            meta.dst_port = 0;
            meta.acl_status = ALLOW_ALL;
            meta.acl_pol_id = 0;
            meta.range_check_ref = NONE;
            meta.ipset_check_result = 0;
            meta.range_check_result = 0;
            meta.acl_dport = 0;
            meta.ct_ip_lo = 0;
            meta.ct_ip_hi = 0;
            meta.ct_port_lo = 0;
            meta.ct_port_hi = 0;
            meta.eg_status = ALLOW_ALL;
            meta.eg_pol_id = 0;
            meta.eg_ref = NONE;
            meta.eg_ipset = 0;
            meta.eg_range = 0;
            meta.in_status = ALLOW_ALL;
            meta.in_pol_id = 0;
            meta.in_ref = NONE;
            meta.in_ipset = 0;
            meta.in_range = 0;

            if (hdr.ipv4.isValid() && hdr.tcp.isValid()) {
                if (hdr.tcp.flags == TCP_FLAGS_SYN_ONLY) {
                    // A new connection: balance it, then let pinned_flows
                    // either learn that choice or, for a retransmitted SYN,
                    // override it with the backend pinned earlier.
                    tx_balance_tcp.apply();
                    do_clb_pinned_flows_add_on_miss = true;
                    create_reverse_ct = true;
                    meta.src_ip = hdr.ipv4.src_addr;
                    meta.dst_ip = hdr.ipv4.dst_addr;
                    meta.src_port = hdr.tcp.src_port;
                    meta.dst_port = hdr.tcp.dst_port;
                    pinned_flows.apply();
                } else {
                    meta.src_ip = hdr.ipv4.src_addr;
                    meta.dst_ip = hdr.ipv4.dst_addr;
                    meta.src_port = hdr.tcp.src_port;
                    meta.dst_port = hdr.tcp.dst_port;
                    // A backend's reply first; otherwise a client packet of a
                    // pinned connection. Unknown flows pass untouched.
                    if (!pinned_flows_reverse.apply().hit) {
                        pinned_flows.apply();
                    }
                }
            } else if (hdr.ipv4.isValid() && hdr.udp.isValid()) {
                // UDP has no connection start, so any packet to a service VIP
                // may learn; anything else may be a backend's reply.
                if (tx_balance_udp.apply().hit) {
                    do_clb_pinned_flows_add_on_miss = true;
                    create_reverse_ct = true;
                    meta.src_ip = hdr.ipv4.src_addr;
                    meta.dst_ip = hdr.ipv4.dst_addr;
                    meta.src_port = hdr.udp.src_port;
                    meta.dst_port = hdr.udp.dst_port;
                    pinned_flows.apply();
                } else {
                    meta.src_ip = hdr.ipv4.src_addr;
                    meta.dst_ip = hdr.ipv4.dst_addr;
                    meta.src_port = hdr.udp.src_port;
                    meta.dst_port = hdr.udp.dst_port;
                    pinned_flows_reverse.apply();
                }
            }

            // The SNAT decision is taken now but applied after the ACL, which
            // must see the backend's own address. It is taken before the DNAT
            // branch below, whose pinned_flows_reverse may set WRITE_SRC_IP
            // for the reverse tuple without that meaning "SNAT this packet".
            bool do_snat = meta.mod_action == WRITE_SRC_IP;
            if (meta.mod_action == WRITE_DEST_IP) {
                write_dest_ip_table.apply();
                if (create_reverse_ct) {
                    if (hdr.tcp.isValid()) {
                        set_meta_tcp.apply();
                    } else {
                        set_meta_udp.apply();
                    }
                    pinned_flows_reverse.apply();
                }
            }

            // The ACL judges the packet as the pods see it: after DNAT (a
            // client's packet to a service is checked against the backend
            // pod) and before SNAT (a backend's reply is checked as coming
            // from the backend pod).
            if (hdr.ipv4.isValid()) {
                bit<16> sport = 0;
                bit<16> dport = 0;
                if (hdr.tcp.isValid()) {
                    sport = hdr.tcp.src_port;
                    dport = hdr.tcp.dst_port;
                    meta.acl_dport = hdr.tcp.dst_port;
                } else if (hdr.udp.isValid()) {
                    sport = hdr.udp.src_port;
                    dport = hdr.udp.dst_port;
                    meta.acl_dport = hdr.udp.dst_port;
                } else if (hdr.sctp.isValid()) {
                    sport = hdr.sctp.src_port;
                    dport = hdr.sctp.dst_port;
                    meta.acl_dport = hdr.sctp.dst_port;
                } else if (hdr.udpl.isValid()) {
                    sport = hdr.udpl.src_port;
                    dport = hdr.udpl.dst_port;
                    meta.acl_dport = hdr.udpl.dst_port;
                } else if (hdr.icmp.isValid()) {
                    meta.acl_dport = hdr.icmp.type_code;
                    bit<8> icmp_type = hdr.icmp.type_code[15:8];
                    if (icmp_type == ICMP_ECHO_REQUEST || icmp_type == ICMP_ECHO_REPLY) {
                        sport = hdr.icmp.identifier;
                        dport = hdr.icmp.identifier;
                    }
                }

                // Canonical conntrack tuple: the smaller (ip, port) first.
                // Written as nested ifs on purpose: p4c-dpdk miscompiles a
                // '>' or '<' inside '&&' (a == b && c > d came out as a == b).
                bool swap = false;
                if (hdr.ipv4.src_addr > hdr.ipv4.dst_addr) {
                    swap = true;
                } else if (hdr.ipv4.src_addr == hdr.ipv4.dst_addr) {
                    if (sport > dport) {
                        swap = true;
                    }
                }
                if (swap) {
                    meta.ct_ip_lo = hdr.ipv4.dst_addr;
                    meta.ct_port_lo = dport;
                    meta.ct_ip_hi = hdr.ipv4.src_addr;
                    meta.ct_port_hi = sport;
                } else {
                    meta.ct_ip_lo = hdr.ipv4.src_addr;
                    meta.ct_port_lo = sport;
                    meta.ct_ip_hi = hdr.ipv4.dst_addr;
                    meta.ct_port_hi = dport;
                }

                // Egress policy of the source pod.
                meta.acl_status = ALLOW_ALL;
                meta.acl_pol_id = 0;
                meta.range_check_ref = NONE;
                acl_pod_ip_proto_table_egress.apply();
                meta.eg_status = meta.acl_status;
                meta.eg_pol_id = meta.acl_pol_id;
                meta.eg_ref = meta.range_check_ref;
                if (meta.eg_status == MATCH_IPSET || meta.eg_status == MATCH_RULE) {
                    meta.acl_pol_id = meta.eg_pol_id;
                    meta.ipset_check_result = 0;
                    acl_ipset_match_table_egress.apply();
                    meta.eg_ipset = meta.ipset_check_result;
                }

                // Ingress policy of the destination pod.
                meta.acl_status = ALLOW_ALL;
                meta.acl_pol_id = 0;
                meta.range_check_ref = NONE;
                acl_pod_ip_proto_table_ingress.apply();
                meta.in_status = meta.acl_status;
                meta.in_pol_id = meta.acl_pol_id;
                meta.in_ref = meta.range_check_ref;
                if (meta.in_status == MATCH_IPSET || meta.in_status == MATCH_RULE) {
                    meta.acl_pol_id = meta.in_pol_id;
                    meta.ipset_check_result = 0;
                    acl_ipset_match_table_ingress.apply();
                    meta.in_ipset = meta.ipset_check_result;
                }
            }

            if (do_snat) {
                write_source_ip_table.apply();
            }

            // One range check per pass: egress first; an ingress check that
            // must wait for it is done in pass 1.
            if (meta.eg_status == MATCH_RULE) {
                acl_rc_do = true;
                acl_rc_egress = true;
                acl_needs_pass1 = meta.in_status == MATCH_RULE;
            } else if (meta.in_status == MATCH_RULE) {
                acl_rc_do = true;
            }
        } else {
            // Pass 1 exists only for the ingress range check; LB, NAT and
            // the pod/ipset lookups were done in pass 0 and their results
            // are in meta (the headers are the rewritten ones now).
            acl_rc_do = meta.in_status == MATCH_RULE;
        }

        if (acl_rc_do) {
            if (acl_rc_egress) {
                meta.acl_pol_id = meta.eg_pol_id;
                meta.range_check_ref = meta.eg_ref;
            } else {
                meta.acl_pol_id = meta.in_pol_id;
                meta.range_check_ref = meta.in_ref;
            }
            meta.range_check_result = 0;
            if (meta.range_check_ref == NONE) {
                meta.range_check_result = 0xFF;
            } else if (meta.range_check_ref == CHECK_TCP_DST_PORT_RANGE) {
                tcp_dport_rc_table.apply();
            } else if (meta.range_check_ref == CHECK_UDP_DST_PORT_RANGE) {
                udp_dport_rc_table.apply();
            } else if (meta.range_check_ref == CHECK_SCTP_DST_PORT_RANGE) {
                sctp_dport_rc_table.apply();
            } else if (meta.range_check_ref == CHECK_UDPL_DST_PORT_RANGE) {
                udpl_dport_rc_table.apply();
            } else if (meta.range_check_ref == CHECK_ICMP_TYPE_CODE) {
                icmp_type_code_check_table.apply();
            }
            if (acl_rc_egress) {
                meta.eg_range = meta.range_check_result;
            } else {
                meta.in_range = meta.range_check_result;
            }
        }

        if (acl_needs_pass1) {
            // Deparsed as rewritten and parsed again; meta carries over.
            // Nothing else this pass: the verdict needs the ingress check.
            recirculate();
        } else if (hdr.arp.isValid()) {
            // ARP requests and replies alike go to the owner of the target
            // IP; everything unknown goes to the host. ARP is never filtered.
            arpt_to_port_table.apply();
        } else if (hdr.ipv4.isValid()) {
            acl_allowed = acl_dir_ok(meta.eg_status, meta.eg_ipset, meta.eg_range) &&
                          acl_dir_ok(meta.in_status, meta.in_ipset, meta.in_range);
            // A hit is a connection allowed earlier (e.g. this is its reply);
            // a miss learns the connection if it is allowed now.
            if (acl_conntrack.apply().miss && !acl_allowed) {
                drop_packet();
            } else {
                ipv4_to_port_table.apply();
            }
        } else {
            send_to_port(DEFAULT_HOST_PORT);
        }
    }
}

control packet_deparser(packet_out pkt,
                        in headers_t hdr,
                        in main_metadata_t meta,
                        in pna_main_output_metadata_t ostd) {
    apply {
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.vlan_tag);
        pkt.emit(hdr.arp);
        pkt.emit(hdr.ipv4);
        pkt.emit(hdr.tcp);
        pkt.emit(hdr.udp);
        pkt.emit(hdr.icmp);
        pkt.emit(hdr.sctp);
        pkt.emit(hdr.udpl);
    }
}

PNA_NIC(packet_parser(), pre_control(), k8s_dp_control(), packet_deparser()) main;
