/*
 * k8s_dp: the P4-DPDK pipeline that replaces kube-proxy on one node
 * (Kubernetes service load balancing with connection pinning, plus pod
 * forwarding by destination IP).
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

const bit<8> IP_PROTO_TCP = 6;
const bit<8> IP_PROTO_UDP = 0x11;

// A SYN with no other flag set: only a connection's first packet may pick a
// backend; SYN+ECE/CWR retransmits and everything else must follow the pin.
const bit<8> TCP_FLAGS_SYN_ONLY = 0x02;

// Which rewrite the load-balancing stage chose for this packet.
typedef bit<16> ActionRef_t;
const ActionRef_t NO_MODIFY     = 0;
const ActionRef_t WRITE_SRC_IP  = 1;
const ActionRef_t WRITE_DEST_IP = 2;

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

struct headers_t {
    ethernet_t ethernet;
    vlan_tag_h vlan_tag;
    arp_t      arp;
    ipv4_t     ipv4;
    tcp_t      tcp;
    udp_t      udp;
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
}

// add_entry takes the learned action's parameters as one struct.
struct pinned_flows_hit_params_t {
    ModDataPtr_t ptr;
}

struct pinned_flows_reverse_hit_params_t {
    ModDataPtr_t ptr;
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
            IP_PROTO_TCP: parse_tcp;
            IP_PROTO_UDP: parse_udp;
            default:      accept;
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

    apply {
        meta.mod_action = NO_MODIFY;
        meta.mod_blob_ptr_dnat = 0;
        meta.mod_blob_ptr_snat = 0;
        meta.src_ip = 0;
        meta.dst_ip = 0;
        meta.src_port = 0;
        meta.dst_port = 0;
        do_clb_pinned_flows_add_on_miss = false;
        create_reverse_ct = false;

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

        if (meta.mod_action == WRITE_SRC_IP) {
            write_source_ip_table.apply();
        } else if (meta.mod_action == WRITE_DEST_IP) {
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

        // ARP requests and replies alike go to the owner of the target IP;
        // everything unknown goes to the host.
        if (hdr.arp.isValid()) {
            arpt_to_port_table.apply();
        } else if (hdr.ipv4.isValid()) {
            ipv4_to_port_table.apply();
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
    }
}

PNA_NIC(packet_parser(), pre_control(), k8s_dp_control(), packet_deparser()) main;
